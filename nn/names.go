package nn

import "fmt"

// The state-dict names of a block's children are the family's to choose
// (package nn hard-codes only PyTorch's own weight and bias): each model
// family passes its names when it builds a block. Names are relative to
// the block and may be dotted, as BERT's "attention.self.query" is.

// AttentionNames name an attention block's projections: CLIP's
// {q_proj, k_proj, v_proj, out_proj}, BERT's {self.query, self.key,
// self.value, output.dense}.
type AttentionNames struct{ Q, K, V, Out string }

// MLPNames name an MLP's two layers: CLIP's {fc1, fc2}.
type MLPNames struct{ FC1, FC2 string }

// LayerNames name a transformer layer's blocks: CLIP's {layer_norm1,
// self_attn, layer_norm2, mlp}, with the names inside the attention and
// the MLP.
type LayerNames struct {
	LN1, Attn, LN2, MLP string
	Attention           AttentionNames
	MLPLayers           MLPNames
}

// EncoderNames name an encoder's layer list (CLIP's "layers": layer i is
// layers.i) and the blocks of each layer.
type EncoderNames struct {
	Layers string
	Layer  LayerNames
}

// The names of the hook points where fine-tuning methods install their
// extensions (vlmtune's own; Hugging Face has no such keys).
const (
	AttnAdapterName = "attn_adapter"
	MLPAdapterName  = "mlp_adapter"
)

// mustNames panics when a name a block needs is empty: two children under
// one name would collide (a programming error in the family).
func mustNames(block string, names ...string) {
	for _, n := range names {
		if n == "" {
			panic(fmt.Sprintf("nn: %s built with an empty child name in %q; the model family must name every child", block, names))
		}
	}
}
