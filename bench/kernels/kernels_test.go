package kernels

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// bandwidths measures memory bandwidth (bytes read + written per second)
// on two 128 MiB buffers, the best of 5 passes, once per process:
//
//   - copy: Go's copy (memmove), which uses non-temporal stores for large
//     sizes, so a written line is not read first;
//   - stream: kernels.Scale (dst = a·x) with ordinary stores, the access
//     pattern of every fused kernel, where the CPU reads each destination
//     line before writing it.
var bandwidths = sync.OnceValues(func() (copyBW, streamBW float64) {
	const n = 32 << 20 // floats per buffer
	src, dst := make([]float32, n), make([]float32, n)
	for i := range src {
		src[i] = float32(i)
	}
	copy(dst, src)
	for range 5 {
		t := time.Now()
		kernels.ParallelFor(n, 1<<20, func(lo, hi int) { copy(dst[lo:hi], src[lo:hi]) })
		copyBW = max(copyBW, 8*float64(n)/time.Since(t).Seconds())
		t = time.Now()
		kernels.ParallelFor(n, 1<<20, func(lo, hi int) { kernels.Scale(dst[lo:hi], 0.5, src[lo:hi]) })
		streamBW = max(streamBW, 8*float64(n)/time.Since(t).Seconds())
	}
	return copyBW, streamBW
})

// BenchmarkBandwidth reports the two bandwidths the ratios use.
func BenchmarkBandwidth(b *testing.B) {
	kernels.SetWorkers(0)
	c, s := bandwidths()
	for b.Loop() {
	}
	b.ReportMetric(c/1e9, "copy-GB/s")
	b.ReportMetric(s/1e9, "stream-GB/s")
}

