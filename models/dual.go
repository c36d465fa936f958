package models

import (
	"math"

	"github.com/vlmtune/vlmtune/models/clip"
	"github.com/vlmtune/vlmtune/models/siglip"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// Batch is one batch of paired texts and images.
type Batch struct {
	IDs    []int32 // [B, T] token ids
	Mask   []int32 // [B, T] attention mask (1 token, 0 padding), or nil
	B, T   int
	Pixels *tensor.Tensor // [B, 3, H, W]
	// AllTokens makes Contrast compute every position of both towers, as
	// transformers does. By default CLIP computes only what the embeddings
	// depend on (text rows packed up to their pooled token, the last layers
	// on the pooled tokens only: clip.TextModel.Pooled and
	// clip.VisionModel.Pooled; SigLIP: the last text layer on the pooled
	// token only, siglip.TextModel.Pooled): the same loss and gradients up
	// to float32 rounding, with less work.
	AllTokens bool
}

// ContrastOutput is the result of a contrastive forward pass.
type ContrastOutput struct {
	TextEmbeds, ImageEmbeds       *tensor.Tensor // L2-normalised [B, D]
	LogitsPerText, LogitsPerImage *tensor.Tensor // [B_txt, B_img] and its transpose
	Loss                          *tensor.Tensor // when requested
}

// DualEncoder is a CLIP-style model with an image and a text tower.
type DualEncoder interface {
	nn.Walker
	// Family is the model_type: "clip" or "siglip".
	Family() string
	Layout() nn.Layout
	SetTextPrompt(nn.TextPrompt) error
	SetVisualPrompt(nn.VisualPrompt) error
	// MaxTextLen is how many text tokens fit (after prompt tokens).
	MaxTextLen() int
	// ImageSize is the side of the square input images.
	ImageSize() int
	// UsesTextMask reports whether the model was trained with an attention
	// mask on the text (CLIP) or on max-length padded text without one
	// (SigLIP).
	UsesTextMask() bool
	// Contrast runs both towers and the family's loss when wantLoss.
	// rng drives dropout inside checkpointed layers (may be nil).
	Contrast(b Batch, wantLoss bool, rng *tensor.RNG) *ContrastOutput
	// EncodeText returns L2-normalised text embeddings [B, D].
	EncodeText(ids []int32, b, t int, mask []int32) *tensor.Tensor
	// EncodeImage returns L2-normalised image embeddings [B, D].
	EncodeImage(pixels *tensor.Tensor) *tensor.Tensor
	// Logits scores normalised text embeddings [N, D] against image
	// embeddings [M, D], returning logits per image [M, N] with the
	// model's temperature (and bias).
	Logits(text, image *tensor.Tensor) *tensor.Tensor
	// Loss is the family's training loss on logits per text [N, N].
	Loss(logitsPerText *tensor.Tensor) *tensor.Tensor
	// SetCheckpointing turns gradient checkpointing of every encoder
	// layer on or off.
	SetCheckpointing(on bool)
	// AfterStep applies the constraints the original training applies
	// after each optimizer step (CLIP clamps logit_scale to [0, ln 100]).
	AfterStep()
	// Config returns the typed configuration (for writing config.json).
	Config() any
}

// CLIP adapts *clip.Model to DualEncoder.
type CLIP struct{ *clip.Model }

// SigLIP adapts *siglip.Model to DualEncoder.
type SigLIP struct{ *siglip.Model }

// Family returns "clip".
func (m CLIP) Family() string { return "clip" }

// ImageSize returns vision_config.image_size.
func (m CLIP) ImageSize() int { return m.Model.Config.VisionConfig.ImageSize }

// UsesTextMask reports true: CLIP masks padding.
func (m CLIP) UsesTextMask() bool { return true }

// Contrast runs CLIPModel.forward.
func (m CLIP) Contrast(b Batch, wantLoss bool, rng *tensor.RNG) *ContrastOutput {
	o := m.Forward(clip.Inputs{InputIDs: b.IDs, AttentionMask: b.Mask, Batch: b.B, SeqLen: b.T, PixelValues: b.Pixels}, wantLoss, clip.Options{RNG: rng, PooledOnly: !b.AllTokens})
	return &ContrastOutput{TextEmbeds: o.TextEmbeds, ImageEmbeds: o.ImageEmbeds, LogitsPerText: o.LogitsPerText, LogitsPerImage: o.LogitsPerImage, Loss: o.Loss}
}

// EncodeText returns normalised projected text features.
func (m CLIP) EncodeText(ids []int32, b, t int, mask []int32) *tensor.Tensor {
	return tensor.L2Normalize(m.TextFeatures(ids, b, t, mask), 0)
}

// EncodeImage returns normalised projected image features.
func (m CLIP) EncodeImage(pixels *tensor.Tensor) *tensor.Tensor {
	return tensor.L2Normalize(m.ImageFeatures(pixels), 0)
}

// Logits returns exp(logit_scale)·image·textᵀ.
func (m CLIP) Logits(text, image *tensor.Tensor) *tensor.Tensor {
	return tensor.Mul(tensor.MatMul(image, text, false, true), tensor.Exp(m.LogitScale))
}

// Loss is CLIP's symmetric cross-entropy.
func (m CLIP) Loss(logitsPerText *tensor.Tensor) *tensor.Tensor {
	return clip.ContrastiveLoss(logitsPerText)
}

// SetCheckpointing switches checkpointing in both towers.
func (m CLIP) SetCheckpointing(on bool) {
	m.Text.Encoder.Checkpointing, m.Vision.Encoder.Checkpointing = on, on
}

// AfterStep clamps logit_scale to [0, ln 100] as OpenAI's and open_clip's
// training loops do.
func (m CLIP) AfterStep() {
	d := m.LogitScale.Data()
	d[0] = float32(math.Min(math.Max(float64(d[0]), 0), math.Log(100)))
}

// Config returns the CLIP configuration.
func (m CLIP) Config() any { return &m.Model.Config }

// Family returns "siglip".
func (m SigLIP) Family() string { return "siglip" }

// ImageSize returns vision_config.image_size.
func (m SigLIP) ImageSize() int { return m.Model.Config.VisionConfig.ImageSize }

// UsesTextMask reports false: SigLIP is trained on max-length padded text
// without a mask.
func (m SigLIP) UsesTextMask() bool { return false }

// Contrast runs SiglipModel.forward.
func (m SigLIP) Contrast(b Batch, wantLoss bool, rng *tensor.RNG) *ContrastOutput {
	o := m.Forward(siglip.Inputs{InputIDs: b.IDs, AttentionMask: b.Mask, Batch: b.B, SeqLen: b.T, PixelValues: b.Pixels}, wantLoss, siglip.Options{RNG: rng, PooledOnly: !b.AllTokens})
	return &ContrastOutput{TextEmbeds: o.TextEmbeds, ImageEmbeds: o.ImageEmbeds, LogitsPerText: o.LogitsPerText, LogitsPerImage: o.LogitsPerImage, Loss: o.Loss}
}

// EncodeText returns normalised text features.
func (m SigLIP) EncodeText(ids []int32, b, t int, mask []int32) *tensor.Tensor {
	return tensor.L2Normalize(m.TextFeatures(ids, b, t, mask), 0)
}

// EncodeImage returns normalised image features.
func (m SigLIP) EncodeImage(pixels *tensor.Tensor) *tensor.Tensor {
	return tensor.L2Normalize(m.ImageFeatures(pixels), 0)
}

// Logits returns exp(logit_scale)·image·textᵀ + logit_bias.
func (m SigLIP) Logits(text, image *tensor.Tensor) *tensor.Tensor {
	return tensor.Add(tensor.Mul(tensor.MatMul(image, text, false, true), tensor.Exp(m.LogitScale)), m.LogitBias)
}

// Loss is SigLIP's sigmoid loss.
func (m SigLIP) Loss(logitsPerText *tensor.Tensor) *tensor.Tensor {
	return siglip.SigmoidLoss(logitsPerText)
}

// SetCheckpointing switches checkpointing in both towers.
func (m SigLIP) SetCheckpointing(on bool) {
	m.Text.Encoder.Checkpointing, m.Vision.Encoder.Checkpointing = on, on
}

// AfterStep does nothing: SigLIP's reference training leaves the
// temperature unclamped.
func (m SigLIP) AfterStep() {}

// Config returns the SigLIP configuration.
func (m SigLIP) Config() any { return &m.Model.Config }
