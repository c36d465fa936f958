package siglip

import (
	"path/filepath"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// loadFixture builds the fixture model in dir.
func loadFixture(t *testing.T, dir string) *Model {
	return parity.LoadModel(t, dir, ParseConfig, New)
}

func TestParitySiglipTiny(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "siglip_tiny")
	m := loadFixture(t, dir)
	nn.SetTrainable(m, true)
	ref := parity.Open(t, filepath.Join(dir, "reference.safetensors"))
	ids := parity.I32(t, ref, "input_ids")
	mask := parity.I32(t, ref, "attention_mask")
	pixels := parity.F32(t, ref, "pixel_values")
	b, tl := 3, len(ids)/3

	// Main outputs without an attention mask (the SigLIP convention).
	out := m.Forward(Inputs{InputIDs: ids, Batch: b, SeqLen: tl, PixelValues: pixels}, true, Options{WantHidden: true, WantAttentions: true})
	for _, c := range []struct {
		name string
		got  *tensor.Tensor
	}{
		{"text_embeds", out.TextEmbeds}, {"image_embeds", out.ImageEmbeds},
		{"logits_per_image", out.LogitsPerImage}, {"logits_per_text", out.LogitsPerText},
		{"text_last_hidden_state", out.Text.LastHiddenState}, {"text_pooler_output", out.Text.PoolerOutput},
		{"vision_last_hidden_state", out.Vision.LastHiddenState}, {"vision_pooler_output", out.Vision.PoolerOutput},
		{"text_hidden_states", parity.Stack(out.Text.HiddenStates)}, {"vision_hidden_states", parity.Stack(out.Vision.HiddenStates)},
		{"text_attentions", parity.Stack(out.Text.Attentions)}, {"vision_attentions", parity.Stack(out.Vision.Attentions)},
	} {
		parity.Check(t, c.name, c.got, parity.F32(t, ref, c.name))
	}
	quiet := tensor.NewInferenceScope()
	parity.Check(t, "get_text_features", m.TextFeatures(quiet, ids, b, tl, nil), parity.F32(t, ref, "get_text_features"))
	parity.Check(t, "get_image_features", m.ImageFeatures(quiet, pixels), parity.F32(t, ref, "get_image_features"))
	withMask := m.Forward(Inputs{InputIDs: ids, AttentionMask: mask, Batch: b, SeqLen: tl, PixelValues: pixels}, false, Options{Scope: quiet})
	parity.Check(t, "text_embeds_with_mask", withMask.TextEmbeds, parity.F32(t, ref, "text_embeds_with_mask"))
	parity.Check(t, "logits_per_image_with_mask", withMask.LogitsPerImage, parity.F32(t, ref, "logits_per_image_with_mask"))
	parity.CheckLoss(t, out.Loss.Item(), parity.F32(t, ref, "loss").Item())
	out.Loss.Backward()
	parity.CheckGrads(t, m, parity.Open(t, filepath.Join(dir, "grads.safetensors")))
}
