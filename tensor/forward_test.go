package tensor

import (
	"math"
	"testing"
)

func closeTo(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); d > tol*(1+math.Abs(want[i])) || math.IsNaN(float64(got[i])) != math.IsNaN(want[i]) {
			t.Fatalf("%s: element %d = %.8g, want %.8g", what, i, got[i], want[i])
		}
	}
}

func TestActivationValues(t *testing.T) {
	x := FromSlice([]float32{-3, -1, -0.5, 0, 0.5, 1, 3}, 7)
	// Reference values from the definitions (PyTorch 1.13 gives the same
	// to float32 precision): gelu(x) = x·Φ(x), gelu_tanh, x·σ(1.702x), x·σ(x).
	phi := func(v float64) float64 { return 0.5 * (1 + math.Erf(v/math.Sqrt2)) }
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	cases := []struct {
		name string
		f    func(*Tensor) *Tensor
		ref  func(float64) float64
	}{
		{"gelu", GELU, func(v float64) float64 { return v * phi(v) }},
		{"gelu_tanh", GELUTanh, func(v float64) float64 {
			return 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v)))
		}},
		{"quick_gelu", QuickGELU, func(v float64) float64 { return v * sig(1.702*v) }},
		{"silu", SiLU, func(v float64) float64 { return v * sig(v) }},
		{"relu", ReLU, func(v float64) float64 { return math.Max(v, 0) }},
		{"sigmoid", Sigmoid, sig},
		{"tanh", Tanh, math.Tanh},
		{"exp", Exp, math.Exp},
		{"log_sigmoid", LogSigmoid, func(v float64) float64 { return math.Log(sig(v)) }},
	}
	for _, c := range cases {
		want := make([]float64, 7)
		for i, v := range x.Data() {
			want[i] = c.ref(float64(v))
		}
		closeTo(t, c.name, c.f(x).Data(), want, 1e-6)
	}
	// Spot values: GELU(1) = 0.8413447460685429 (Φ(1)).
	if g := GELU(Scalar(1)).Item(); math.Abs(float64(g)-0.8413447460685429) > 1e-7 {
		t.Fatalf("GELU(1) = %v", g)
	}
}

func naiveMatMul(a, b []float32, m, k, n int, ta, tb bool) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				av := a[i*k+p]
				if ta {
					av = a[p*m+i]
				}
				bv := b[p*n+j]
				if tb {
					bv = b[j*k+p]
				}
				s += float64(av) * float64(bv)
			}
			out[i*n+j] = s
		}
	}
	return out
}

func TestMatMulValues(t *testing.T) {
	for _, sz := range [][3]int{{1, 1, 1}, {3, 7, 5}, {17, 65, 33}, {31, 15, 1}} {
		m, k, n := sz[0], sz[1], sz[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			as, bs := []int{m, k}, []int{k, n}
			if tr[0] {
				as = []int{k, m}
			}
			if tr[1] {
				bs = []int{n, k}
			}
			a, b := randT(1, as...), randT(2, bs...)
			closeTo(t, "matmul", MatMul(a, b, tr[0], tr[1]).Data(), naiveMatMul(a.Data(), b.Data(), m, k, n, tr[0], tr[1]), 1e-5)
		}
	}
	// Batched with a shared right operand equals per-item products.
	a, w := randT(3, 2, 3, 7), randT(4, 7, 5)
	out := MatMul(a, w, false, false)
	for i := 0; i < 2; i++ {
		closeTo(t, "batched", out.Data()[i*15:(i+1)*15], naiveMatMul(a.Data()[i*21:(i+1)*21], w.Data(), 3, 7, 5, false, false), 1e-5)
	}
	// Linear = x·Wᵀ + b.
	x, wt, bias := randT(5, 4, 3), randT(6, 2, 3), randT(7, 2)
	want := naiveMatMul(x.Data(), wt.Data(), 4, 3, 2, false, true)
	for i := range want {
		want[i] += float64(bias.Data()[i%2])
	}
	closeTo(t, "linear", Linear(x, wt, bias).Data(), want, 1e-5)
}

