package clip

import (
	"fmt"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/nn"
)

// TextConfig is CLIPTextConfig (the `text_config` object of config.json).
// Zero fields take Hugging Face's defaults.
type TextConfig struct {
	VocabSize             int     `json:"vocab_size"`
	HiddenSize            int     `json:"hidden_size"`
	IntermediateSize      int     `json:"intermediate_size"`
	ProjectionDim         int     `json:"projection_dim,omitempty"`
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

// VisionConfig is CLIPVisionConfig (`vision_config`).
type VisionConfig struct {
	HiddenSize        int     `json:"hidden_size"`
	IntermediateSize  int     `json:"intermediate_size"`
	ProjectionDim     int     `json:"projection_dim,omitempty"`
	NumHiddenLayers   int     `json:"num_hidden_layers"`
	NumAttentionHeads int     `json:"num_attention_heads"`
	NumChannels       int     `json:"num_channels"`
	ImageSize         int     `json:"image_size"`
	PatchSize         int     `json:"patch_size"`
	HiddenAct         string  `json:"hidden_act"`
	LayerNormEps      float64 `json:"layer_norm_eps"`
	AttentionDropout  float64 `json:"attention_dropout"`
}

// Config is CLIPConfig.
type Config struct {
	ModelType           string       `json:"model_type" hf:"required"`
	ProjectionDim       int          `json:"projection_dim"`
	LogitScaleInitValue float64      `json:"logit_scale_init_value"`
	TextConfig          TextConfig   `json:"text_config"`
	VisionConfig        VisionConfig `json:"vision_config"`
	Architectures       []string     `json:"architectures,omitempty"`
	TorchDtype          string       `json:"torch_dtype,omitempty"`
	TransformersVersion string       `json:"transformers_version,omitempty"`
	InitializerFactor   float64      `json:"initializer_factor,omitempty"`
}

// DefaultConfig returns the defaults of transformers' CLIPConfig (the
// openai/clip-vit-base-patch32 sizes).
func DefaultConfig() Config {
	return Config{
		ModelType: "clip", ProjectionDim: 512, LogitScaleInitValue: 2.6592, InitializerFactor: 1,
		TextConfig: TextConfig{
			VocabSize: 49408, HiddenSize: 512, IntermediateSize: 2048, ProjectionDim: 512, NumHiddenLayers: 12,
			NumAttentionHeads: 8, MaxPositionEmbeddings: 77, HiddenAct: "quick_gelu", LayerNormEps: 1e-5,
			PadTokenID: 1, BosTokenID: 49406, EosTokenID: 49407,
		},
		VisionConfig: VisionConfig{
			HiddenSize: 768, IntermediateSize: 3072, ProjectionDim: 512, NumHiddenLayers: 12, NumAttentionHeads: 12,
			NumChannels: 3, ImageSize: 224, PatchSize: 32, HiddenAct: "quick_gelu", LayerNormEps: 1e-5,
		},
	}
}

// ParseConfig decodes a CLIP config.json, filling absent fields with the
// Hugging Face defaults, and validates it. name is used in errors, which
// carry the line, column and key (see hf.DecodeJSON).
func ParseConfig(name string, data []byte) (*Config, error) {
	cfg := DefaultConfig()
	if err := hf.DecodeJSON(name, data, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// Validate checks sizes and names.
func (c *Config) Validate() error {
	if c.ModelType != "" && c.ModelType != "clip" {
		return fmt.Errorf("model_type %q is not a CLIP model (want \"clip\")", c.ModelType)
	}
	if c.ProjectionDim <= 0 {
		return fmt.Errorf("projection_dim must be positive, got %d", c.ProjectionDim)
	}
	t, v := c.TextConfig, c.VisionConfig
	pos := func(key string, x int) error {
		if x <= 0 {
			return fmt.Errorf("%s must be positive, got %d", key, x)
		}
		return nil
	}
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
		if err := pos(chk.key, chk.v); err != nil {
			return err
		}
	}
	if t.HiddenSize%t.NumAttentionHeads != 0 {
		return fmt.Errorf("text_config.hidden_size %d is not divisible by num_attention_heads %d", t.HiddenSize, t.NumAttentionHeads)
	}
	if v.HiddenSize%v.NumAttentionHeads != 0 {
		return fmt.Errorf("vision_config.hidden_size %d is not divisible by num_attention_heads %d", v.HiddenSize, v.NumAttentionHeads)
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
	if t.EosTokenID < 0 || t.EosTokenID >= t.VocabSize {
		return fmt.Errorf("text_config.eos_token_id %d outside the vocabulary (size %d)", t.EosTokenID, t.VocabSize)
	}
	return nil
}
