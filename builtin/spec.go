package builtin

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/vlmtune/vlmtune/models/clip"
)

// Sizes of the built-in model.
const (
	ImageSize = 64
	Patch     = 16
	Width     = 64
	Layers    = 2
	Heads     = 4
	MLP       = 256
	Context   = 20
	ProjDim   = 64
)

// modelConfig is the built-in CLIP's configuration for a vocabulary of
// vocab tokens whose last two are <|startoftext|> and <|endoftext|>.
func modelConfig(vocab int) clip.Config {
	cfg := clip.DefaultConfig()
	cfg.ProjectionDim = ProjDim
	cfg.Architectures = []string{"CLIPModel"}
	cfg.TorchDtype = "float32"
	cfg.TextConfig = clip.TextConfig{
		VocabSize: vocab, HiddenSize: Width, IntermediateSize: MLP, ProjectionDim: ProjDim, NumHiddenLayers: Layers,
		NumAttentionHeads: Heads, MaxPositionEmbeddings: Context, HiddenAct: "quick_gelu", LayerNormEps: 1e-5,
		BosTokenID: vocab - 2, EosTokenID: vocab - 1, PadTokenID: vocab - 1,
	}
	cfg.VisionConfig = clip.VisionConfig{
		HiddenSize: Width, IntermediateSize: MLP, ProjectionDim: ProjDim, NumHiddenLayers: Layers, NumAttentionHeads: Heads,
		NumChannels: 3, ImageSize: ImageSize, PatchSize: Patch, HiddenAct: "quick_gelu", LayerNormEps: 1e-5,
	}
	return cfg
}

// writePreprocessor writes a CLIPImageProcessor configuration for ImageSize
// inputs with OpenAI's normalisation.
func writePreprocessor(dir string) error {
	cfg := map[string]any{
		"image_processor_type": "CLIPImageProcessor", "processor_class": "CLIPProcessor",
		"do_resize": true, "size": map[string]int{"shortest_edge": ImageSize}, "resample": 3,
		"do_center_crop": true, "crop_size": map[string]int{"height": ImageSize, "width": ImageSize},
		"do_rescale": true, "rescale_factor": 1.0 / 255, "do_normalize": true, "do_convert_rgb": true,
		"image_mean": []float64{0.48145466, 0.4578275, 0.40821073},
		"image_std":  []float64{0.26862954, 0.26130258, 0.27577711},
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "preprocessor_config.json"), append(data, '\n'), 0o644)
}
