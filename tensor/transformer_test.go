package tensor

import (
	"math"
	"runtime"
	"testing"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// tinyBlock is a pre-LayerNorm transformer block (CLIP's layout).
type tinyBlock struct {
	ln1w, ln1b, qw, qb, kw, kb, vw, vb, ow, ob, ln2w, ln2b, f1w, f1b, f2w, f2b *Tensor
}

func newTinyBlock(rng *RNG, c, hidden int) *tinyBlock {
	p := func(shape ...int) *Tensor { return RandN(rng, 0, 0.2, shape...).SetRequiresGrad(true) }
	ln := func() *Tensor { return AddScalar(RandN(rng, 0, 0.1, c), 1).Detach().SetRequiresGrad(true) }
	return &tinyBlock{
		ln1w: ln(), ln1b: p(c), qw: p(c, c), qb: p(c), kw: p(c, c), kb: p(c), vw: p(c, c), vb: p(c),
		ow: p(c, c), ob: p(c), ln2w: ln(), ln2b: p(c), f1w: p(hidden, c), f1b: p(hidden), f2w: p(c, hidden), f2b: p(c),
	}
}

func (b *tinyBlock) params() []*Tensor {
	return []*Tensor{b.ln1w, b.ln1b, b.qw, b.qb, b.kw, b.kb, b.vw, b.vb, b.ow, b.ob, b.ln2w, b.ln2b, b.f1w, b.f1b, b.f2w, b.f2b}
}

func (b *tinyBlock) forward(x *Tensor, heads int, mask []bool, rng *RNG) *Tensor {
	bs, tl, c := x.Dim(0), x.Dim(1), x.Dim(2)
	hd := c / heads
	split := func(t *Tensor) *Tensor { return Permute(Reshape(t, bs, tl, heads, hd), 0, 2, 1, 3) }
	h := LayerNorm(x, b.ln1w, b.ln1b, 1e-5)
	q, k, v := split(Linear(h, b.qw, b.qb)), split(Linear(h, b.kw, b.kb)), split(Linear(h, b.vw, b.vb))
	a := ScaledDotProductAttention(q, k, v, AttentionOptions{Causal: true, KeyMask: mask})
	a = Reshape(Permute(a, 0, 2, 1, 3), bs, tl, c)
	x = Add(x, Dropout(Linear(a, b.ow, b.ob), 0.1, rng))
	h = LayerNorm(x, b.ln2w, b.ln2b, 1e-5)
	h = Linear(QuickGELU(Linear(h, b.f1w, b.f1b)), b.f2w, b.f2b)
	return Add(x, h)
}

type tinyModel struct {
	emb    *Tensor
	blocks []*tinyBlock
	lnw    *Tensor
}

func newTinyModel(seed uint64, vocab, c, hidden, layers int) *tinyModel {
	rng := NewRNG(seed)
	m := &tinyModel{emb: RandN(rng, 0, 0.5, vocab, c).SetRequiresGrad(true), lnw: Ones(c).SetRequiresGrad(true)}
	for i := 0; i < layers; i++ {
		m.blocks = append(m.blocks, newTinyBlock(rng, c, hidden))
	}
	return m
}

func (m *tinyModel) params() []*Tensor {
	ps := []*Tensor{m.emb, m.lnw}
	for _, b := range m.blocks {
		ps = append(ps, b.params()...)
	}
	return ps
}

// loss runs the model on ids [B, T] and returns a next-token cross-entropy.
func (m *tinyModel) loss(sc *Scope, ids []int32, bs, tl int, mask []bool, checkpoint bool, rng *RNG) *Tensor {
	x := Embedding(sc, m.emb, ids, bs, tl)
	for _, b := range m.blocks {
		if checkpoint {
			x = Checkpoint(rng, func(in []*Tensor) *Tensor { return b.forward(in[0], 2, mask, rng) }, x)
		} else {
			x = b.forward(x, 2, mask, rng)
		}
	}
	x = LayerNorm(x, m.lnw, nil, 1e-5)
	logits := MatMul(x, m.emb, false, true)
	targets := make([]int, len(ids))
	for i := range ids {
		if i%tl == tl-1 || !mask[i] {
			targets[i] = -100
		} else {
			targets[i] = int(ids[i+1])
		}
	}
	return CrossEntropy(logits, targets, CrossEntropyOptions{IgnoreIndex: -100, UseIgnore: true})
}

func tinyBatch(bs, tl, vocab int) ([]int32, []bool) {
	rng := NewRNG(3)
	ids := make([]int32, bs*tl)
	mask := make([]bool, bs*tl)
	for i := range ids {
		ids[i] = int32(rng.Intn(vocab))
		mask[i] = i%tl < tl-i/tl // later rows are shorter (padding)
	}
	return ids, mask
}

// step returns the loss and copies of every parameter gradient.
func step(m *tinyModel, checkpoint bool) (float32, [][]float32) {
	return stepIn(nil, m, checkpoint)
}

// stepIn runs step in scope sc.
func stepIn(sc *Scope, m *tinyModel, checkpoint bool) (float32, [][]float32) {
	const bs, tl, vocab = 3, 7, 17
	ids, mask := tinyBatch(bs, tl, vocab)
	for _, p := range m.params() {
		p.ClearGrad()
	}
	loss := m.loss(sc, ids, bs, tl, mask, checkpoint, NewRNG(11))
	loss.Backward()
	var grads [][]float32
	for _, p := range m.params() {
		grads = append(grads, append([]float32(nil), p.Grad().Data()...))
	}
	return loss.Item(), grads
}

func bitsEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestCheckpointBitwiseAndMemory(t *testing.T) {
	m := newTinyModel(1, 17, 16, 64, 2)
	l1, g1 := step(m, false)
	l2, g2 := step(m, true)
	if math.Float32bits(l1) != math.Float32bits(l2) {
		t.Fatalf("loss differs: plain %v, checkpointed %v", l1, l2)
	}
	for i := range g1 {
		if !bitsEqual(g1[i], g2[i]) {
			t.Fatalf("gradient of parameter %d differs with checkpointing", i)
		}
	}

	peak := func(checkpoint bool) int64 {
		sc := NewScope()
		p, _ := sc.TrackMemory(func() { stepIn(sc, m, checkpoint) })
		return p
	}
	plain, ckpt := peak(false), peak(true)
	// In a scope (with its pool), the results are the same bit for bit.
	l3, g3 := stepIn(NewScope(), m, true)
	if math.Float32bits(l1) != math.Float32bits(l3) {
		t.Fatalf("loss differs in a scope: %v, %v", l1, l3)
	}
	for i := range g1 {
		if !bitsEqual(g1[i], g3[i]) {
			t.Fatalf("gradient of parameter %d differs in a scope", i)
		}
	}
	t.Logf("peak live tensor bytes: plain %d, checkpointed %d", plain, ckpt)
	if ckpt >= plain {
		t.Fatalf("checkpointing did not lower peak live bytes: plain %d, checkpointed %d", plain, ckpt)
	}
}

func TestDeterminismAcrossRunsAndWorkers(t *testing.T) {
	defer kernels.SetWorkers(0)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	results := map[int][][]float32{}
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		kernels.SetWorkers(procs)
		var first [][]float32
		for run := 0; run < 2; run++ {
			// Larger sizes so that the kernels really split work.
			m := newTinyModel(5, 17, 64, 256, 2)
			l, g := step(m, false)
			all := append([][]float32{{l}}, g...)
			if run == 0 {
				first = all
				continue
			}
			for i := range all {
				if !bitsEqual(first[i], all[i]) {
					t.Fatalf("GOMAXPROCS=%d: run 2 differs from run 1 in output %d", procs, i)
				}
			}
		}
		results[procs] = first
	}
	// The kernels split by shape only, so even 1 and 2 workers agree.
	for i := range results[1] {
		if !bitsEqual(results[1][i], results[2][i]) {
			t.Logf("note: 1 and 2 workers differ in output %d (allowed, but unexpected)", i)
		}
	}
}

