package models

import (
	"github.com/vlmtune/vlmtune/models/clip"
	"github.com/vlmtune/vlmtune/models/siglip"
	"github.com/vlmtune/vlmtune/tensor"
)

// NamedOutputs runs the model and returns every output under its Hugging
// Face name: text_embeds, image_embeds, logits_per_image, logits_per_text,
// text_last_hidden_state, vision_last_hidden_state, text_pooler_output,
// vision_pooler_output and, with wantLoss, loss. The tensors keep their
// graph, so the loss can be differentiated.
func NamedOutputs(m DualEncoder, b Batch, wantLoss bool) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	put := func(name string, t *tensor.Tensor) {
		if t != nil {
			out[name] = t
		}
	}
	switch mm := m.(type) {
	case CLIP:
		o := mm.Forward(clip.Inputs{InputIDs: b.IDs, AttentionMask: b.Mask, Batch: b.B, SeqLen: b.T, PixelValues: b.Pixels}, wantLoss, clip.Options{})
		put("text_embeds", o.TextEmbeds)
		put("image_embeds", o.ImageEmbeds)
		put("logits_per_image", o.LogitsPerImage)
		put("logits_per_text", o.LogitsPerText)
		put("text_last_hidden_state", o.Text.LastHiddenState)
		put("text_pooler_output", o.Text.PoolerOutput)
		put("vision_last_hidden_state", o.Vision.LastHiddenState)
		put("vision_pooler_output", o.Vision.PoolerOutput)
		put("loss", o.Loss)
	case SigLIP:
		o := mm.Forward(siglip.Inputs{InputIDs: b.IDs, AttentionMask: b.Mask, Batch: b.B, SeqLen: b.T, PixelValues: b.Pixels}, wantLoss, siglip.Options{})
		put("text_embeds", o.TextEmbeds)
		put("image_embeds", o.ImageEmbeds)
		put("logits_per_image", o.LogitsPerImage)
		put("logits_per_text", o.LogitsPerText)
		put("text_last_hidden_state", o.Text.LastHiddenState)
		put("text_pooler_output", o.Text.PoolerOutput)
		put("vision_last_hidden_state", o.Vision.LastHiddenState)
		put("vision_pooler_output", o.Vision.PoolerOutput)
		put("loss", o.Loss)
	default:
		c := m.Contrast(b, wantLoss, nil)
		put("text_embeds", c.TextEmbeds)
		put("image_embeds", c.ImageEmbeds)
		put("logits_per_image", c.LogitsPerImage)
		put("logits_per_text", c.LogitsPerText)
		put("loss", c.Loss)
	}
	return out
}
