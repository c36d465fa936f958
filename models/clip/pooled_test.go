package clip

import (
	"fmt"
	"math"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// smallText returns a random 2-layer text tower with the given
// end-of-text convention (2: pool at the largest id).
func smallText(t *testing.T, eos int) *Model {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ProjectionDim = 8
	tc := &cfg.TextConfig
	tc.VocabSize, tc.HiddenSize, tc.IntermediateSize, tc.ProjectionDim = 60, 16, 32, 8
	tc.NumHiddenLayers, tc.NumAttentionHeads, tc.MaxPositionEmbeddings = 2, 2, 12
	tc.BosTokenID, tc.EosTokenID, tc.PadTokenID = 57, eos, 1
	vc := &cfg.VisionConfig
	vc.HiddenSize, vc.IntermediateSize, vc.ProjectionDim, vc.NumHiddenLayers, vc.NumAttentionHeads = 16, 32, 8, 1, 2
	vc.ImageSize, vc.PatchSize = 8, 4
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(tensor.NewRNG(3))
	// Init zeroes biases and sets norms to one; randomise them too so that
	// every parameter's gradient is exercised.
	rng := tensor.NewRNG(4)
	nn.VisitParams(m.Text, func(_ string, p **tensor.Tensor) {
		d := (*p).Data()
		for i := range d {
			d[i] += float32(rng.Normal() * 0.05)
		}
	})
	nn.SetTrainable(m, true)
	return m
}

// textBatch makes rows of lengths lens (BOS … EOS, then padding up to tl)
// with their attention masks.
func textBatch(m *Model, lens []int, tl int) (ids, mask []int32) {
	tc := m.Config.TextConfig
	eos := int32(tc.EosTokenID)
	if tc.EosTokenID == 2 {
		eos = 59 // the largest id
	}
	for r, n := range lens {
		for j := 0; j < tl; j++ {
			switch {
			case j == 0:
				ids, mask = append(ids, int32(tc.BosTokenID)), append(mask, 1)
			case j < n-1:
				ids, mask = append(ids, int32(3+(r*7+j*5)%50)), append(mask, 1)
			case j == n-1:
				ids, mask = append(ids, eos), append(mask, 1)
			default:
				ids, mask = append(ids, int32(tc.PadTokenID)), append(mask, 0)
			}
		}
	}
	return ids, mask
}

// checkPooled compares a pooled output and the parameter gradients it
// produced with Forward's: an exact rewrite, so within float32 rounding.
func checkPooled(t *testing.T, got, want *tensor.Tensor, gotG, wantG map[string]*tensor.Tensor) {
	t.Helper()
	parity.CheckTol(t, "pooled output", got, want, 1e-6)
	parity.CheckSameGrads(t, gotG, wantG, 1e-5)
}

// Pooled (packed rows) gives Forward's pooled output and the same
// parameter gradients, for both end-of-text conventions, with and without
// a mask, with a masked token inside a row, and with a row whose pooled
// token is masked (which falls back to Forward).
func TestPooledMatchesForward(t *testing.T) {
	lens := []int{4, 12, 2, 7}
	tl := 12
	for _, eos := range []int{58, 2} {
		for _, mode := range []string{"mask", "nil-mask", "inner-masked-token", "masked-pool"} {
			t.Run(fmt.Sprintf("eos=%d/%s", eos, mode), func(t *testing.T) {
				m := smallText(t, eos)
				ids, mask := textBatch(m, lens, tl)
				switch mode {
				case "nil-mask":
					mask = nil
				case "inner-masked-token":
					mask[1*tl+3] = 0
				case "masked-pool":
					mask[2*tl+1] = 0
				}
				b := len(lens)
				w := tensor.RandN(tensor.NewRNG(9), 0, 1, b, m.Config.TextConfig.HiddenSize)

				want := m.Text.Forward(ids, b, tl, mask, Options{}).PoolerOutput
				tensor.SumAll(tensor.Mul(want, w)).Backward()
				wantG := parity.TakeGrads(m.Text)
				got := m.Text.Pooled(ids, b, tl, mask, Options{})
				tensor.SumAll(tensor.Mul(got, w)).Backward()
				checkPooled(t, got, want, parity.TakeGrads(m.Text), wantG)
			})
		}
	}
}

// Model.Forward with PooledOnly gives the same loss and embeddings.
func TestForwardPooledOnly(t *testing.T) {
	m := smallText(t, 58)
	lens := []int{5, 3, 9}
	ids, mask := textBatch(m, lens, 10)
	pixels := tensor.RandN(tensor.NewRNG(5), 0, 1, 3, 3, 8, 8)
	in := Inputs{InputIDs: ids, AttentionMask: mask, Batch: 3, SeqLen: 10, PixelValues: pixels}
	quiet := tensor.NewInferenceScope()
	a := m.Forward(in, true, Options{Scope: quiet})
	b := m.Forward(in, true, Options{Scope: quiet, PooledOnly: true})
	if d := testutil.RelL2(b.TextEmbeds.Data(), a.TextEmbeds.Data()); d > 1e-6 {
		t.Errorf("text embeddings differ: %g", d)
	}
	if d := testutil.RelL2(b.ImageEmbeds.Data(), a.ImageEmbeds.Data()); d > 1e-6 {
		t.Errorf("image embeddings differ: %g", d)
	}
	if d := math.Abs(float64(a.Loss.Item() - b.Loss.Item())); d > 1e-6 {
		t.Errorf("loss %v vs %v", b.Loss.Item(), a.Loss.Item())
	}
	if b.Text.LastHiddenState != nil || b.Text.PoolerOutput == nil || b.Vision.LastHiddenState != nil || b.Vision.PoolerOutput == nil {
		t.Errorf("PooledOnly output should hold only the pooled outputs")
	}
}

// VisionModel.Pooled (last layer on the class token only) gives Forward's
// pooled output and the same parameter gradients, with and without
// gradient checkpointing.
func TestVisionPooledMatchesForward(t *testing.T) {
	for _, ckpt := range []bool{false, true} {
		t.Run(fmt.Sprintf("checkpointing=%v", ckpt), func(t *testing.T) {
			m := smallText(t, 58)
			rng := tensor.NewRNG(6)
			nn.VisitParams(m.Vision, func(_ string, p **tensor.Tensor) {
				d := (*p).Data()
				for i := range d {
					d[i] += float32(rng.Normal() * 0.05)
				}
			})
			m.Vision.Encoder.Checkpointing = ckpt
			pixels := tensor.RandN(rng, 0, 1, 3, 3, 8, 8)
			w := tensor.RandN(rng, 0, 1, 3, m.Config.VisionConfig.HiddenSize)
			want := m.Vision.Forward(pixels, Options{RNG: tensor.NewRNG(1)}).PoolerOutput
			tensor.SumAll(tensor.Mul(want, w)).Backward()
			wantG := parity.TakeGrads(m.Vision)
			got := m.Vision.Pooled(pixels, Options{RNG: tensor.NewRNG(1)})
			tensor.SumAll(tensor.Mul(got, w)).Backward()
			checkPooled(t, got, want, parity.TakeGrads(m.Vision), wantG)
		})
	}
}
