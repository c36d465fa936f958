package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The fused kernels of each path are held against the plain-Go reference
// versions (the *Generic functions) on odd sizes, through guarded slices:
// every slice handed to a kernel is the inside of a larger one whose
// surrounding elements hold the guard value and must be unchanged after
// the call.

var vecSizes = []int{1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 17, 31, 33, 50, 77, 771}

const vecGuardN = 9 // guard elements on each side

// guarded returns n random values (scaled by sc) inside a guarded slice.
func guarded(rng *rand.Rand, n int, sc float64) (full, in []float32) {
	full = make([]float32, n+2*vecGuardN)
	for i := range full {
		full[i] = guard
	}
	in = full[vecGuardN : vecGuardN+n]
	for i := range in {
		in[i] = float32(sc * rng.NormFloat64())
	}
	return full, in
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

func checkGuards(t *testing.T, what string, full []float32) {
	t.Helper()
	n := len(full) - 2*vecGuardN
	for i, v := range full {
		if (i < vecGuardN || i >= vecGuardN+n) && v != guard {
			t.Fatalf("%s: guard element %d (of %d around %d) overwritten with %g", what, i, 2*vecGuardN, n, v)
		}
	}
}

// within reports whether got is within abs + rel·|want| of want (NaN only
// matches NaN).
func within(got, want float32, abs, rel float64) bool {
	if math.IsNaN(float64(want)) || math.IsNaN(float64(got)) {
		return math.IsNaN(float64(want)) && math.IsNaN(float64(got))
	}
	if math.IsInf(float64(want), 0) {
		return got == want
	}
	return math.Abs(float64(got)-float64(want)) <= abs+rel*math.Abs(float64(want))
}

func checkClose(t *testing.T, what string, got, want []float32, abs, rel float64) {
	t.Helper()
	for i := range want {
		if !within(got[i], want[i], abs, rel) {
			t.Fatalf("%s: element %d = %g, reference %g (tolerance %g + %g·|ref|)", what, i, got[i], want[i], abs, rel)
		}
	}
}

func TestSoftmaxKernelsAgainstReference(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		// Rows in pairs and odd rows (the AVX2 kernel takes two rows at a
		// time); fully masked rows first and second in a pair.
		for _, rows := range []int{1, 2, 3, 6} {
			masked := map[int]bool{}
			if rows >= 3 {
				masked[1] = true
			}
			if rows == 6 {
				masked[4] = true
			}
			for _, cols := range vecSizes {
				n := rows * cols
				fx, x := guarded(rng, n, 3)
				if cols > 2 {
					x[1] = float32(math.Inf(-1)) // a masked entry
				}
				for r := range masked {
					for j := 0; j < cols; j++ { // a fully masked row
						x[r*cols+j] = float32(math.Inf(-1))
					}
				}
				fy, y := guarded(rng, n, 1)
				want := make([]float32, n)
				softmaxRowsGeneric(want, x, rows, cols)
				softmaxRows(y, x, rows, cols)
				checkGuards(t, "softmax", fy)
				checkGuards(t, "softmax input", fx)
				checkClose(t, "softmax", y, want, 1e-7, 4e-6)

				// In place.
				y2 := clone(x)
				softmaxRows(y2, y2, rows, cols)
				checkClose(t, "softmax in place", y2, want, 1e-7, 4e-6)

				fg, dy := guarded(rng, n, 1)
				fdx, dx := guarded(rng, n, 1)
				softmaxRowsBackwardGeneric(want, y, dy, rows, cols)
				softmaxRowsBackward(dx, y, dy, rows, cols)
				checkGuards(t, "softmax backward", fdx)
				checkGuards(t, "softmax backward input", fg)
				checkClose(t, "softmax backward", dx, want, 1e-6, 1e-5)

				if len(masked) > 0 {
					continue // log-softmax of a fully masked row is NaN in both
				}
				logSoftmaxRowsGeneric(want, x, rows, cols)
				logSoftmaxRows(y, x, rows, cols)
				checkGuards(t, "log-softmax", fy)
				checkClose(t, "log-softmax", y, want, 2e-6, 2e-6)
				logSoftmaxRowsBackwardGeneric(want, y, dy, rows, cols)
				logSoftmaxRowsBackward(dx, y, dy, rows, cols)
				checkGuards(t, "log-softmax backward", fdx)
				checkClose(t, "log-softmax backward", dx, want, 2e-6*float64(cols), 1e-5)
			}
		}
	})
}

