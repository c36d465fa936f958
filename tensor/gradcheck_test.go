package tensor

import (
	"fmt"
	"math"
	"testing"
)

// gradCheck compares the analytic gradients of L = Σ f(inputs)⊙R (R a fixed
// random tensor) with central finite differences. The forward pass runs in
// float32; the loss and the differences are computed in float64. For large
// inputs a fixed random subset of at most maxProbe elements is checked.
func gradCheck(t *testing.T, name string, f func(in []*Tensor) *Tensor, inputs []*Tensor, atol, rtol float64) {
	t.Helper()
	const h = 1e-2
	const maxProbe = 48
	for _, in := range inputs {
		in.ClearGrad()
		in.SetRequiresGrad(true)
	}
	out := f(inputs)
	rng := NewRNG(99)
	r := RandN(rng, 0, 1, out.shape...)
	out.BackwardWith(r)
	loss := func() float64 {
		quiet := NewInferenceScope()
		views := make([]*Tensor, len(inputs))
		for i, in := range inputs {
			views[i] = quiet.In(in)
		}
		o := f(views)
		var s float64
		for i, v := range o.data {
			s += float64(v) * float64(r.data[i])
		}
		return s
	}
	for k, in := range inputs {
		if in.grad == nil {
			t.Fatalf("%s: input %d %v received no gradient", name, k, in.shape)
		}
		idx := make([]int, len(in.data))
		for i := range idx {
			idx[i] = i
		}
		if len(idx) > maxProbe {
			idx = NewRNG(uint64(k) + 7).Perm(len(in.data))[:maxProbe]
		}
		for _, i := range idx {
			v := in.data[i]
			in.data[i] = v + h
			lp := loss()
			in.data[i] = v - h
			lm := loss()
			in.data[i] = v
			num := (lp - lm) / (2 * h)
			ana := float64(in.grad.data[i])
			if d := math.Abs(num - ana); d > atol+rtol*math.Max(math.Abs(num), math.Abs(ana)) || math.IsNaN(ana) {
				t.Errorf("%s: input %d %v element %d: analytic %.6g, numeric %.6g (diff %.3g)", name, k, in.shape, i, ana, num, d)
				return
			}
		}
	}
}

func randT(seed uint64, shape ...int) *Tensor { return RandN(NewRNG(seed), 0, 1, shape...) }

func randPos(seed uint64, shape ...int) *Tensor { return RandU(NewRNG(seed), 0.5, 2, shape...) }

// distinct returns values spread far enough apart that max and relu are
// differentiable under the probe step.
func distinct(seed uint64, shape ...int) *Tensor {
	t := newTensor(shape)
	perm := NewRNG(seed).Perm(len(t.data))
	for i, p := range perm {
		t.data[i] = 0.05*float32(p) - 0.05*float32(len(perm)/2) + 0.025
	}
	return t
}

type gcCase struct {
	name   string
	inputs []*Tensor
	f      func(in []*Tensor) *Tensor
}

func runGradCases(t *testing.T, cases []gcCase, atol, rtol float64) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { gradCheck(t, c.name, c.f, c.inputs, atol, rtol) })
	}
}