// Scopes belong to their callers: a training step in one goroutine and
// no-grad forward passes in another, each in its own scope, give what
// each gives alone, bit for bit (run under the race detector in CI).
func TestScopesAreIndependentAcrossGoroutines(t *testing.T) {
	m := newTinyModel(3, 17, 16, 64, 2)
	const bs, tl, vocab = 3, 7, 17
	ids, mask := tinyBatch(bs, tl, vocab)
	forward := func() []float32 {
		sc := NewInferenceScope()
		l := m.loss(sc, ids, bs, tl, mask, false, NewRNG(11))
		if l.RequiresGrad() {
			t.Error("a forward pass in a no-grad scope recorded a graph")
		}
		return append([]float32(nil), l.Data()...)
	}
	wantLoss, wantGrads := stepIn(NewScope(), m, true)
	wantForward := forward()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			if got := forward(); !bitsEqual(got, wantForward) {
				t.Errorf("forward pass %d differs while another goroutine trains", i)
				return
			}
		}
	}()
	for i := 0; i < 5; i++ {
		l, g := stepIn(NewScope(), m, i%2 == 0)
		if math.Float32bits(l) != math.Float32bits(wantLoss) {
			t.Fatalf("step %d: loss %v, alone %v", i, l, wantLoss)
		}
		for j := range g {
			if !bitsEqual(g[j], wantGrads[j]) {
				t.Fatalf("step %d: gradient %d differs while another goroutine runs inference", i, j)
			}
		}
	}
	<-done
}
