//go:build openblas

package main

import (
	"math"
	"testing"

	"github.com/vlmtune/vlmtune/bench/gemmbench"
)

// TestSgemmMatchesKernels checks the cgo binding (argument order,
// transposes) against kernels.Gemm, so that the benchmark measures the
// same product.
func TestSgemmMatchesKernels(t *testing.T) {
	for _, tr := range []string{"nn", "nt", "tn", "tt"} {
		ss, err := gemmbench.ParseShapes("37x29x23:" + tr)
		if err != nil {
			t.Fatal(err)
		}
		o := gemmbench.NewOperands(ss[0], 3)
		sgemm(o)
		got := append([]float32(nil), o.C...)
		o.Run()
		for i := range got {
			if math.Abs(float64(got[i]-o.C[i])) > 1e-4*(1+math.Abs(float64(o.C[i]))) {
				t.Fatalf("%s: element %d: OpenBLAS %g, kernels.Gemm %g", ss[0], i, got[i], o.C[i])
			}
		}
	}
}

// BenchmarkOpenBLAS runs cblas_sgemm at every default shape.
func BenchmarkOpenBLAS(b *testing.B) {
	for _, s := range gemmbench.DefaultShapes() {
		o := gemmbench.NewOperands(s, 1)
		b.Run(s.Name+"/"+s.String(), func(b *testing.B) {
			for b.Loop() {
				sgemm(o)
			}
			b.ReportMetric(s.Flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
