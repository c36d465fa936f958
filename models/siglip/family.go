package siglip

import (
	"fmt"

	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/tensor"
)

func init() {
	models.Register(models.Family{ModelType: "siglip", Kind: models.KindDualEncoder, Architectures: []string{"SiglipModel"}, Description: "SigLIP dual encoder", New: models.Constructor(ParseConfig, New)})
}

// The model is a dual encoder that `vlmtune forward` can run.
var (
	_ models.DualEncoder = (*Model)(nil)
	_ models.Forwarder   = (*Model)(nil)
)

// Family returns "siglip".
func (m *Model) Family() string { return "siglip" }

// HFConfig returns the configuration.
func (m *Model) HFConfig() any { return &m.Config }

// ImageSize returns vision_config.image_size.
func (m *Model) ImageSize() int { return m.Config.VisionConfig.ImageSize }

// UsesTextMask reports false: SigLIP is trained on max-length padded text
// without a mask.
func (m *Model) UsesTextMask() bool { return false }

// Objective returns "sigmoid": SigLIP's pairwise sigmoid loss.
func (m *Model) Objective() string { return "sigmoid" }

// Contrast runs SiglipModel.forward, computing in the last text layer only
// the pooled token unless b.AllTokens.
func (m *Model) Contrast(s *tensor.Scope, b models.PairBatch, wantLoss bool, rng *tensor.RNG) *models.ContrastOutput {
	o := m.Forward(Inputs{InputIDs: b.IDs, AttentionMask: b.Mask, Batch: b.B, SeqLen: b.T, PixelValues: b.Pixels}, wantLoss, Options{Scope: s, RNG: rng, PooledOnly: !b.AllTokens})
	return &models.ContrastOutput{TextEmbeds: o.TextEmbeds, ImageEmbeds: o.ImageEmbeds, LogitsPerText: o.LogitsPerText, LogitsPerImage: o.LogitsPerImage, Loss: o.Loss}
}

// EncodeText returns normalised text features.
func (m *Model) EncodeText(s *tensor.Scope, ids []int32, b, t int, mask []int32) *tensor.Tensor {
	return tensor.L2Normalize(m.TextFeatures(s, ids, b, t, mask), 0)
}

// EncodeImage returns normalised image features.
func (m *Model) EncodeImage(s *tensor.Scope, pixels *tensor.Tensor) *tensor.Tensor {
	return tensor.L2Normalize(m.ImageFeatures(s, pixels), 0)
}

// Logits returns exp(logit_scale)·image·textᵀ + logit_bias.
func (m *Model) Logits(text, image *tensor.Tensor) *tensor.Tensor {
	return tensor.Add(tensor.Mul(tensor.MatMul(image, text, false, true), tensor.Exp(m.LogitScale)), m.LogitBias)
}

// SetCheckpointing switches checkpointing in both towers.
func (m *Model) SetCheckpointing(on bool) {
	m.Text.Encoder.Checkpointing, m.Vision.Encoder.Checkpointing = on, on
}

// AfterStep does nothing: SigLIP's reference training leaves the
// temperature unclamped.
func (m *Model) AfterStep() {}

// ForwardNamed runs SiglipModel.forward on input_ids, attention_mask
// (optional; SigLIP is trained without one) and pixel_values and returns
// SiglipOutput's fields.
func (m *Model) ForwardNamed(s *tensor.Scope, in models.Inputs, wantLoss bool) (map[string]*tensor.Tensor, error) {
	if m.Vision.Head == nil {
		return nil, fmt.Errorf("the vision tower has no pooling head (vision_use_head is false), so the model has no image embeddings")
	}
	b, err := models.PairInputs(in, m.Config.TextConfig.VocabSize, m.MaxTextLen(), m.ImageSize())
	if err != nil {
		return nil, err
	}
	o := m.Forward(Inputs{InputIDs: b.IDs, AttentionMask: b.Mask, Batch: b.B, SeqLen: b.T, PixelValues: b.Pixels}, wantLoss, Options{Scope: s})
	return models.DualOutputs{
		TextEmbeds: o.TextEmbeds, ImageEmbeds: o.ImageEmbeds, LogitsPerImage: o.LogitsPerImage, LogitsPerText: o.LogitsPerText, Loss: o.Loss,
		TextLastHiddenState: o.Text.LastHiddenState, TextPoolerOutput: o.Text.PoolerOutput,
		VisionLastHiddenState: o.Vision.LastHiddenState, VisionPoolerOutput: o.Vision.PoolerOutput,
	}.Named(), nil
}
