package nn

import "github.com/vlmtune/vlmtune/tensor"

// TextPrompt inserts learned token embeddings into a text sequence
// (prompt tuning). Insert receives the token embeddings [B, T, C] and the
// key mask (nil for none) and returns the longer sequence, its mask and
// how many tokens were inserted after the first token (so a pooling index
// past the first token shifts by that count).
type TextPrompt interface {
	Module
	Insert(tokens *tensor.Tensor, mask []bool) (*tensor.Tensor, []bool, int)
	// Len is the number of inserted tokens.
	Len() int
}

// VisualPrompt appends learned tokens to a ViT sequence [B, N, C] after its
// position embeddings (visual prompt tuning).
type VisualPrompt interface {
	Module
	Insert(x *tensor.Tensor) *tensor.Tensor
	Len() int
}

// Tower describes one encoder tower of a model, for fine-tuning policies.
type Tower struct {
	// Name is "text" or "vision".
	Name string
	// Prefix starts the names of all the tower's parameters
	// ("text_model.").
	Prefix string
	// Encoder is the tower's layer stack; layer i's parameters start with
	// LayerPrefix + i + ".".
	Encoder     *Encoder
	LayerPrefix string
	// Post lists name prefixes of parameters applied after the encoder
	// (final LayerNorm, pooling head).
	Post []string
	// Width is the hidden size.
	Width int
}

// Layout describes a dual encoder for fine-tuning policies.
type Layout struct {
	Towers []Tower
	// Head lists the parameter names of the contrastive head
	// (projections, logit scale and bias).
	Head []string
}

// Tower returns the named tower, or nil.
func (l Layout) Tower(name string) *Tower {
	for i := range l.Towers {
		if l.Towers[i].Name == name {
			return &l.Towers[i]
		}
	}
	return nil
}
