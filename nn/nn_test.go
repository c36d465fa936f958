package nn

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/tensor"
)

type twoLinears struct {
	A, B  *Linear
	Scale *tensor.Tensor
}

func (m *twoLinears) Declare(d *Decl) {
	d.Module("a", m.A)
	d.Module("b", m.B)
	d.Param("scale", &m.Scale)
}

func newTwo() *twoLinears {
	return &twoLinears{A: NewLinear(3, 2, true), B: NewLinear(2, 1, false), Scale: tensor.Scalar(0)}
}

func TestLoadStateStrict(t *testing.T) {
	src := MapSource{
		"a.weight": tensor.Ones(2, 3), "a.bias": tensor.Full(2, 2), "b.weight": tensor.Full(3, 1, 2),
		"scale": tensor.Full(7, 1), // [1] loads into a scalar []
	}
	m := newTwo()
	if err := LoadState(m, src, "src", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if m.Scale.Item() != 7 || m.B.Weight.Data()[1] != 3 || m.A.Bias.Data()[0] != 2 {
		t.Fatal("values not loaded")
	}
	bad := MapSource{"a.weight": tensor.Ones(3, 3), "b.weight": tensor.Ones(1, 2), "extra": tensor.Ones(1), "scale": tensor.Ones(2)}
	m2 := newTwo()
	err := LoadState(m2, bad, "bad.safetensors", LoadOptions{})
	var ke *hf.KeyError
	if !errors.As(err, &ke) || !strings.HasPrefix(err.Error(), "bad.safetensors: ") {
		t.Fatalf("error %v", err)
	}
	if len(ke.Missing) != 1 || ke.Missing[0] != "a.bias" || len(ke.Unexpected) != 1 || ke.Unexpected[0] != "extra" || len(ke.Mismatched) != 2 {
		t.Fatalf("key error %+v", ke)
	}
	if m2.B.Weight.Data()[0] != 0 {
		t.Fatal("a failed load modified the model")
	}
	// Allowed omissions and ignored extras.
	partial := MapSource{"a.weight": tensor.Ones(2, 3), "b.weight": tensor.Ones(1, 2), "scale": tensor.Scalar(1), "optimizer.x": tensor.Ones(1)}
	if err := LoadState(newTwo(), partial, "p", LoadOptions{AllowMissing: []string{"a.bias"}, IgnoreUnexpected: []string{"optimizer."}}); err != nil {
		t.Fatal(err)
	}
}

// PatchEmbed equals a direct stride-P convolution.
func TestPatchEmbedIsAConvolution(t *testing.T) {
	rng := tensor.NewRNG(1)
	p := NewPatchEmbed(3, 5, 4, true)
	p.Weight.CopyFrom(tensor.RandN(rng, 0, 1, 5, 3, 4, 4))
	p.Bias.CopyFrom(tensor.RandN(rng, 0, 1, 5))
	x := tensor.RandN(rng, 0, 1, 2, 3, 8, 12)
	got := p.Forward(x) // [2, 6, 5]
	for b := 0; b < 2; b++ {
		for gy := 0; gy < 2; gy++ {
			for gx := 0; gx < 3; gx++ {
				for o := 0; o < 5; o++ {
					s := float64(p.Bias.At(o))
					for c := 0; c < 3; c++ {
						for ky := 0; ky < 4; ky++ {
							for kx := 0; kx < 4; kx++ {
								s += float64(p.Weight.At(o, c, ky, kx)) * float64(x.At(b, c, gy*4+ky, gx*4+kx))
							}
						}
					}
					if g := got.At(b, gy*3+gx, o); math.Abs(float64(g)-s) > 1e-4 {
						t.Fatalf("patch (%d,%d) channel %d: %v, want %v", gy, gx, o, g, s)
					}
				}
			}
		}
	}
}

type fixedPrefix struct{ k, v *tensor.Tensor }

func (f fixedPrefix) Declare(*Decl)                        {}
func (f fixedPrefix) KV() (*tensor.Tensor, *tensor.Tensor) { return f.k, f.v }

// A prefix key whose value is huge dominates every query, including
// padded batches (the prefix is never masked).
func TestAttentionPrefixIsAlwaysVisible(t *testing.T) {
	a := NewAttention(4, 1, testAttentionNames)
	for _, l := range []*Linear{a.Q, a.K, a.V, a.Out} {
		for i := 0; i < 4; i++ {
			l.Weight.Set(1, i, i)
		}
	}
	a.Prefix = fixedPrefix{k: tensor.Full(10, 1, 4), v: tensor.Full(5, 1, 4)}
	x := tensor.Ones(2, 3, 4)
	mask := []bool{true, true, true, true, false, false}
	y := a.Forward(x, AttentionInput{Causal: true, KeyMask: mask})
	for _, v := range y.Data() {
		if math.Abs(float64(v)-5) > 1e-3 {
			t.Fatalf("output %v, want ≈5 everywhere (the prefix value)", y.Data())
		}
	}
}

func TestWalkNamesAndCounts(t *testing.T) {
	e := NewEncoder(EncoderSpec{Layers: 2, Dim: 4, Hidden: 8, Heads: 2, Act: tensor.ActGELU, Eps: 1e-5, Names: testEncoderNames})
	var names []string
	Walk(e, func(name string, _ Module) { names = append(names, name) })
	joined := strings.Join(names, ",")
	for _, want := range []string{"layers.0.self_attn.q_proj", "layers.1.mlp.fc2", "layers.1.layer_norm2"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("walk names %v lack %s", names, want)
		}
	}
	tr, tot := CountParams(e)
	perLayer := int64(4*(4*4+4) + 2*4 + 4*8 + 8 + 8*4 + 4 + 2*4)
	if tot != 2*perLayer || tr != 0 {
		t.Fatalf("counts %d/%d, want 0/%d", tr, tot, 2*perLayer)
	}
	SetTrainable(e, true)
	if tr, _ := CountParams(e); tr != tot {
		t.Fatal("SetTrainable did not mark every parameter")
	}
}

// CLIP's names, for the tests.
var (
	testAttentionNames = AttentionNames{Q: "q_proj", K: "k_proj", V: "v_proj", Out: "out_proj"}
	testEncoderNames   = EncoderNames{Layers: "layers", Layer: LayerNames{LN1: "layer_norm1", Attn: "self_attn", LN2: "layer_norm2", MLP: "mlp",
		Attention: testAttentionNames, MLPLayers: MLPNames{FC1: "fc1", FC2: "fc2"}}}
)