func TestGradShapeOps(t *testing.T) {
	runGradCases(t, []gcCase{
		{"reshape", []*Tensor{randT(1, 3, 7)}, func(in []*Tensor) *Tensor { return Reshape(in[0], 7, -1) }},
		{"unsqueeze-squeeze", []*Tensor{randT(1, 3, 7)}, func(in []*Tensor) *Tensor { return Squeeze(Unsqueeze(in[0], 1), 1) }},
		{"transpose", []*Tensor{randT(2, 3, 7, 5)}, func(in []*Tensor) *Tensor { return Transpose(in[0], 0, 2) }},
		{"permute", []*Tensor{randT(3, 2, 3, 5, 7)}, func(in []*Tensor) *Tensor { return Permute(in[0], 3, 1, 0, 2) }},
		{"slice-mid", []*Tensor{randT(4, 3, 17, 5)}, func(in []*Tensor) *Tensor { return Slice(in[0], 1, 2, 9) }},
		{"slice-last", []*Tensor{randT(5, 7, 17)}, func(in []*Tensor) *Tensor { return Slice(in[0], -1, 16, 17) }},
		{"slice-twice", []*Tensor{randT(5, 7, 3)}, func(in []*Tensor) *Tensor {
			return Add(Slice(in[0], 0, 0, 4), Slice(in[0], 0, 3, 7))
		}},
		{"concat-0", []*Tensor{randT(6, 1, 5), randT(7, 3, 5)}, func(in []*Tensor) *Tensor { return Concat(0, in[0], in[1]) }},
		{"concat-1", []*Tensor{randT(6, 2, 1, 3), randT(7, 2, 7, 3), randT(8, 2, 3, 3)}, func(in []*Tensor) *Tensor { return Concat(1, in...) }},
		{"split", []*Tensor{randT(9, 3, 17)}, func(in []*Tensor) *Tensor {
			p := Split(in[0], 1, 5, 12)
			return Mul(Sum(p[0], true, 1), Sum(p[1], true, 1))
		}},
		{"index-select-repeat", []*Tensor{randT(10, 7, 5)}, func(in []*Tensor) *Tensor { return IndexSelect(in[0], 0, []int{3, 0, 3, 6, 3}) }},
		{"index-select-axis1", []*Tensor{randT(11, 3, 7, 2)}, func(in []*Tensor) *Tensor { return IndexSelect(in[0], 1, []int{6, 1}) }},
		{"embedding", []*Tensor{randT(12, 17, 3)}, func(in []*Tensor) *Tensor { return Embedding(nil, in[0], []int32{1, 16, 1, 0, 5, 5}, 2, 3) }},
		{"scatter-add", []*Tensor{randT(13, 7, 3), randT(14, 5, 3)}, func(in []*Tensor) *Tensor { return ScatterAdd(in[0], 0, []int{2, 6, 2, 0, 2}, in[1]) }},
	}, 2e-3, 2e-2)
}

func TestGradElementwise(t *testing.T) {
	type bc struct{ a, b []int }
	shapes := []bc{
		{[]int{3, 7}, []int{3, 7}},
		{[]int{3, 1, 5}, []int{4, 5}},
		{[]int{17}, []int{1}},
		{[]int{2, 3, 65}, []int{65}},
		{[]int{1}, []int{3, 7}},
		{[]int{7, 1}, []int{1, 3}},
		{[]int{}, []int{2, 3}},
	}
	var cases []gcCase
	for i, s := range shapes {
		a, b := randT(uint64(20+i), s.a...), randT(uint64(40+i), s.b...)
		bp := randPos(uint64(60+i), s.b...)
		tag := fmt.Sprintf("%v-%v", s.a, s.b)
		cases = append(cases,
			gcCase{"add" + tag, []*Tensor{a, b}, func(in []*Tensor) *Tensor { return Add(in[0], in[1]) }},
			gcCase{"sub" + tag, []*Tensor{a, b}, func(in []*Tensor) *Tensor { return Sub(in[0], in[1]) }},
			gcCase{"mul" + tag, []*Tensor{a, b}, func(in []*Tensor) *Tensor { return Mul(in[0], in[1]) }},
			gcCase{"div" + tag, []*Tensor{a, bp}, func(in []*Tensor) *Tensor { return Div(in[0], in[1]) }},
		)
	}
	cases = append(cases,
		gcCase{"mul-self", []*Tensor{randT(80, 3, 7)}, func(in []*Tensor) *Tensor { return Mul(in[0], in[0]) }},
		gcCase{"add-scalar", []*Tensor{randT(81, 17)}, func(in []*Tensor) *Tensor { return AddScalar(in[0], 2.5) }},
		gcCase{"mul-scalar", []*Tensor{randT(82, 17)}, func(in []*Tensor) *Tensor { return MulScalar(in[0], -1.5) }},
		gcCase{"neg", []*Tensor{randT(83, 7)}, func(in []*Tensor) *Tensor { return Neg(in[0]) }},
		gcCase{"rsub-scalar", []*Tensor{randT(84, 7)}, func(in []*Tensor) *Tensor { return RSubScalar(1, in[0]) }},
	)
	runGradCases(t, cases, 2e-3, 2e-2)
}