func randSlice(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// sizes: a ViT-B/32 training shape (batch 32) and one far beyond the L3
// cache, as rows×cols.
type size struct {
	name       string
	rows, cols int
}

// run benchmarks f, which streams bytesPerElem·rows·cols bytes, and
// reports GB/s and its time as a multiple of the time to move those bytes
// at the stream and at the copy bandwidth.
func run(b *testing.B, s size, bytesPerElem int, f func()) {
	kernels.SetWorkers(0)
	copyBW, streamBW := bandwidths()
	bytes := float64(bytesPerElem * s.rows * s.cols)
	b.Run(fmt.Sprintf("%s_%dx%d", s.name, s.rows, s.cols), func(b *testing.B) {
		b.SetBytes(int64(bytes))
		b.ReportAllocs()
		f()
		for b.Loop() {
			f()
		}
		per := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(bytes/per/1e9, "GB/s")
		b.ReportMetric(per/(bytes/streamBW), "x-stream")
		b.ReportMetric(per/(bytes/copyBW), "x-copy")
	})
}

var (
	attnScores = size{"vit_scores", 32 * 12 * 50, 50}
	vitHidden  = size{"vit_hidden", 32 * 50, 768}
	vitMLP     = size{"vit_mlp", 32 * 50, 3072}
	big        = size{"big", 16384, 2048} // 128 MiB per tensor
)

func BenchmarkSoftmax(b *testing.B) {
	for _, s := range []size{attnScores, big} {
		x, y := randSlice(s.rows*s.cols, 1), make([]float32, s.rows*s.cols)
		run(b, s, 8, func() { kernels.SoftmaxRows(y, x, s.rows, s.cols) })
	}
}

func BenchmarkSoftmaxBackward(b *testing.B) {
	for _, s := range []size{attnScores, big} {
		y, dy, dx := randSlice(s.rows*s.cols, 1), randSlice(s.rows*s.cols, 2), make([]float32, s.rows*s.cols)
		run(b, s, 12, func() { kernels.SoftmaxRowsBackward(dx, y, dy, s.rows, s.cols) })
	}
}

func BenchmarkLayerNorm(b *testing.B) {
	for _, s := range []size{vitHidden, big} {
		x, y := randSlice(s.rows*s.cols, 1), make([]float32, s.rows*s.cols)
		g, be := randSlice(s.cols, 2), randSlice(s.cols, 3)
		mean, rstd := make([]float32, s.rows), make([]float32, s.rows)
		run(b, s, 8, func() { kernels.LayerNorm(y, mean, rstd, x, g, be, s.rows, s.cols, 1e-5) })
	}
}

// BenchmarkLayerNormBackward streams dy and x twice (parameter gradients,
// then the input gradient) and dx once: 20 bytes per element.
func BenchmarkLayerNormBackward(b *testing.B) {
	for _, s := range []size{vitHidden, big} {
		x, dy, dx := randSlice(s.rows*s.cols, 1), randSlice(s.rows*s.cols, 2), make([]float32, s.rows*s.cols)
		g := randSlice(s.cols, 3)
		dg, db := make([]float32, s.cols), make([]float32, s.cols)
		mean, rstd := make([]float32, s.rows), make([]float32, s.rows)
		kernels.LayerNorm(dx, mean, rstd, x, g, nil, s.rows, s.cols, 1e-5)
		run(b, s, 20, func() { kernels.LayerNormBackward(dx, dg, db, dy, x, mean, rstd, g, s.rows, s.cols) })
	}
}

func BenchmarkRMSNorm(b *testing.B) {
	for _, s := range []size{vitHidden, big} {
		x, y := randSlice(s.rows*s.cols, 1), make([]float32, s.rows*s.cols)
		g, rstd := randSlice(s.cols, 2), make([]float32, s.rows)
		run(b, s, 8, func() { kernels.RMSNorm(y, rstd, x, g, s.rows, s.cols, 1e-6) })
	}
}

func BenchmarkActivate(b *testing.B) {
	for _, a := range []kernels.Activation{kernels.GELU, kernels.QuickGELU, kernels.GELUTanh} {
		for _, s := range []size{vitMLP, big} {
			x, y := randSlice(s.rows*s.cols, 1), make([]float32, s.rows*s.cols)
			s.name = a.String() + "_" + s.name
			run(b, s, 8, func() { kernels.Activate(a, y, x) })
		}
	}
}

func BenchmarkActivateBackward(b *testing.B) {
	for _, a := range []kernels.Activation{kernels.GELU, kernels.QuickGELU} {
		for _, s := range []size{vitMLP, big} {
			x, dy, dx := randSlice(s.rows*s.cols, 1), randSlice(s.rows*s.cols, 2), make([]float32, s.rows*s.cols)
			s.name = a.String() + "_" + s.name
			run(b, s, 12, func() { kernels.ActivateBackward(a, dx, x, dy) })
		}
	}
}

// BenchmarkBiasActivate reads x and writes the pre-activation and the
// output: 12 bytes per element.
func BenchmarkBiasActivate(b *testing.B) {
	for _, s := range []size{vitMLP, big} {
		x, y, pre := randSlice(s.rows*s.cols, 1), make([]float32, s.rows*s.cols), make([]float32, s.rows*s.cols)
		bias := randSlice(s.cols, 2)
		run(b, s, 12, func() { kernels.BiasActivate(kernels.QuickGELU, y, pre, x, bias, s.rows, s.cols) })
	}
}

// BenchmarkAdamW reads param, grad, m, v and writes param, m, v: 28 bytes
// per element. ViT-B/32's CLIP has about 151M parameters; "big" is 32M.
func BenchmarkAdamW(b *testing.B) {
	for _, s := range []size{{"vit_fc1_weight", 3072, 768}, big} {
		n := s.rows * s.cols
		p, g, m, v := randSlice(n, 1), randSlice(n, 2), make([]float32, n), make([]float32, n)
		h := kernels.AdamWParams{LR: 1e-5, Beta1: 0.9, Beta2: 0.98, Eps: 1e-6, WeightDecay: 0.1, Step: 1}
		run(b, s, 28, func() { kernels.AdamW(p, g, m, v, h) })
	}
}

func BenchmarkAxpy(b *testing.B) {
	for _, s := range []size{vitMLP, big} {
		x, y := randSlice(s.rows*s.cols, 1), randSlice(s.rows*s.cols, 2)
		run(b, s, 12, func() { kernels.Axpy(1e-3, x, y) })
	}
}

func BenchmarkSum(b *testing.B) {
	for _, s := range []size{vitMLP, big} {
		x := randSlice(s.rows*s.cols, 1)
		run(b, s, 4, func() { _ = kernels.Sum(x) })
	}
}
