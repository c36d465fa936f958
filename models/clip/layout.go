package clip

import (
	"fmt"

	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// Layout describes the towers and head for fine-tuning policies.
func (m *Model) Layout() nn.Layout {
	return nn.Layout{
		Towers: []nn.Tower{
			{Name: "text", Module: m.Text, Layers: nn.LayersOf(m.Text.Encoder), Post: []nn.Module{m.Text.FinalLayerNorm}, Width: m.Config.TextConfig.HiddenSize},
			{Name: "vision", Module: m.Vision, Layers: nn.LayersOf(m.Vision.Encoder), Post: []nn.Module{m.Vision.PostLayerNorm}, Width: m.Config.VisionConfig.HiddenSize},
		},
		Head: []*tensor.Tensor{m.VisualProjection.Weight, m.TextProjection.Weight, m.LogitScale},
	}
}

// SetTextPrompt installs (or with nil removes) a text prompt.
func (m *Model) SetTextPrompt(p nn.TextPrompt) error {
	if p != nil && p.Len() >= m.Config.TextConfig.MaxPositionEmbeddings {
		return fmt.Errorf("clip: a %d-token prompt leaves no room for text within max_position_embeddings %d", p.Len(), m.Config.TextConfig.MaxPositionEmbeddings)
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