func TestGradUnary(t *testing.T) {
	x := func(seed uint64) *Tensor { return randT(seed, 3, 17) }
	runGradCases(t, []gcCase{
		{"exp", []*Tensor{x(1)}, func(in []*Tensor) *Tensor { return Exp(in[0]) }},
		{"log", []*Tensor{randPos(2, 65)}, func(in []*Tensor) *Tensor { return Log(in[0]) }},
		{"sqrt", []*Tensor{randPos(3, 7, 3)}, func(in []*Tensor) *Tensor { return Sqrt(in[0]) }},
		{"square", []*Tensor{x(4)}, func(in []*Tensor) *Tensor { return Square(in[0]) }},
		{"abs", []*Tensor{distinct(5, 3, 17)}, func(in []*Tensor) *Tensor { return Abs(in[0]) }},
		{"clamp", []*Tensor{distinct(6, 3, 17)}, func(in []*Tensor) *Tensor { return Clamp(in[0], -0.5, 0.5) }},
		{"tanh", []*Tensor{x(7)}, func(in []*Tensor) *Tensor { return Tanh(in[0]) }},
		{"sigmoid", []*Tensor{x(8)}, func(in []*Tensor) *Tensor { return Sigmoid(in[0]) }},
		{"relu", []*Tensor{distinct(9, 3, 17)}, func(in []*Tensor) *Tensor { return ReLU(in[0]) }},
		{"silu", []*Tensor{x(10)}, func(in []*Tensor) *Tensor { return SiLU(in[0]) }},
		{"gelu-erf", []*Tensor{x(11)}, func(in []*Tensor) *Tensor { return GELU(in[0]) }},
		{"gelu-tanh", []*Tensor{x(12)}, func(in []*Tensor) *Tensor { return GELUTanh(in[0]) }},
		{"quick-gelu", []*Tensor{x(13)}, func(in []*Tensor) *Tensor { return QuickGELU(in[0]) }},
		{"log-sigmoid", []*Tensor{MulScalar(x(14), 4)}, func(in []*Tensor) *Tensor { return LogSigmoid(in[0]) }},
	}, 2e-3, 2e-2)
}

func TestGradReductions(t *testing.T) {
	runGradCases(t, []gcCase{
		{"sum-all", []*Tensor{randT(1, 3, 7)}, func(in []*Tensor) *Tensor { return Sum(in[0], false) }},
		{"sum-all-keep", []*Tensor{randT(1, 3, 7)}, func(in []*Tensor) *Tensor { return Sum(in[0], true) }},
		{"sum-axis0", []*Tensor{randT(2, 7, 3)}, func(in []*Tensor) *Tensor { return Sum(in[0], false, 0) }},
		{"sum-axis-last-keep", []*Tensor{randT(3, 3, 5, 17)}, func(in []*Tensor) *Tensor { return Sum(in[0], true, -1) }},
		{"sum-axes-0-2", []*Tensor{randT(4, 3, 5, 7)}, func(in []*Tensor) *Tensor { return Sum(in[0], false, 0, 2) }},
		{"mean-all", []*Tensor{randT(5, 65)}, func(in []*Tensor) *Tensor { return Mean(in[0], false) }},
		{"mean-axis1", []*Tensor{randT(6, 3, 17, 2)}, func(in []*Tensor) *Tensor { return Mean(in[0], false, 1) }},
		{"max-axis1", []*Tensor{distinct(7, 3, 7, 5)}, func(in []*Tensor) *Tensor { m, _ := Max(in[0], 1, false); return m }},
		{"max-last-keep", []*Tensor{distinct(8, 5, 17)}, func(in []*Tensor) *Tensor { m, _ := Max(in[0], -1, true); return m }},
		{"softmax", []*Tensor{randT(9, 3, 17)}, func(in []*Tensor) *Tensor { return Softmax(in[0]) }},
		{"softmax-1", []*Tensor{randT(10, 7, 1)}, func(in []*Tensor) *Tensor { return Softmax(in[0]) }},
		{"log-softmax", []*Tensor{randT(11, 5, 65)}, func(in []*Tensor) *Tensor { return LogSoftmax(in[0]) }},
	}, 2e-3, 2e-2)
}