func TestNormValues(t *testing.T) {
	x, g, b := randT(1, 5, 17), randT(2, 17), randT(3, 17)
	want := make([]float64, 5*17)
	wantRMS := make([]float64, 5*17)
	for r := 0; r < 5; r++ {
		row := x.Data()[r*17 : (r+1)*17]
		var mu, ms float64
		for _, v := range row {
			mu += float64(v)
			ms += float64(v) * float64(v)
		}
		mu /= 17
		ms /= 17
		var vr float64
		for _, v := range row {
			vr += (float64(v) - mu) * (float64(v) - mu)
		}
		vr /= 17
		for i, v := range row {
			want[r*17+i] = (float64(v)-mu)/math.Sqrt(vr+1e-5)*float64(g.Data()[i]) + float64(b.Data()[i])
			wantRMS[r*17+i] = float64(v) / math.Sqrt(ms+1e-6) * float64(g.Data()[i])
		}
	}
	closeTo(t, "layernorm", LayerNorm(x, g, b, 1e-5).Data(), want, 1e-5)
	closeTo(t, "rmsnorm", RMSNorm(x, g, 1e-6).Data(), wantRMS, 1e-5)
}

func TestSoftmaxAndLosses(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3, -1, 0, 1000}, 2, 3)
	closeTo(t, "softmax", Softmax(x).Data(), []float64{
		0.09003057317038046, 0.24472847105479767, 0.6652409557748219, 0, 0, 1}, 1e-6)
	closeTo(t, "log_softmax", LogSoftmax(x).Data()[:3], []float64{
		-2.40760596444438, -1.40760596444438, -0.40760596444438}, 1e-6)
	inf := float32(math.Inf(-1))
	closeTo(t, "softmax all -inf", Softmax(FromSlice([]float32{inf, inf}, 1, 2)).Data(), []float64{0, 0}, 0)

	// Cross-entropy with label smoothing 0.1 and an ignored row:
	// loss_r = −0.9·logp[t] − 0.1·mean(logp).
	logits := FromSlice([]float32{1, 2, 3, 0.5, 0.5, -1, 9, 9, 9}, 3, 3)
	lp := LogSoftmax(logits).Data()
	var want float64
	for r, tgt := range []int{2, 0} {
		row := lp[r*3 : r*3+3]
		want += -0.9*float64(row[tgt]) - 0.1*(float64(row[0])+float64(row[1])+float64(row[2]))/3
	}
	want /= 2
	ce := CrossEntropy(logits, []int{2, 0, -100}, CrossEntropyOptions{IgnoreIndex: -100, UseIgnore: true, LabelSmoothing: 0.1})
	closeTo(t, "cross_entropy", ce.Data(), []float64{want}, 1e-6)
	if v := CrossEntropy(logits, []int{-100, -100, -100}, CrossEntropyOptions{IgnoreIndex: -100, UseIgnore: true}).Item(); !math.IsNaN(float64(v)) {
		t.Fatalf("all-ignored cross-entropy = %v, want NaN as PyTorch", v)
	}

	// BCE with logits, including large |x| (stable form).
	xl := FromSlice([]float32{-50, -1, 0, 2, 50}, 5)
	y := FromSlice([]float32{0, 1, 0.5, 0, 1}, 5)
	var bce float64
	for i, v := range xl.Data() {
		p := 1 / (1 + math.Exp(-float64(v)))
		yy := float64(y.Data()[i])
		l := -(yy*math.Log(p) + (1-yy)*math.Log(1-p))
		if math.IsInf(l, 0) || math.IsNaN(l) {
			l = math.Max(float64(v), 0) - float64(v)*yy + math.Log1p(math.Exp(-math.Abs(float64(v))))
		}
		bce += l
	}
	closeTo(t, "bce", BCEWithLogits(xl, y).Data(), []float64{bce / 5}, 1e-6)
}

