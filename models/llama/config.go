package llama

import (
	"encoding/json"
	"fmt"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/nn"
)

// RopeScaling is config.json's rope_scaling object.
type RopeScaling struct {
	RopeType                      string  `json:"rope_type,omitempty"`
	Type                          string  `json:"type,omitempty"` // older spelling of rope_type
	Factor                        float64 `json:"factor,omitempty"`
	LowFreqFactor                 float64 `json:"low_freq_factor,omitempty"`
	HighFreqFactor                float64 `json:"high_freq_factor,omitempty"`
	OriginalMaxPositionEmbeddings int     `json:"original_max_position_embeddings,omitempty"`
}

// kind returns the scaling type (rope_type, or type).
func (r *RopeScaling) kind() string {
	if r.RopeType != "" {
		return r.RopeType
	}
	return r.Type
}

// Config is LlamaConfig (and MistralConfig, Qwen2Config, which share its
// keys). Zero fields take the family's Hugging Face defaults.
type Config struct {
	ModelType             string       `json:"model_type" hf:"required"`
	Architectures         []string     `json:"architectures,omitempty"`
	VocabSize             int          `json:"vocab_size"`
	HiddenSize            int          `json:"hidden_size"`
	IntermediateSize      int          `json:"intermediate_size"`
	NumHiddenLayers       int          `json:"num_hidden_layers"`
	NumAttentionHeads     int          `json:"num_attention_heads"`
	NumKeyValueHeads      int          `json:"num_key_value_heads"`
	HeadDim               int          `json:"head_dim,omitempty"`
	HiddenAct             string       `json:"hidden_act"`
	MaxPositionEmbeddings int          `json:"max_position_embeddings"`
	RMSNormEps            float64      `json:"rms_norm_eps"`
	RopeTheta             float64      `json:"rope_theta"`
	RopeScaling           *RopeScaling `json:"rope_scaling"`
	AttentionBias         bool         `json:"attention_bias"`
	MLPBias               bool         `json:"mlp_bias"`
	TieWordEmbeddings     bool         `json:"tie_word_embeddings"`
	// SlidingWindow (Mistral) limits attention to the most recent keys;
	// nil or 0: none.
	SlidingWindow *int `json:"sliding_window"`
	// UseSlidingWindow is Qwen2's switch (transformers' eager attention
	// ignores the window for Qwen2 either way, and so does vlmtune).
	UseSlidingWindow bool         `json:"use_sliding_window,omitempty"`
	BosTokenID       *int         `json:"bos_token_id,omitempty"`
	EosTokenID       *hf.TokenIDs `json:"eos_token_id,omitempty"`
	PadTokenID       *int         `json:"pad_token_id,omitempty"`
	// PretrainingTP > 1 makes transformers slice the projections and sum
	// the parts; vlmtune computes the same products unsliced (equal up to
	// rounding).
	PretrainingTP       int    `json:"pretraining_tp,omitempty"`
	TorchDtype          string `json:"torch_dtype,omitempty"`
	TransformersVersion string `json:"transformers_version,omitempty"`
}

// Defaults returns transformers' defaults for a model_type: "llama"
// (LlamaConfig), "mistral" (MistralConfig) or "qwen2" (Qwen2Config).
func Defaults(modelType string) Config {
	one := 1
	c := Config{ModelType: modelType, VocabSize: 32000, HiddenSize: 4096, IntermediateSize: 11008, NumHiddenLayers: 32,
		NumAttentionHeads: 32, HiddenAct: "silu", MaxPositionEmbeddings: 2048, RMSNormEps: 1e-6, RopeTheta: 10000,
		BosTokenID: &one, EosTokenID: &hf.TokenIDs{IDs: []int{2}}, PretrainingTP: 1}
	switch modelType {
	case "mistral":
		w := 4096
		c.IntermediateSize, c.NumKeyValueHeads, c.MaxPositionEmbeddings, c.SlidingWindow = 14336, 8, 4096*32, &w
	case "qwen2":
		w := 4096
		c.VocabSize, c.IntermediateSize, c.MaxPositionEmbeddings, c.SlidingWindow = 151936, 22016, 32768, &w
		c.BosTokenID, c.EosTokenID = nil, nil
	}
	return c
}

// ParseConfig decodes a Llama-family config.json, filling absent fields
// with the defaults of its model_type, and validates it.
func ParseConfig(name string, data []byte) (*Config, error) {
	var head struct {
		ModelType string `json:"model_type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	cfg := Defaults(head.ModelType)
	if err := hf.DecodeJSON(name, data, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// kvHeads is num_key_value_heads, defaulting to num_attention_heads.
func (c *Config) kvHeads() int {
	if c.NumKeyValueHeads > 0 {
		return c.NumKeyValueHeads
	}
	return c.NumAttentionHeads
}

// headDim is head_dim (Mistral), defaulting to hidden_size / heads.
func (c *Config) headDim() int {
	if c.HeadDim > 0 && c.ModelType == "mistral" {
		return c.HeadDim
	}
	return c.HiddenSize / max(c.NumAttentionHeads, 1)
}

// window is the sliding window in effect (Mistral only, as transformers'
// eager attention).
func (c *Config) window() int {
	if c.ModelType == "mistral" && c.SlidingWindow != nil {
		return *c.SlidingWindow
	}
	return 0
}

// ropeScaling converts rope_scaling.
func (c *Config) ropeScaling() nn.RoPEScaling {
	if c.RopeScaling == nil {
		return nn.RoPEScaling{}
	}
	r := c.RopeScaling
	return nn.RoPEScaling{Type: r.kind(), Factor: r.Factor, LowFreqFactor: r.LowFreqFactor, HighFreqFactor: r.HighFreqFactor, OriginalMaxPositions: r.OriginalMaxPositionEmbeddings}
}

// Validate checks sizes and names.
func (c *Config) Validate() error {
	for _, chk := range []struct {
		key string
		v   int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"intermediate_size", c.IntermediateSize},
		{"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads}, {"max_position_embeddings", c.MaxPositionEmbeddings},
	} {
		if chk.v <= 0 {
			return fmt.Errorf("%s must be positive, got %d", chk.key, chk.v)
		}
	}
	if c.NumKeyValueHeads < 0 || c.NumAttentionHeads%c.kvHeads() != 0 {
		return fmt.Errorf("num_attention_heads %d is not a multiple of num_key_value_heads %d", c.NumAttentionHeads, c.kvHeads())
	}
	if c.ModelType != "mistral" && c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size %d is not divisible by num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	if c.headDim()%2 != 0 {
		return fmt.Errorf("the head width %d must be even for rotary position embeddings", c.headDim())
	}
	if _, err := nn.ActivationByName(c.HiddenAct); err != nil {
		return fmt.Errorf("hidden_act: %w", err)
	}
	if c.RMSNormEps <= 0 || c.RopeTheta <= 0 {
		return fmt.Errorf("rms_norm_eps (%g) and rope_theta (%g) must be positive", c.RMSNormEps, c.RopeTheta)
	}
	if c.PadTokenID != nil && (*c.PadTokenID < 0 || *c.PadTokenID >= c.VocabSize) {
		return fmt.Errorf("pad_token_id %d outside the vocabulary (size %d)", *c.PadTokenID, c.VocabSize)
	}
	if _, err := nn.NewRoPE(c.headDim(), c.RopeTheta, c.MaxPositionEmbeddings, c.ropeScaling()); err != nil {
		return fmt.Errorf("rope_scaling: %w", err)
	}
	return nil
}