func TestGradNorms(t *testing.T) {
	runGradCases(t, []gcCase{
		{"layernorm-affine", []*Tensor{randT(1, 3, 5, 17), randT(2, 17), randT(3, 17)}, func(in []*Tensor) *Tensor {
			return LayerNorm(in[0], in[1], in[2], 1e-5)
		}},
		{"layernorm-plain", []*Tensor{randT(4, 7, 65)}, func(in []*Tensor) *Tensor { return LayerNorm(in[0], nil, nil, 1e-5) }},
		{"layernorm-many-rows", []*Tensor{randT(5, 65, 3), randT(6, 3), randT(7, 3)}, func(in []*Tensor) *Tensor {
			return LayerNorm(in[0], in[1], in[2], 1e-5)
		}},
		{"rmsnorm", []*Tensor{randT(8, 3, 17), randT(9, 17)}, func(in []*Tensor) *Tensor { return RMSNorm(in[0], in[1], 1e-6) }},
		{"rmsnorm-plain", []*Tensor{randT(10, 65, 7)}, func(in []*Tensor) *Tensor { return RMSNorm(in[0], nil, 1e-6) }},
		{"dropout", []*Tensor{randT(11, 7, 17)}, func(in []*Tensor) *Tensor { return Dropout(in[0], 0.3, NewRNG(5)) }},
		{"l2-normalize", []*Tensor{randT(12, 5, 17)}, func(in []*Tensor) *Tensor { return L2Normalize(in[0], 1e-12) }},
		{"cosine-similarity", []*Tensor{randT(13, 3, 7), randT(14, 1, 7)}, func(in []*Tensor) *Tensor { return CosineSimilarity(in[0], in[1], 1e-8) }},
	}, 2e-3, 2e-2)
}

func TestGradMatMul(t *testing.T) {
	var cases []gcCase
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		ta, tb := tr[0], tr[1]
		m, k, n := 3, 7, 5
		as := []int{m, k}
		if ta {
			as = []int{k, m}
		}
		bs := []int{k, n}
		if tb {
			bs = []int{n, k}
		}
		tag := fmt.Sprintf("tA=%v,tB=%v", ta, tb)
		cases = append(cases,
			gcCase{"2d-" + tag, []*Tensor{randT(1, as...), randT(2, bs...)}, func(in []*Tensor) *Tensor { return MatMul(in[0], in[1], ta, tb) }},
			gcCase{"batched-" + tag, []*Tensor{randT(3, append([]int{2, 3}, as...)...), randT(4, append([]int{2, 3}, bs...)...)}, func(in []*Tensor) *Tensor { return MatMul(in[0], in[1], ta, tb) }},
			gcCase{"shared-b-" + tag, []*Tensor{randT(5, append([]int{2}, as...)...), randT(6, bs...)}, func(in []*Tensor) *Tensor { return MatMul(in[0], in[1], ta, tb) }},
			gcCase{"broadcast-a-" + tag, []*Tensor{randT(7, append([]int{1, 3}, as...)...), randT(8, append([]int{2, 1}, bs...)...)}, func(in []*Tensor) *Tensor { return MatMul(in[0], in[1], ta, tb) }},
		)
	}
	cases = append(cases,
		gcCase{"odd-17x65x1", []*Tensor{randT(9, 17, 65), randT(10, 65, 1)}, func(in []*Tensor) *Tensor { return MatMul(in[0], in[1], false, false) }},
		gcCase{"linear-bias", []*Tensor{randT(11, 2, 3, 7), randT(12, 5, 7), randT(13, 5)}, func(in []*Tensor) *Tensor { return Linear(in[0], in[1], in[2]) }},
		gcCase{"linear-nobias", []*Tensor{randT(14, 17, 3), randT(15, 1, 3)}, func(in []*Tensor) *Tensor { return Linear(in[0], in[1], nil) }},
	)
	runGradCases(t, cases, 3e-3, 2e-2)
}

func TestGradLosses(t *testing.T) {
	runGradCases(t, []gcCase{
		{"cross-entropy", []*Tensor{randT(1, 7, 5)}, func(in []*Tensor) *Tensor {
			return CrossEntropy(in[0], []int{0, 4, 2, 2, 1, 3, 0}, CrossEntropyOptions{})
		}},
		{"cross-entropy-ignore-smooth", []*Tensor{randT(2, 2, 3, 17)}, func(in []*Tensor) *Tensor {
			return CrossEntropy(in[0], []int{16, -100, 3, 0, -100, 9}, CrossEntropyOptions{IgnoreIndex: -100, UseIgnore: true, LabelSmoothing: 0.1})
		}},
		{"bce-with-logits", []*Tensor{MulScalar(randT(3, 3, 7), 3), RandU(NewRNG(4), 0, 1, 3, 7)}, func(in []*Tensor) *Tensor {
			return BCEWithLogits(in[0], in[1])
		}},
	}, 2e-3, 2e-2)
}

