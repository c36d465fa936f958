package opt

import (
	"fmt"

	"github.com/vlmtune/vlmtune/nn"
)

// Config is OPTConfig. Zero fields take transformers' defaults.
type Config struct {
	ModelType             string   `json:"model_type" hf:"required"`
	Architectures         []string `json:"architectures,omitempty"`
	VocabSize             int      `json:"vocab_size"`
	HiddenSize            int      `json:"hidden_size"`
	NumHiddenLayers       int      `json:"num_hidden_layers"`
	FFNDim                int      `json:"ffn_dim"`
	MaxPositionEmbeddings int      `json:"max_position_embeddings"`
	// DoLayerNormBefore selects pre-LayerNorm layers (most checkpoints) or
	// post-LayerNorm ones (opt-350m).
	DoLayerNormBefore          *bool   `json:"do_layer_norm_before,omitempty"`
	RemoveFinalLayerNorm       bool    `json:"_remove_final_layer_norm,omitempty"`
	WordEmbedProjDim           int     `json:"word_embed_proj_dim,omitempty"`
	Dropout                    float64 `json:"dropout"`
	AttentionDropout           float64 `json:"attention_dropout"`
	NumAttentionHeads          int     `json:"num_attention_heads"`
	ActivationFunction         string  `json:"activation_function"`
	EnableBias                 *bool   `json:"enable_bias,omitempty"`
	LayerNormElementwiseAffine *bool   `json:"layer_norm_elementwise_affine,omitempty"`
	TieWordEmbeddings          *bool   `json:"tie_word_embeddings,omitempty"`
	PadTokenID                 *int    `json:"pad_token_id,omitempty"`
	BosTokenID                 *int    `json:"bos_token_id,omitempty"`
	EosTokenID                 *int    `json:"eos_token_id,omitempty"`
	TorchDtype                 string  `json:"torch_dtype,omitempty"`
	TransformersVersion        string  `json:"transformers_version,omitempty"`
}

// DefaultConfig returns OPTConfig's defaults (facebook/opt-125m sizes).
func DefaultConfig() Config {
	pad, bos, eos := 1, 2, 2
	return Config{ModelType: "opt", VocabSize: 50272, HiddenSize: 768, NumHiddenLayers: 12, FFNDim: 3072, MaxPositionEmbeddings: 2048,
		Dropout: 0.1, NumAttentionHeads: 12, ActivationFunction: "relu", PadTokenID: &pad, BosTokenID: &bos, EosTokenID: &eos}
}

func flag(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// preLN reports do_layer_norm_before (default true).
func (c *Config) preLN() bool { return flag(c.DoLayerNormBefore, true) }

// bias reports enable_bias (default true).
func (c *Config) bias() bool { return flag(c.EnableBias, true) }

// affine reports layer_norm_elementwise_affine (default true).
func (c *Config) affine() bool { return flag(c.LayerNormElementwiseAffine, true) }

// tied reports tie_word_embeddings (default true).
func (c *Config) tied() bool { return flag(c.TieWordEmbeddings, true) }

// embedDim is word_embed_proj_dim, defaulting to hidden_size.
func (c *Config) embedDim() int {
	if c.WordEmbedProjDim > 0 {
		return c.WordEmbedProjDim
	}
	return c.HiddenSize
}

// Validate checks sizes and names.
func (c *Config) Validate() error {
	if c.ModelType != "opt" {
		return fmt.Errorf("model_type %q is not an OPT model (want \"opt\")", c.ModelType)
	}
	for _, chk := range []struct {
		key string
		v   int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers},
		{"ffn_dim", c.FFNDim}, {"max_position_embeddings", c.MaxPositionEmbeddings}, {"num_attention_heads", c.NumAttentionHeads},
	} {
		if chk.v <= 0 {
			return fmt.Errorf("%s must be positive, got %d", chk.key, chk.v)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size %d is not divisible by num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	if _, err := nn.ActivationByName(c.ActivationFunction); err != nil {
		return fmt.Errorf("activation_function: %w", err)
	}
	if c.PadTokenID != nil && (*c.PadTokenID < 0 || *c.PadTokenID >= c.VocabSize) {
		return fmt.Errorf("pad_token_id %d outside the vocabulary (size %d)", *c.PadTokenID, c.VocabSize)
	}
	return nil
}