func TestNormKernelsAgainstReference(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, rows := range []int{1, 3} {
			for _, cols := range vecSizes {
				n := rows * cols
				for _, affine := range [][2]bool{{true, true}, {true, false}, {false, true}, {false, false}} {
					_, x := guarded(rng, n, 2)
					for i := range x {
						x[i] += 0.5
					}
					var gamma, beta []float32
					if affine[0] {
						_, gamma = guarded(rng, cols, 1)
					}
					if affine[1] {
						_, beta = guarded(rng, cols, 1)
					}
					fy, y := guarded(rng, n, 1)
					fm, mean := guarded(rng, rows, 1)
					fr, rstd := guarded(rng, rows, 1)
					want := make([]float32, n)
					wm, wr := make([]float32, rows), make([]float32, rows)
					layerNormGeneric(want, wm, wr, x, gamma, beta, rows, cols, 1e-5)
					layerNorm(y, mean, rstd, x, gamma, beta, rows, cols, 1e-5)
					for _, f := range [][]float32{fy, fm, fr} {
						checkGuards(t, "layernorm", f)
					}
					checkClose(t, "layernorm", y, want, 2e-5, 2e-5)
					checkClose(t, "layernorm mean", mean, wm, 1e-6, 1e-5)
					checkClose(t, "layernorm rstd", rstd, wr, 0, 1e-5)

					_, dy := guarded(rng, n, 1)
					fdx, dx := guarded(rng, n, 1)
					layerNormBackwardXGeneric(want, dy, x, mean, rstd, gamma, rows, cols)
					layerNormBackwardX(dx, dy, x, mean, rstd, gamma, rows, cols)
					checkGuards(t, "layernorm backward", fdx)
					checkClose(t, "layernorm backward", dx, want, 5e-5, 5e-5)

					if affine[1] {
						continue
					}
					rmsNormGeneric(want, wr, x, gamma, rows, cols, 1e-6)
					rmsNorm(y, rstd, x, gamma, rows, cols, 1e-6)
					checkGuards(t, "rmsnorm", fy)
					checkGuards(t, "rmsnorm rstd", fr)
					checkClose(t, "rmsnorm", y, want, 2e-5, 2e-5)
					rmsNormBackwardXGeneric(want, dy, x, rstd, gamma, rows, cols)
					rmsNormBackwardX(dx, dy, x, rstd, gamma, rows, cols)
					checkGuards(t, "rmsnorm backward", fdx)
					checkClose(t, "rmsnorm backward", dx, want, 5e-5, 5e-5)
				}
				// Parameter gradients, each combination of wanted outputs.
				_, dy := guarded(rng, n, 1)
				_, x := guarded(rng, n, 1)
				_, mean := guarded(rng, rows, 0.1)
				_, rstd := guarded(rng, rows, 1)
				for _, want2 := range [][2]bool{{true, true}, {true, false}, {false, true}} {
					fpg, pg := guarded(rng, cols, 1)
					fpb, pb := guarded(rng, cols, 1)
					wg, wb := clone(pg), clone(pb)
					normParamGradsRowsGeneric(wg, wb, dy, x, mean, rstd, 0, rows, cols, want2[0], want2[1])
					normParamGradsRows(pg, pb, dy, x, mean, rstd, 0, rows, cols, want2[0], want2[1])
					checkGuards(t, "param grads g", fpg)
					checkGuards(t, "param grads b", fpb)
					checkClose(t, "dgamma", pg, wg, 1e-5, 1e-5)
					checkClose(t, "dbeta", pb, wb, 1e-5, 1e-5)
				}
			}
		}
	})
}

func TestActivationKernelsAgainstReference(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(15, 16))
		for a := Identity; a <= Tanh; a++ {
			for _, n := range vecSizes {
				_, x := guarded(rng, n, 3)
				x[0] = -9.5 // far tails
				if n > 1 {
					x[n-1] = 11
				}
				fy, y := guarded(rng, n, 1)
				activateSlice(a, y, x)
				checkGuards(t, a.String(), fy)
				for i, v := range x {
					want := activate(a, float64(v))
					// Exp- and erf-based approximations in float32: the
					// largest error seen was 1.3e-7·(1+|x|) over [-12, 12],
					// 2.8e-7·(1+|x|) for GELU's exp-free erf over [-40, 40]
					// (at x ≈ -0.38).
					tol := 5e-7 * (1 + math.Abs(float64(v)))
					if d := math.Abs(float64(y[i]) - want); !(d <= tol) {
						t.Fatalf("%v(%g) = %g, want %g (|Δ| %g > %g)", a, v, y[i], want, d, tol)
					}
				}
				_, dy := guarded(rng, n, 1)
				fdx, dx := guarded(rng, n, 1)
				activateBackwardSlice(a, dx, x, dy)
				checkGuards(t, a.String()+" backward", fdx)
				for i, v := range x {
					want := float64(dy[i]) * activateGrad(a, float64(v))
					// Largest error seen: 3.3e-7·(1+|x|) for |dy| = 1.
					tol := 1e-6 * (1 + math.Abs(float64(v))) * (1 + math.Abs(float64(dy[i])))
					if d := math.Abs(float64(dx[i]) - want); !(d <= tol) {
						t.Fatalf("%v'(%g)·%g = %g, want %g (|Δ| %g > %g)", a, v, dy[i], dx[i], want, d, tol)
					}
				}
				// In place: dst aliases src.
				y2 := clone(x)
				activateSlice(a, y2, y2)
				checkClose(t, a.String()+" in place", y2, y, 0, 0)
			}
		}
	})
}

