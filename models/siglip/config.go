package siglip

import (
	"fmt"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/nn"
)

// TextConfig is SiglipTextConfig.
type TextConfig struct {
	VocabSize             int     `json:"vocab_size"`
	HiddenSize            int     `json:"hidden_size"`
	IntermediateSize      int     `json:"intermediate_size"`
	NumHiddenLayers       int     `json:"num_hidden_layers"`
	NumAttentionHeads     int     `json:"num_attention_heads"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	HiddenAct             string  `json:"hidden_act"`
	LayerNormEps          float64 `json:"layer_norm_eps"`
	AttentionDropout      float64 `json:"attention_dropout"`
	PadTokenID            int     `json:"pad_token_id"`
	BosTokenID            int     `json:"bos_token_id"`
	EosTokenID            int     `json:"eos_token_id"`
}

// VisionConfig is SiglipVisionConfig.
type VisionConfig struct {
	HiddenSize        int     `json:"hidden_size"`
	IntermediateSize  int     `json:"intermediate_size"`
	NumHiddenLayers   int     `json:"num_hidden_layers"`
	NumAttentionHeads int     `json:"num_attention_heads"`
	NumChannels       int     `json:"num_channels"`
	ImageSize         int     `json:"image_size"`
	PatchSize         int     `json:"patch_size"`
	HiddenAct         string  `json:"hidden_act"`
	LayerNormEps      float64 `json:"layer_norm_eps"`
	AttentionDropout  float64 `json:"attention_dropout"`
	// VisionUseHead selects the attention-pooling head (default true).
	VisionUseHead *bool `json:"vision_use_head,omitempty"`
}

// UseHead reports whether the vision tower has its pooling head.
func (v VisionConfig) UseHead() bool { return v.VisionUseHead == nil || *v.VisionUseHead }

// Config is SiglipConfig.
type Config struct {
	ModelType           string       `json:"model_type" hf:"required"`
	TextConfig          TextConfig   `json:"text_config"`
	VisionConfig        VisionConfig `json:"vision_config"`
	Architectures       []string     `json:"architectures,omitempty"`
	TorchDtype          string       `json:"torch_dtype,omitempty"`
	TransformersVersion string       `json:"transformers_version,omitempty"`
	InitializerFactor   float64      `json:"initializer_factor,omitempty"`
}

// DefaultConfig returns transformers' SiglipConfig defaults (the
// google/siglip-base-patch16-224 sizes).
func DefaultConfig() Config {
	return Config{
		ModelType: "siglip", InitializerFactor: 1,
		TextConfig: TextConfig{
			VocabSize: 32000, HiddenSize: 768, IntermediateSize: 3072, NumHiddenLayers: 12, NumAttentionHeads: 12,
			MaxPositionEmbeddings: 64, HiddenAct: "gelu_pytorch_tanh", LayerNormEps: 1e-6,
			PadTokenID: 1, BosTokenID: 49406, EosTokenID: 49407,
		},
		VisionConfig: VisionConfig{
			HiddenSize: 768, IntermediateSize: 3072, NumHiddenLayers: 12, NumAttentionHeads: 12, NumChannels: 3,
			ImageSize: 224, PatchSize: 16, HiddenAct: "gelu_pytorch_tanh", LayerNormEps: 1e-6,
		},
	}
}

// ParseConfig decodes a SigLIP config.json over the defaults and validates
// it; name is used in errors (see hf.DecodeJSON).
func ParseConfig(name string, data []byte) (*Config, error) {
	cfg := DefaultConfig()
	if err := hf.DecodeJSON(name, data, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// Validate checks sizes and names.
func (c *Config) Validate() error {
	if c.ModelType != "" && c.ModelType != "siglip" {
		return fmt.Errorf("model_type %q is not a SigLIP model (want \"siglip\")", c.ModelType)
	}
	t, v := c.TextConfig, c.VisionConfig
	for _, chk := range []struct {
		key string
		v   int
	}{
		{"text_config.vocab_size", t.VocabSize}, {"text_config.hidden_size", t.HiddenSize},
		{"text_config.intermediate_size", t.IntermediateSize}, {"text_config.num_hidden_layers", t.NumHiddenLayers},
		{"text_config.num_attention_heads", t.NumAttentionHeads}, {"text_config.max_position_embeddings", t.MaxPositionEmbeddings},
		{"vision_config.hidden_size", v.HiddenSize}, {"vision_config.intermediate_size", v.IntermediateSize},
		{"vision_config.num_hidden_layers", v.NumHiddenLayers}, {"vision_config.num_attention_heads", v.NumAttentionHeads},
		{"vision_config.image_size", v.ImageSize}, {"vision_config.patch_size", v.PatchSize}, {"vision_config.num_channels", v.NumChannels},
	} {
		if chk.v <= 0 {
			return fmt.Errorf("%s must be positive, got %d", chk.key, chk.v)
		}
	}
	if t.HiddenSize%t.NumAttentionHeads != 0 || v.HiddenSize%v.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size must be divisible by num_attention_heads (text %d/%d, vision %d/%d)", t.HiddenSize, t.NumAttentionHeads, v.HiddenSize, v.NumAttentionHeads)
	}
	if v.ImageSize%v.PatchSize != 0 {
		return fmt.Errorf("vision_config.image_size %d is not a multiple of patch_size %d", v.ImageSize, v.PatchSize)
	}
	if _, err := nn.ActivationByName(t.HiddenAct); err != nil {
		return fmt.Errorf("text_config.hidden_act: %w", err)
	}
	if _, err := nn.ActivationByName(v.HiddenAct); err != nil {
		return fmt.Errorf("vision_config.hidden_act: %w", err)
	}
	return nil
}
