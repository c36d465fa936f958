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
// It refers to the model's own modules, so the names of their parameters
// come from the model's declaration alone.
type Tower struct {
	// Name is "text" or "vision".
	Name string
	// Module is the whole tower.
	Module Module
	// Layers are the tower's transformer layers, in order. Methods that
	// install adapters or key/value prefixes need layers that take them
	// (AdapterHost, PrefixHost).
	Layers []Module
	// Post lists the blocks applied after the encoder (final LayerNorm,
	// pooling head).
	Post []Module
	// Width is the hidden size.
	Width int
}

// AdapterHost is a layer with hook points for bottleneck adapters after
// its attention and its MLP.
type AdapterHost interface {
	SetAdapters(attn, mlp ResidualAdapter)
}

// PrefixHost is a layer whose attention takes learned key/value prefixes
// of PrefixWidth values per position.
type PrefixHost interface {
	SetPrefix(p KVPrefix)
	PrefixWidth() int
}

// LayersOf returns an encoder's layers as modules (for Tower.Layers).
func LayersOf(e *Encoder) []Module {
	out := make([]Module, len(e.Layers))
	for i, l := range e.Layers {
		out[i] = l
	}
	return out
}

// Layout describes a model's towers and head for fine-tuning policies.
type Layout struct {
	Towers []Tower
	// Head holds the parameters of the model's head (a dual encoder's
	// projections, logit scale and bias).
	Head []*tensor.Tensor
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