func TestBiasActivateAgainstReference(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(17, 18))
		for _, a := range []Activation{Identity, GELU, GELUTanh, QuickGELU, SiLU, ReLU, Sigmoid, Tanh} {
			for _, cols := range vecSizes {
				rows := 3
				n := rows * cols
				_, x := guarded(rng, n, 2)
				_, bias := guarded(rng, cols, 1)
				for _, withPre := range []bool{true, false} {
					for _, b := range [][]float32{bias, nil} {
						fy, y := guarded(rng, n, 1)
						fp, pre := guarded(rng, n, 1)
						wy, wp := make([]float32, n), make([]float32, n)
						var p, pw []float32
						if withPre {
							p, pw = pre, wp
						}
						biasActivateGeneric(a, wy, pw, x, b, rows, cols)
						biasActivate(a, y, p, x, b, rows, cols)
						checkGuards(t, "bias-activate", fy)
						checkGuards(t, "bias-activate pre", fp)
						checkClose(t, "bias-activate", y, wy, 1e-5, 1e-5)
						if withPre {
							checkClose(t, "bias-activate pre", pre, wp, 0, 0)
						}
					}
				}
			}
		}
	})
}

func TestAdamWAgainstReference(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(19, 20))
		h := AdamWParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 3}
		for _, n := range vecSizes {
			fp, p := guarded(rng, n, 1)
			_, g := guarded(rng, n, 1)
			fm, m := guarded(rng, n, 0.1)
			fv, v := guarded(rng, n, 0.1)
			for i := range v {
				v[i] *= v[i]
			}
			wp, wm, wv := clone(p), clone(m), clone(v)
			adamwGeneric(wp, g, wm, wv, h, 0.271, 0.0547)
			adamw(p, g, m, v, h, 0.271, 0.0547)
			for _, f := range [][]float32{fp, fm, fv} {
				checkGuards(t, "adamw", f)
			}
			// Same IEEE operations in the same order: equal up to how the
			// Go compiler may contract a·b+c, within 1 ulp.
			checkClose(t, "adamw p", p, wp, 0, 2e-7)
			checkClose(t, "adamw m", m, wm, 0, 2e-7)
			checkClose(t, "adamw v", v, wv, 0, 2e-7)
		}
	})
}

func TestElementwiseAndReductionKernels(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 22))
		for _, n := range vecSizes {
			_, a := guarded(rng, n, 1)
			_, b := guarded(rng, n, 1)
			for op := OpAdd; op <= OpDiv; op++ {
				for _, sb := range []int{1, 0} {
					fd, d := guarded(rng, n, 1)
					want := make([]float32, n)
					binaryGeneric(op, want, a, 1, b, sb, n)
					binary(op, d, a, 1, b, sb, n)
					checkGuards(t, op.String(), fd)
					checkClose(t, op.String(), d, want, 0, 0)
				}
			}
			fy, y := guarded(rng, n, 1)
			want := clone(y)
			axpyGeneric(0.37, a, want)
			axpy(0.37, a, y)
			checkGuards(t, "axpy", fy)
			checkClose(t, "axpy", y, want, 1e-7, 1e-6)
			scaleGeneric(want, -1.5, a)
			scale(y, -1.5, a)
			checkGuards(t, "scale", fy)
			checkClose(t, "scale", y, want, 0, 0)

			if s, w := sum64(a), sum64Generic(a); math.Abs(s-w) > 1e-12*(1+math.Abs(w))*float64(n) {
				t.Fatalf("sum64(n=%d) = %g, reference %g", n, s, w)
			}
			if s, w := dot64(a, b), dot64Generic(a, b); math.Abs(s-w) > 1e-12*(1+math.Abs(w))*float64(n) {
				t.Fatalf("dot64(n=%d) = %g, reference %g", n, s, w)
			}
		}
	})
}

