package nn

import (
	"slices"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/tensor"
)

// bertNames are BERT-style names, nested and dotted, to show that blocks
// take their names from the family.
var bertNames = EncoderNames{Layers: "layer", Layer: LayerNames{
	LN1: "attention.output.LayerNorm", Attn: "attention", LN2: "output.LayerNorm", MLP: "mlp",
	Attention: AttentionNames{Q: "self.query", K: "self.key", V: "self.value", Out: "output.dense"},
	MLPLayers: MLPNames{FC1: "intermediate.dense", FC2: "output.dense"},
}}

type stubAdapter struct{ W *tensor.Tensor }

func (a *stubAdapter) Declare(d *Decl)                               { d.Param("w", &a.W) }
func (a *stubAdapter) Forward(x, base *tensor.Tensor) *tensor.Tensor { return base }

// One declaration gives the parameter names, the module walk and the
// extension marks.
func TestDeclarationDrivesNamesWalkAndExtensions(t *testing.T) {
	e := NewEncoder(EncoderSpec{Layers: 2, Dim: 4, Hidden: 8, Heads: 2, Act: tensor.ActGELU, Eps: 1e-5, Names: bertNames})
	names := ParamNames(e)
	for _, want := range []string{"layer.0.attention.self.query.weight", "layer.1.attention.output.dense.bias",
		"layer.0.attention.output.LayerNorm.weight", "layer.1.mlp.intermediate.dense.weight", "layer.1.mlp.output.dense.bias"} {
		if !slices.Contains(names, want) {
			t.Errorf("no parameter %s in %v", want, names)
		}
	}
	if len(names) != 2*16 {
		t.Errorf("%d parameters, want 32", len(names))
	}
	// Extensions: their parameters are named and marked, and Walk does
	// not enter them.
	e.Layers[1].Attn.Q.Adapter = &stubAdapter{W: tensor.Zeros(2)}
	e.Layers[0].AttnAdapter = residual{&stubAdapter{W: tensor.Zeros(3)}}
	if got, want := ExtensionNames(e), []string{"layer.0.attn_adapter.w", "layer.1.attention.self.query.w"}; !slices.Equal(got, want) {
		t.Errorf("extensions %v, want %v", got, want)
	}
	var walked []string
	Walk(e, func(name string, _ Module) { walked = append(walked, name) })
	if walked[0] != "" || !slices.Contains(walked, "layer.1.attention.self.query") || slices.Contains(walked, "layer.0.attn_adapter") {
		t.Errorf("walk %v", walked)
	}
	// A base-only load neither expects nor touches the extensions.
	src := MapSource{}
	for n, p := range Params(e) {
		if !strings.HasSuffix(n, ".w") {
			src[n] = tensor.Full(1, p.Shape()...)
		}
	}
	if err := LoadState(e, src, "src", LoadOptions{SkipExtensions: true}); err != nil {
		t.Fatal(err)
	}
	if err := LoadState(e, src, "src", LoadOptions{}); err == nil || !strings.Contains(err.Error(), "layer.0.attn_adapter.w") {
		t.Errorf("a full load without the extensions: %v", err)
	}
}

type residual struct{ *stubAdapter }

func (r residual) Forward(h *tensor.Tensor) *tensor.Tensor { return h }

// A family that leaves a child name empty is a programming error.
func TestEmptyNamesPanic(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "empty child name") {
			t.Fatalf("recovered %v", r)
		}
	}()
	NewAttention(4, 1, AttentionNames{Q: "q", K: "k", V: "v"})
}
