package siglip

import (
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// TextModel.Pooled (last layer on the last position only) gives Forward's
// pooled output and the same gradients, with and without a mask.
func TestTextPooledMatchesForward(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "siglip_tiny")
	for _, withMask := range []bool{false, true} {
		m := loadFixture(t, dir)
		nn.SetTrainable(m, true)
		b, tl := 3, 8
		ids := make([]int32, b*tl)
		mask := make([]int32, b*tl)
		for i := range ids {
			ids[i] = int32(3 + (i*7)%50)
			if i%tl < 5+i/tl {
				mask[i] = 1
			}
		}
		if !withMask {
			mask = nil
		}
		w := tensor.RandN(tensor.NewRNG(3), 0, 1, b, m.Text.Head.Weight.Dim(0))
		want := m.Text.Forward(ids, b, tl, mask, Options{}).PoolerOutput
		tensor.SumAll(tensor.Mul(want, w)).Backward()
		wantG := parity.TakeGrads(m.Text)
		got := m.Text.Pooled(ids, b, tl, mask, Options{})
		tensor.SumAll(tensor.Mul(got, w)).Backward()
		parity.CheckTol(t, "pooled output", got, want, 1e-6)
		parity.CheckSameGrads(t, parity.TakeGrads(m.Text), wantG, 1e-5)
	}
}
