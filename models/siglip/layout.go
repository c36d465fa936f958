package siglip

import (
	"fmt"

	"github.com/vlmtune/vlmtune/nn"
)

// Layout describes the towers and head for fine-tuning policies.
func (m *Model) Layout() nn.Layout {
	vpost := []string{"vision_model.post_layernorm."}
	if m.Vision.Head != nil {
		vpost = append(vpost, "vision_model.head.")
	}
	return nn.Layout{
		Towers: []nn.Tower{
			{Name: "text", Prefix: "text_model.", Encoder: m.Text.Encoder, LayerPrefix: "text_model.encoder.layers.",
				Post: []string{"text_model.final_layer_norm.", "text_model.head."}, Width: m.Config.TextConfig.HiddenSize},
			{Name: "vision", Prefix: "vision_model.", Encoder: m.Vision.Encoder, LayerPrefix: "vision_model.encoder.layers.",
				Post: vpost, Width: m.Config.VisionConfig.HiddenSize},
		},
		Head: []string{"logit_scale", "logit_bias"},
	}
}

// SetTextPrompt installs (or with nil removes) a text prompt.
func (m *Model) SetTextPrompt(p nn.TextPrompt) error {
	if p != nil && p.Len() >= m.Config.TextConfig.MaxPositionEmbeddings {
		return fmt.Errorf("siglip: a %d-token prompt leaves no room for text within max_position_embeddings %d", p.Len(), m.Config.TextConfig.MaxPositionEmbeddings)
	}
	m.Text.Prompt = p
	return nil
}

// SetVisualPrompt installs (or with nil removes) a visual prompt.
func (m *Model) SetVisualPrompt(p nn.VisualPrompt) error {
	m.Vision.Prompt = p
	return nil
}

// MaxTextLen is the number of text tokens the model accepts, after any
// prompt tokens.
func (m *Model) MaxTextLen() int {
	n := m.Config.TextConfig.MaxPositionEmbeddings
	if m.Text.Prompt != nil {
		n -= m.Text.Prompt.Len()
	}
	return n
}
