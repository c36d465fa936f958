package models

import (
	"fmt"

	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// PairBatch is one batch of paired texts and images.
type PairBatch struct {
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

// DualEncoder is a CLIP-style model with an image and a text tower whose
// embeddings are compared by a scaled dot product.
type DualEncoder interface {
	Model
	// Layout describes the towers and the head for fine-tuning methods.
	Layout() nn.Layout
	// SetTextPrompt and SetVisualPrompt install (or with nil remove)
	// prompt-tuning tokens.
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
	// Objective names the family's training loss on logits per text:
	// "contrastive" (CLIP's symmetric cross-entropy) or "sigmoid"
	// (SigLIP's pairwise loss).
	Objective() string
	// Contrast runs both towers and, when wantLoss, the family's loss,
	// as the family's forward does in transformers, in the caller's scope
	// s (see tensor.Scope; nil: none). rng drives dropout inside
	// checkpointed layers (may be nil).
	Contrast(s *tensor.Scope, b PairBatch, wantLoss bool, rng *tensor.RNG) *ContrastOutput
	// EncodeText returns L2-normalised text embeddings [B, D] of token
	// rows, computed in scope s.
	EncodeText(s *tensor.Scope, ids []int32, b, t int, mask []int32) *tensor.Tensor
	// EncodeImage returns L2-normalised image embeddings [B, D], computed
	// in scope s.
	EncodeImage(s *tensor.Scope, pixels *tensor.Tensor) *tensor.Tensor
	// Logits scores normalised text embeddings [N, D] against image
	// embeddings [M, D], returning logits per image [M, N] with the
	// model's temperature (and bias).
	Logits(text, image *tensor.Tensor) *tensor.Tensor
	// SetCheckpointing turns gradient checkpointing of every encoder
	// layer on or off.
	SetCheckpointing(on bool)
	// AfterStep applies the constraints the original training applies
	// after each optimizer step (CLIP clamps logit_scale to [0, ln 100]).
	AfterStep()
}

// DualOutputs are a dual encoder's outputs (CLIPOutput, SiglipOutput);
// any may be nil.
type DualOutputs struct {
	TextEmbeds, ImageEmbeds, LogitsPerImage, LogitsPerText, Loss                     *tensor.Tensor
	TextLastHiddenState, TextPoolerOutput, VisionLastHiddenState, VisionPoolerOutput *tensor.Tensor
}

// Named returns the outputs under Hugging Face's names (text_embeds,
// image_embeds, logits_per_image, logits_per_text, loss,
// text_last_hidden_state, text_pooler_output, vision_last_hidden_state,
// vision_pooler_output), leaving out the nil ones.
func (o DualOutputs) Named() map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for name, t := range map[string]*tensor.Tensor{
		"text_embeds": o.TextEmbeds, "image_embeds": o.ImageEmbeds, "logits_per_image": o.LogitsPerImage,
		"logits_per_text": o.LogitsPerText, "loss": o.Loss,
		"text_last_hidden_state": o.TextLastHiddenState, "text_pooler_output": o.TextPoolerOutput,
		"vision_last_hidden_state": o.VisionLastHiddenState, "vision_pooler_output": o.VisionPoolerOutput,
	} {
		if t != nil {
			out[name] = t
		}
	}
	return out
}

// PairInputs reads a dual encoder's named inputs: input_ids [B, T] (ids
// below vocab, T at most maxLen), an optional attention_mask [B, T] and
// pixel_values [B, 3, size, size].
func PairInputs(in Inputs, vocab, maxLen, size int) (PairBatch, error) {
	ids, shape, err := in.IDs("input_ids", 2, vocab)
	if err != nil {
		return PairBatch{}, err
	}
	b := PairBatch{IDs: ids, B: shape[0], T: shape[1]}
	if b.T > maxLen {
		return PairBatch{}, fmt.Errorf("input_ids have %d tokens, the model takes at most %d", b.T, maxLen)
	}
	if _, ok := in["attention_mask"]; ok {
		mask, mshape, err := in.IDs("attention_mask", 2, 2)
		if err != nil {
			return PairBatch{}, err
		}
		if !tensor.SameShape(mshape, shape) {
			return PairBatch{}, fmt.Errorf("attention_mask has shape %v, input_ids %v", mshape, shape)
		}
		b.Mask = mask
	}
	if b.Pixels, err = in.Floats("pixel_values", b.B, 3, size, size); err != nil {
		return PairBatch{}, err
	}
	return b, nil
}
