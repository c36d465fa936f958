package tensor

import (
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

// forceBlocked runs f with the blocked attention path on every size.
func forceBlocked(t *testing.T, block int, f func()) {
	t.Helper()
	oldMin, oldBlock := blockedMinScores, attnQueryBlock
	blockedMinScores, attnQueryBlock = 1, block
	defer func() { blockedMinScores, attnQueryBlock = oldMin, oldBlock }()
	f()
}

// The blocked path gives the materialised path's outputs and gradients.
func TestBlockedAttentionMatchesMaterialised(t *testing.T) {
	b, h, tq, tk, d := 2, 3, 19, 23, 5
	mask := make([]bool, b*tk)
	for i := range mask {
		mask[i] = i%tk < tk-3 || i < tk
	}
	for _, c := range []struct {
		name string
		opt  func(bias *Tensor) AttentionOptions
	}{
		{"plain", func(*Tensor) AttentionOptions { return AttentionOptions{} }},
		{"causal-mask-bias", func(bias *Tensor) AttentionOptions {
			return AttentionOptions{Causal: true, KeyMask: mask, Bias: bias, Scale: 0.4}
		}},
		{"causal-window", func(*Tensor) AttentionOptions { return AttentionOptions{Causal: true, Window: 5} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := func() (out []float32, grads [][]float32) {
				q, k, v := randT(1, b, h, tq, d), randT(2, b, h, tk, d), randT(3, b, h, tk, 4)
				bias := randT(4, 1, h, tq, tk)
				for _, x := range []*Tensor{q, k, v, bias} {
					x.SetRequiresGrad(true)
				}
				o := ScaledDotProductAttention(q, k, v, c.opt(bias))
				o.BackwardWith(randT(5, o.shape...))
				gs := [][]float32{q.Grad().Data(), k.Grad().Data(), v.Grad().Data()}
				if bias.Grad() != nil {
					gs = append(gs, bias.Grad().Data())
				}
				return o.Data(), gs
			}
			wantOut, wantGrads := run()
			var gotOut []float32
			var gotGrads [][]float32
			forceBlocked(t, 4, func() { gotOut, gotGrads = run() })
			if e := testutil.RelL2(gotOut, wantOut); e > 1e-6 {
				t.Fatalf("output relative error %.3g", e)
			}
			for i := range wantGrads {
				if e := testutil.RelL2(gotGrads[i], wantGrads[i]); e > 1e-5 {
					t.Fatalf("gradient %d relative error %.3g", i, e)
				}
			}
		})
	}
}

func TestGradBlockedAttention(t *testing.T) {
	forceBlocked(t, 3, func() {
		runGradCases(t, []gcCase{
			{"blocked-mha-causal", []*Tensor{randT(1, 2, 7, 6), randT(2, 2, 7, 6), randT(3, 2, 7, 6)}, func(in []*Tensor) *Tensor {
				return MultiHeadAttention(in[0], in[1], in[2], 2, AttentionOptions{Causal: true})
			}},
		}, 3e-3, 2e-2)
	})
}

// Long sequences do not hold the B·H·T² probabilities for backward.
func TestBlockedAttentionMemory(t *testing.T) {
	q := randT(1, 1, 2, 512, 8).SetRequiresGrad(true)
	sc := NewScope()
	peak, _ := sc.TrackMemory(func() {
		x := sc.In(q)
		o := ScaledDotProductAttention(x, x, x, AttentionOptions{Causal: true})
		SumAll(o).Backward()
	})
	full := int64(2 * 512 * 512 * 4) // the probabilities alone
	if peak >= full {
		t.Fatalf("peak live bytes %d, not below the %d bytes of materialised probabilities", peak, full)
	}
	t.Logf("peak %d bytes (materialised probabilities alone: %d)", peak, full)
}