func TestAttentionValues(t *testing.T) {
	b, h, tq, tk, d, dv := 2, 2, 3, 4, 5, 3
	q, k, v := randT(1, b, h, tq, d), randT(2, b, h, tk, d), randT(3, b, h, tk, dv)
	bias := randT(4, 1, h, tq, tk)
	mask := []bool{true, true, true, true, true, false, true, false}
	got := ScaledDotProductAttention(q, k, v, AttentionOptions{Causal: true, KeyMask: mask, Bias: bias}).Data()
	want := make([]float64, b*h*tq*dv)
	scale := 1 / math.Sqrt(float64(d))
	for bi := 0; bi < b; bi++ {
		for hi := 0; hi < h; hi++ {
			for i := 0; i < tq; i++ {
				s := make([]float64, tk)
				mx := math.Inf(-1)
				for j := 0; j < tk; j++ {
					if j > i+tk-tq || !mask[bi*tk+j] {
						s[j] = math.Inf(-1)
						continue
					}
					var dot float64
					for c := 0; c < d; c++ {
						dot += float64(q.At(bi, hi, i, c)) * float64(k.At(bi, hi, j, c))
					}
					s[j] = dot*scale + float64(bias.At(0, hi, i, j))
					mx = math.Max(mx, s[j])
				}
				var z float64
				for j := range s {
					s[j] = math.Exp(s[j] - mx)
					z += s[j]
				}
				for c := 0; c < dv; c++ {
					var o float64
					for j := range s {
						o += s[j] / z * float64(v.At(bi, hi, j, c))
					}
					want[((bi*h+hi)*tq+i)*dv+c] = o
				}
			}
		}
	}
	closeTo(t, "attention", got, want, 1e-5)
}

func TestShapeOpValues(t *testing.T) {
	x := FromSlice([]float32{0, 1, 2, 3, 4, 5}, 2, 3)
	closeTo(t, "transpose", Transpose(x, 0, 1).Data(), []float64{0, 3, 1, 4, 2, 5}, 0)
	closeTo(t, "slice", Slice(x, 1, 1, 3).Data(), []float64{1, 2, 4, 5}, 0)
	closeTo(t, "concat", Concat(1, x, Slice(x, 1, 0, 1)).Data(), []float64{0, 1, 2, 0, 3, 4, 5, 3}, 0)
	closeTo(t, "index-select", IndexSelect(x, 1, []int{2, 2, 0}).Data(), []float64{2, 2, 0, 5, 5, 3}, 0)
	closeTo(t, "scatter-add", ScatterAdd(Zeros(3), 0, []int{1, 1, 2}, FromSlice([]float32{1, 2, 3}, 3)).Data(), []float64{0, 3, 3}, 0)
	closeTo(t, "sum-axis0", Sum(x, false, 0).Data(), []float64{3, 5, 7}, 0)
	closeTo(t, "mean-axis1", Mean(x, false, 1).Data(), []float64{1, 4}, 1e-7)
	m, arg := Max(x, 1, false)
	closeTo(t, "max", m.Data(), []float64{2, 5}, 0)
	if arg[0] != 2 || arg[1] != 2 {
		t.Fatalf("argmax %v", arg)
	}
	closeTo(t, "broadcast-add", Add(x, FromSlice([]float32{10, 20}, 2, 1)).Data(), []float64{10, 11, 12, 23, 24, 25}, 0)
	closeTo(t, "div", Div(x, FromSlice([]float32{2}, 1)).Data(), []float64{0, 0.5, 1, 1.5, 2, 2.5}, 0)
	closeTo(t, "l2-normalize", L2Normalize(FromSlice([]float32{3, 4}, 1, 2), 1e-12).Data(), []float64{0.6, 0.8}, 1e-7)
	closeTo(t, "cosine", CosineSimilarity(FromSlice([]float32{1, 0}, 1, 2), FromSlice([]float32{1, 1}, 1, 2), 1e-8).Data(), []float64{math.Sqrt2 / 2}, 1e-7)
	p := Permute(Reshape(Arange(24), 2, 3, 4), 2, 0, 1)
	if !SameShape(p.Shape(), []int{4, 2, 3}) || p.At(3, 1, 2) != 23 || p.At(1, 0, 2) != 9 {
		t.Fatalf("permute: %v %v", p.Shape(), p.Data())
	}
}
