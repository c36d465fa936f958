package clip

import (
	"math"

	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/tensor"
)

func init() {
	models.Register(models.Family{ModelType: "clip", Kind: models.KindDualEncoder, Architectures: []string{"CLIPModel"}, Description: "CLIP dual encoder", New: models.Constructor(ParseConfig, New)})
}

// The model is a dual encoder that `vlmtune forward` can run.
var (
	_ models.DualEncoder = (*Model)(nil)
	_ models.Forwarder   = (*Model)(nil)
)

// Family returns "clip".
func (m *Model) Family() string { return "clip" }

// HFConfig returns the configuration.
func (m *Model) HFConfig() any { return &m.Config }

// ImageSize returns vision_config.image_size.
func (m *Model) ImageSize() int { return m.Config.VisionConfig.ImageSize }

// UsesTextMask reports true: CLIP masks padding.
func (m *Model) UsesTextMask() bool { return true }

// Objective returns "contrastive": CLIP's symmetric cross-entropy.
func (m *Model) Objective() string { return "contrastive" }

// Contrast runs CLIPModel.forward, computing only what the embeddings
// depend on unless b.AllTokens.
func (m *Model) Contrast(s *tensor.Scope, b models.PairBatch, wantLoss bool, rng *tensor.RNG) *models.ContrastOutput {
	o := m.Forward(Inputs{InputIDs: b.IDs, AttentionMask: b.Mask, Batch: b.B, SeqLen: b.T, PixelValues: b.Pixels}, wantLoss, Options{Scope: s, RNG: rng, PooledOnly: !b.AllTokens})
	return &models.ContrastOutput{TextEmbeds: o.TextEmbeds, ImageEmbeds: o.ImageEmbeds, LogitsPerText: o.LogitsPerText, LogitsPerImage: o.LogitsPerImage, Loss: o.Loss}
}

// EncodeText returns normalised projected text features.
func (m *Model) EncodeText(s *tensor.Scope, ids []int32, b, t int, mask []int32) *tensor.Tensor {
	return tensor.L2Normalize(m.TextFeatures(s, ids, b, t, mask), 0)
}

// EncodeImage returns normalised projected image features.
func (m *Model) EncodeImage(s *tensor.Scope, pixels *tensor.Tensor) *tensor.Tensor {
	return tensor.L2Normalize(m.ImageFeatures(s, pixels), 0)
}

// Logits returns exp(logit_scale)·image·textᵀ.
func (m *Model) Logits(text, image *tensor.Tensor) *tensor.Tensor {
	return tensor.Mul(tensor.MatMul(image, text, false, true), tensor.Exp(m.LogitScale))
}

// SetCheckpointing switches checkpointing in both towers.
func (m *Model) SetCheckpointing(on bool) {
	m.Text.Encoder.Checkpointing, m.Vision.Encoder.Checkpointing = on, on
}

// AfterStep clamps logit_scale to [0, ln 100] as OpenAI's and open_clip's
// training loops do.
func (m *Model) AfterStep() {
	d := m.LogitScale.Data()
	d[0] = float32(math.Min(math.Max(float64(d[0]), 0), math.Log(100)))
}

// ForwardNamed runs CLIPModel.forward on input_ids, attention_mask
// (optional) and pixel_values and returns CLIPOutput's fields.
func (m *Model) ForwardNamed(s *tensor.Scope, in models.Inputs, wantLoss bool) (map[string]*tensor.Tensor, error) {
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
