package nn

import (
	"math"
	"testing"
)

// The inverse frequencies of every rope_scaling type equal those of
// transformers v4.44's modeling_rope_utils (head dim 16, max positions 32;
// the expected values were computed by its _compute_*_parameters functions
// with PyTorch 1.13).
func TestRoPEScalingsMatchTransformers(t *testing.T) {
	for _, c := range []struct {
		name    string
		base    float64
		scaling RoPEScaling
		maxPos  int // the largest position of the call (dynamic: seq_len − 1)
		want    []float64
	}{
		{"default", 10000, RoPEScaling{}, 10, []float64{1.0, 0.3162277638912201, 0.10000000149011612, 0.03162277862429619, 0.009999999776482582, 0.003162277862429619, 0.0010000000474974513, 0.0003162277862429619}},
		{"linear", 10000, RoPEScaling{Type: "linear", Factor: 4}, 10, []float64{0.25, 0.07905694097280502, 0.02500000037252903, 0.007905694656074047, 0.0024999999441206455, 0.0007905694656074047, 0.0002500000118743628, 7.905694656074047e-05}},
		{"dynamic within max positions", 10000, RoPEScaling{Type: "dynamic", Factor: 2}, 20, []float64{1.0, 0.3162277638912201, 0.10000000149011612, 0.03162277862429619, 0.009999999776482582, 0.003162277862429619, 0.0010000000474974513, 0.0003162277862429619}},
		{"dynamic past max positions (seq_len 80)", 10000, RoPEScaling{Type: "dynamic", Factor: 2}, 79, []float64{1.0, 0.25941282510757446, 0.06729500740766525, 0.01745718903839588, 0.0045286184176802635, 0.0011747815879061818, 0.0003047533973585814, 7.905694656074047e-05}},
		{"llama3", 500000, RoPEScaling{Type: "llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositions: 8}, 10, []float64{0.20469485223293304, 0.024240344762802124, 0.004700753837823868, 0.0009115831344388425, 0.00017677668074611574, 3.428102354519069e-05, 6.647869668086059e-06, 1.289173155782919e-06}},
	} {
		r, err := NewRoPE(16, c.base, 32, c.scaling)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := r.InvFreq(c.maxPos)
		for i, w := range c.want {
			if math.Abs(float64(got[i])-w) > 1e-6*math.Abs(w) {
				t.Errorf("%s: inv_freq[%d] = %g, want %g", c.name, i, got[i], w)
			}
		}
	}
	if _, err := NewRoPE(16, 10000, 32, RoPEScaling{Type: "yarn", Factor: 2}); err == nil {
		t.Error("an unsupported rope_scaling type is accepted")
	}
}
