package gemm

import (
	"fmt"
	"testing"

	"github.com/vlmtune/vlmtune/bench/gemmbench"
	"github.com/vlmtune/vlmtune/internal/kernels"
)

// BenchmarkGemm runs kernels.Gemm at every default shape and reports
// GFLOP/s and the fraction of the FMA peak measured just before.
func BenchmarkGemm(b *testing.B) {
	kernels.SetWorkers(0)
	peak := kernels.PeakGFLOPS(0)
	for _, s := range gemmbench.DefaultShapes() {
		o := gemmbench.NewOperands(s, 1)
		b.Run(fmt.Sprintf("%s/%s", s.Name, s), func(b *testing.B) {
			b.ReportAllocs()
			o.Run()
			for b.Loop() {
				o.Run()
			}
			g := s.Flops() * float64(b.N) / b.Elapsed().Seconds() / 1e9
			b.ReportMetric(g, "GFLOP/s")
			if peak > 0 {
				b.ReportMetric(100*g/peak, "%peak")
			}
		})
	}
}

// BenchmarkGemmLoRA runs the thin products of a rank-8 LoRA adapter
// (gemmbench.LoRAShapes), which are bound by memory rather than by FMAs.
func BenchmarkGemmLoRA(b *testing.B) {
	kernels.SetWorkers(0)
	for _, s := range gemmbench.LoRAShapes(gemmbench.DefaultBatch, 8) {
		o := gemmbench.NewOperands(s, 1)
		b.Run(fmt.Sprintf("%s/%s", s.Name, s), func(b *testing.B) {
			b.ReportAllocs()
			o.Run()
			for b.Loop() {
				o.Run()
			}
			b.ReportMetric(s.Flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkGemmBatchedAttention runs the attention products of ViT-B/32
// (12 heads of 64 dims on 50 tokens, batch 32) through kernels.GemmBatched:
// scores S = Q·Kᵀ and the weighted sum O = P·V, and their backward
// products.
func BenchmarkGemmBatchedAttention(b *testing.B) {
	kernels.SetWorkers(0)
	const heads, dh, t, batch = 12, 64, gemmbench.VisionTokens, gemmbench.DefaultBatch
	n := batch * heads
	q := make([]float32, n*t*dh)
	k := make([]float32, n*t*dh)
	s := make([]float32, n*t*t)
	for i := range q {
		q[i], k[i] = float32(i%7)-3, float32(i%5)-2
	}
	for _, c := range []struct {
		name           string
		transA, transB bool
		m, n, k        int
		a, bb, c       []float32
		lda, ldb, ldc  int
	}{
		{"scores_QKt", false, true, t, t, dh, q, k, s, dh, dh, t},
		{"weighted_PV", false, false, t, dh, t, s, k, q, t, dh, dh},
		{"dP_dOVt", false, true, t, t, dh, q, k, s, dh, dh, t},
		{"dV_PtdO", true, false, t, dh, t, s, q, k, t, dh, dh},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			sa, sb, sc := c.m*c.k, c.k*c.n, c.m*c.n
			for b.Loop() {
				kernels.GemmBatched(c.transA, c.transB, n, c.m, c.n, c.k, 1,
					c.a, c.lda, sa, c.bb, c.ldb, sb, 0, c.c, c.ldc, sc)
			}
			flops := 2 * float64(n*c.m*c.n*c.k) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