// TestFusedKernelsNoAlloc checks that the per-path fused kernels (the
// functions behind the dispatch variables) do not allocate.
func TestFusedKernelsNoAlloc(t *testing.T) {
	rows, cols := 8, 100
	x := make([]float32, rows*cols)
	y := make([]float32, rows*cols)
	g := make([]float32, cols)
	st := make([]float32, 2*rows)
	h := AdamWParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}
	forEachPath(t, func(t *testing.T) {
		if CPUPath() == PathGeneric {
			t.Skip("allocation is checked for the assembly kernels")
		}
		if raceEnabled {
			t.Skip("sync.Pool drops items under the race detector")
		}
		for name, f := range map[string]func(){
			"softmaxRows":        func() { softmaxRows(y, x, rows, cols) },
			"layerNorm":          func() { layerNorm(y, st[:rows], st[rows:], x, g, g, rows, cols, 1e-5) },
			"layerNormBackwardX": func() { layerNormBackwardX(y, x, x, st[:rows], st[rows:], g, rows, cols) },
			"activateSlice":      func() { activateSlice(GELU, y, x) },
			"adamw":              func() { adamw(y[:cols], x[:cols], g, y[cols:2*cols], h, 0.1, 0.03) },
			"biasActivate":       func() { biasActivate(QuickGELU, y, nil, x, g, rows, cols) },
		} {
			f()
			if n := testing.AllocsPerRun(10, f); n != 0 {
				t.Errorf("%s allocates %v times per call", name, n)
			}
		}
	})
}

// TestExportedKernelsNoAlloc checks that the exported kernels, run on two
// workers with sizes that split into several tasks, allocate nothing in
// steady state (their arguments travel in pooled calls, not closures).
func TestExportedKernelsNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	old := Workers()
	SetWorkers(2)
	defer SetWorkers(old)
	rows, cols := 512, 100
	n := 1 << 17
	rng := rand.New(rand.NewPCG(3, 3))
	fill := func(k int) []float32 {
		s := make([]float32, k)
		for i := range s {
			s[i] = rng.Float32() - 0.5
		}
		return s
	}
	x, y, dy, big, big2 := fill(rows*cols), fill(rows*cols), fill(rows*cols), fill(n), fill(n)
	m, v := make([]float32, n), make([]float32, n)
	g, b, dg, db := fill(cols), fill(cols), make([]float32, cols), make([]float32, cols)
	mean, rstd := make([]float32, rows), make([]float32, rows)
	h := AdamWParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}
	kernels := []struct {
		name string
		f    func()
	}{
		{"SoftmaxRows", func() { SoftmaxRows(y, x, rows, cols) }},
		{"SoftmaxRowsBackward", func() { SoftmaxRowsBackward(dy, y, dy, rows, cols) }},
		{"LogSoftmaxRows", func() { LogSoftmaxRows(y, x, rows, cols) }},
		{"LogSoftmaxRowsBackward", func() { LogSoftmaxRowsBackward(dy, y, dy, rows, cols) }},
		{"LayerNorm", func() { LayerNorm(y, mean, rstd, x, g, b, rows, cols, 1e-5) }},
		{"LayerNormBackward", func() { LayerNormBackward(dy, dg, db, y, x, mean, rstd, g, rows, cols) }},
		{"RMSNorm", func() { RMSNorm(y, rstd, x, g, rows, cols, 1e-5) }},
		{"RMSNormBackward", func() { RMSNormBackward(dy, dg, y, x, rstd, g, rows, cols) }},
		{"Activate", func() { Activate(GELU, y, x) }},
		{"ActivateBackward", func() { ActivateBackward(GELUTanh, dy, x, y) }},
		{"BiasActivate", func() { BiasActivate(QuickGELU, y, dy, x, g, rows, cols) }},
		{"AdamW", func() { AdamW(big, big2, m, v, h) }},
		{"ParallelBinary", func() { ParallelBinary(OpMul, y, x, 1, dy, 1, rows*cols) }},
		{"Sum", func() { _ = Sum(big) }},
		{"Dot", func() { _ = Dot(big, big2) }},
		{"SumAxis", func() { SumAxis(g, x, 1, rows, cols, true) }},
		{"SumAxisInner1", func() { SumAxis(mean, x, rows, cols, 1, false) }},
		{"BroadcastRows", func() { BroadcastRows(y, g, rows) }},
	}
	forEachPath(t, func(t *testing.T) {
		for _, k := range kernels {
			k.f()
			if got := testing.AllocsPerRun(20, k.f); got != 0 {
				t.Errorf("%s allocates %v times per call", k.name, got)
			}
		}
	})
}