func TestGradAttention(t *testing.T) {
	b, h, tq, tk, d := 2, 3, 5, 7, 4
	q := func(s uint64) *Tensor { return randT(s, b, h, tq, d) }
	k := func(s uint64) *Tensor { return randT(s, b, h, tk, d) }
	v := func(s uint64) *Tensor { return randT(s, b, h, tk, 3) }
	mask := make([]bool, b*tk)
	for i := range mask {
		mask[i] = i%tk < tk-2 || i < tk // batch 0 sees all keys, batch 1 the first tk-2
	}
	runGradCases(t, []gcCase{
		{"plain", []*Tensor{q(1), k(2), v(3)}, func(in []*Tensor) *Tensor {
			return ScaledDotProductAttention(in[0], in[1], in[2], AttentionOptions{})
		}},
		{"causal", []*Tensor{q(4), k(5), v(6)}, func(in []*Tensor) *Tensor {
			return ScaledDotProductAttention(in[0], in[1], in[2], AttentionOptions{Causal: true})
		}},
		{"key-mask", []*Tensor{q(7), k(8), v(9)}, func(in []*Tensor) *Tensor {
			return ScaledDotProductAttention(in[0], in[1], in[2], AttentionOptions{KeyMask: mask})
		}},
		{"causal-mask-bias", []*Tensor{q(10), k(11), v(12), randT(13, 1, h, tq, tk)}, func(in []*Tensor) *Tensor {
			return ScaledDotProductAttention(in[0], in[1], in[2], AttentionOptions{Causal: true, KeyMask: mask, Bias: in[3], Scale: 0.3})
		}},
		{"self-17", []*Tensor{randT(14, 1, 1, 17, 3)}, func(in []*Tensor) *Tensor {
			return ScaledDotProductAttention(in[0], in[0], in[0], AttentionOptions{Causal: true})
		}},
	}, 3e-3, 2e-2)
}

func TestGradCheckpoint(t *testing.T) {
	w1, w2 := randT(1, 7, 5), randT(2, 5, 7)
	w1.SetRequiresGrad(true)
	w2.SetRequiresGrad(true)
	block := func(in []*Tensor) *Tensor {
		hdn := GELU(Linear(in[0], w1, nil))
		return Add(in[0], Linear(hdn, w2, nil))
	}
	runGradCases(t, []gcCase{
		{"checkpoint", []*Tensor{randT(3, 3, 5)}, func(in []*Tensor) *Tensor { return Checkpoint(nil, block, in[0]) }},
	}, 2e-3, 2e-2)
	if w1.Grad() == nil || w2.Grad() == nil {
		t.Fatal("parameters used inside the checkpoint received no gradient")
	}
}

func TestGradMultiHeadAttention(t *testing.T) {
	b, tq, tk, heads := 2, 5, 7, 3
	mask := make([]bool, b*tk)
	for i := range mask {
		mask[i] = i%tk != 3
	}
	runGradCases(t, []gcCase{
		{"mha-cross", []*Tensor{randT(1, b, tq, 6), randT(2, b, tk, 6), randT(3, b, tk, 9)}, func(in []*Tensor) *Tensor {
			return MultiHeadAttention(in[0], in[1], in[2], heads, AttentionOptions{KeyMask: mask})
		}},
		{"mha-self-causal-bias", []*Tensor{randT(4, b, tk, 6), randT(5, 1, heads, tk, tk)}, func(in []*Tensor) *Tensor {
			return MultiHeadAttention(in[0], in[0], in[0], heads, AttentionOptions{Causal: true, Bias: in[1]})
		}},
	}, 3e-3, 2e-2)
}

func TestMultiHeadAttentionMatchesSDPA(t *testing.T) {
	b, tl, heads, d := 2, 5, 3, 4
	x := randT(7, b, tl, heads*d)
	split := func(t *Tensor) *Tensor { return Permute(Reshape(t, b, tl, heads, d), 0, 2, 1, 3) }
	want := Reshape(Permute(ScaledDotProductAttention(split(x), split(x), split(x), AttentionOptions{Causal: true}), 0, 2, 1, 3), b, tl, heads*d)
	got := MultiHeadAttention(x, x, x, heads, AttentionOptions{Causal: true})
	if !bitsEqual(got.Data(), want.Data()) {
		t.Fatal("MultiHeadAttention differs from ScaledDotProductAttention on permuted inputs")
	}
}

