package tensor

import "testing"

// A training loop whose shapes change every step (packed text of varying
// length) must not grow the pool without bound, while a loop with fixed
// shapes keeps reusing its buffers.
func TestPoolDropsLengthsOfPastSteps(t *testing.T) {
	sc := NewScope()
	w := RandN(NewRNG(1), 0, 1, 64, 64).SetRequiresGrad(true)
	step := func(rows int) {
		x := sc.In(RandN(NewRNG(uint64(rows)), 0, 1, rows, 64))
		h := Tanh(MatMul(x, w, false, false))
		SumAll(Mul(h, h)).Backward()
		w.ZeroGrad()
	}
	// Fixed shapes: after a warm-up step the pool holds the same buffers.
	step(100)
	fixed := sc.PooledBytes()
	if fixed == 0 {
		t.Fatal("nothing was pooled; the test needs intermediate gradients of at least poolMinLen floats")
	}
	for i := 0; i < 5; i++ {
		step(100)
	}
	if got := sc.PooledBytes(); got != fixed {
		t.Errorf("fixed shapes: pool holds %d bytes after 6 steps, %d after one", got, fixed)
	}
	// Changing shapes: at most the last two steps' lengths stay.
	var peak int64
	for rows := 101; rows < 160; rows++ {
		step(rows)
		peak = max(peak, sc.PooledBytes())
	}
	if limit := 3 * fixed * 160 / 100; peak > limit {
		t.Errorf("varying shapes: pool grew to %d bytes (one step of 100 rows pools %d)", peak, fixed)
	}
	sizes := sc.pool.classes()
	if sizes > 8 {
		t.Errorf("pool keeps %d lengths after 60 steps of changing shapes", sizes)
	}
}

func TestPoolClasses(t *testing.T) {
	prev := poolClass(poolMinLen)
	for n := poolMinLen + 1; n < 1<<22; n += 1 + n/97 {
		c := poolClass(n)
		if c < prev || c > prev+1 {
			t.Fatalf("class(%d) = %d after %d: classes must not decrease or skip", n, c, prev)
		}
		prev = c
	}
	// Lengths in one class are within 2^(1/16) of each other.
	for _, n := range []int{1024, 1500, 4096, 100000, 1 << 20} {
		lo, hi := n, n
		for lo > 1 && poolClass(lo-1) == poolClass(n) {
			lo--
		}
		for poolClass(hi+1) == poolClass(n) {
			hi++
		}
		if r := float64(hi) / float64(lo); r > 1.04428 {
			t.Errorf("class of %d spans [%d, %d], ratio %.4f", n, lo, hi, r)
		}
	}
}

// A pooled buffer serves a smaller request of its class: the caller gets
// exactly n zeroed floats whose capacity ends at n.
func TestPoolServesSmallerRequests(t *testing.T) {
	sc := NewScope()
	b := make([]float32, 2000)
	for i := range b {
		b[i] = 1
	}
	sc.release(b)
	got := sc.pool.get(1990, true)
	if got == nil || len(got) != 1990 || cap(got) != 1990 {
		t.Fatalf("pool.get(1990) = len %d cap %d, want a pooled buffer of 1990", len(got), cap(got))
	}
	for i, v := range got {
		if v != 0 {
			t.Fatalf("element %d = %v, want 0", i, v)
		}
	}
	if sc.PooledBytes() != 0 {
		t.Errorf("pool still holds %d bytes", sc.PooledBytes())
	}
	sc.release(make([]float32, 1990))
	if sc.pool.get(2000, true) != nil && poolClass(2000) == poolClass(1990) {
		t.Errorf("a 1990-float buffer served a request for 2000")
	}
}

// Linear writes every element of its (unzeroed, recycled) output and input
// gradient: stale pool contents must not leak into either.
func TestLinearOverwritesRecycledBuffers(t *testing.T) {
	sc := NewScope()
	const rows, in, out = 40, 33, 50 // 2000 and 1320 floats: both pooled sizes
	rng := NewRNG(2)
	x := RandN(rng, 0, 1, rows, in).SetRequiresGrad(true)
	w := RandN(rng, 0, 1, out, in)
	for _, bias := range []*Tensor{nil, RandN(rng, 0, 1, out)} {
		want := MatMul(x.Detach(), w, false, true)
		if bias != nil {
			want = Add(want, bias)
		}
		for _, n := range []int{rows * out, rows * in} {
			junk := make([]float32, n)
			for i := range junk {
				junk[i] = float32(i%7) - 1e6
			}
			sc.release(junk)
		}
		y := Linear(sc.In(x), w, bias)
		for i, v := range y.Data() {
			if d := v - want.Data()[i]; d > 1e-4 || d < -1e-4 {
				t.Fatalf("bias %v: output %d = %v, want %v", bias != nil, i, v, want.Data()[i])
			}
		}
		SumAll(y).Backward()
		// d/dx of Σ x·wᵀ is Σ_out w[out, :] for every row.
		for r := 0; r < rows; r++ {
			for j := 0; j < in; j++ {
				var s float32
				for o := 0; o < out; o++ {
					s += w.Data()[o*in+j]
				}
				if d := x.Grad().Data()[r*in+j] - s; d > 1e-3 || d < -1e-3 {
					t.Fatalf("input gradient [%d,%d] = %v, want %v", r, j, x.Grad().Data()[r*in+j], s)
				}
			}
		}
		x.ClearGrad()
	}
}