func TestGradRotaryAndRepeatHeads(t *testing.T) {
	b, tl, heads, d := 2, 3, 3, 6
	rng := NewRNG(3)
	cos, sin := make([]float32, b*tl*d/2), make([]float32, b*tl*d/2)
	for i := range cos {
		a := rng.Float64() * 6
		cos[i], sin[i] = float32(math.Cos(a)), float32(math.Sin(a))
	}
	runGradCases(t, []gcCase{
		{"rotary", []*Tensor{randT(1, b, tl, heads*d)}, func(in []*Tensor) *Tensor { return Rotary(in[0], cos, sin, heads) }},
		{"repeat-heads", []*Tensor{randT(2, b, tl, 2*5)}, func(in []*Tensor) *Tensor { return RepeatHeads(in[0], 2, 3) }},
		{"gqa-window", []*Tensor{randT(3, b, 7, 4*2), randT(4, b, 7, 2*2)}, func(in []*Tensor) *Tensor {
			kv := RepeatHeads(in[1], 2, 2)
			return MultiHeadAttention(in[0], kv, kv, 4, AttentionOptions{Causal: true, Window: 3})
		}},
	}, 3e-3, 2e-2)
}

// Rotary rotates each head's halves by the given angles (a rotation keeps
// norms; rotating by θ then by −θ through the transpose gives x back), and
// RepeatHeads maps query head h to key head h/groups.
func TestRotaryAndRepeatHeadsValues(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3, 4, 5, 6, 7, 8}, 1, 1, 8) // two heads of 4
	c, s := float32(math.Cos(0.5)), float32(math.Sin(0.5))
	cos, sin := []float32{c, 1}, []float32{s, 0}
	y := Rotary(x, cos, sin, 2).Data()
	want := []float32{1*c - 3*s, 2, 3*c + 1*s, 4, 5*c - 7*s, 6, 7*c + 5*s, 8}
	for i := range want {
		if math.Abs(float64(y[i]-want[i])) > 1e-6 {
			t.Fatalf("rotary %v, want %v", y, want)
		}
	}
	r := RepeatHeads(FromSlice([]float32{1, 2, 3, 4}, 1, 1, 4), 2, 3).Data()
	if fmt.Sprint(r) != "[1 2 1 2 1 2 3 4 3 4 3 4]" {
		t.Fatalf("repeat heads %v", r)
	}
}

// A window equals a mask of the keys it hides.
func TestAttentionWindowMatchesExplicitMask(t *testing.T) {
	b, h, tq, tk, d := 2, 2, 4, 6, 3
	q, k, v := randT(1, b, h, tq, d), randT(2, b, h, tk, d), randT(3, b, h, tk, d)
	bias := Zeros(1, 1, tq, tk)
	for i := 0; i < tq; i++ {
		for j := 0; j < tk; j++ {
			if j > i+tk-tq || i+tk-tq-j >= 3 {
				bias.Set(float32(math.Inf(-1)), 0, 0, i, j)
			}
		}
	}
	got := ScaledDotProductAttention(q, k, v, AttentionOptions{Causal: true, Window: 3})
	want := ScaledDotProductAttention(q, k, v, AttentionOptions{Bias: bias})
	for i, g := range got.Data() {
		if math.Abs(float64(g-want.Data()[i])) > 1e-6 {
			t.Fatalf("element %d: window %v, explicit mask %v", i, g, want.Data()[i])
		}
	}
}

// EmbeddingPadded passes no gradient from the positions holding the
// padding id (PyTorch's padding_idx); the other positions' gradients are
// Embedding's.
func TestEmbeddingPaddedGradient(t *testing.T) {
	w := randT(1, 5, 3).SetRequiresGrad(true)
	ids := []int32{1, 0, 4, 0, 1}
	g := randT(2, 5, 3)
	EmbeddingPadded(nil, w, ids, 0, 5).BackwardWith(g)
	padded := w.Grad().Clone()
	w.ClearGrad()
	Embedding(nil, w, ids, 5).BackwardWith(g)
	full := w.Grad()
	for r := 0; r < 5; r++ {
		for c := 0; c < 3; c++ {
			want := full.At(r, c)
			if r == 0 {
				want = 0
			}
			if got := padded.At(r, c); got != want {
				t.Fatalf("row %d col %d: %v, want %v", r, c, got, want)
			}
		}
	}
}
