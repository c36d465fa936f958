package models

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/models/clip"
	"github.com/vlmtune/vlmtune/models/siglip"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// Families lists the supported model_type values.
var Families = []string{"clip", "siglip"}

// Loaded is a model read from a checkpoint directory.
type Loaded struct {
	Model DualEncoder
	// Dir is the directory it came from.
	Dir string
	// ConfigJSON is config.json as read, so that Save keeps unknown keys.
	ConfigJSON []byte
}

// New builds a model with zero weights from a config.json's bytes.
func New(name string, configJSON []byte) (DualEncoder, error) {
	var head struct {
		ModelType string `json:"model_type"`
	}
	if err := json.Unmarshal(configJSON, &head); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	switch head.ModelType {
	case "clip":
		cfg, err := clip.ParseConfig(name, configJSON)
		if err != nil {
			return nil, err
		}
		m, err := clip.New(*cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return CLIP{m}, nil
	case "siglip":
		cfg, err := siglip.ParseConfig(name, configJSON)
		if err != nil {
			return nil, err
		}
		m, err := siglip.New(*cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return SigLIP{m}, nil
	case "":
		return nil, fmt.Errorf("%s: missing key model_type; vlmtune needs it to know the architecture (one of %s)", name, strings.Join(Families, ", "))
	}
	return nil, fmt.Errorf("%s: model_type %q is not supported here (supported dual encoders: %s)", name, head.ModelType, strings.Join(Families, ", "))
}

// Load reads a Hugging Face checkpoint directory (config.json and
// model.safetensors or its shards, F32/F16/BF16) into a model, strictly:
// every missing, unexpected and mis-shaped tensor is listed in one error.
func Load(dir string) (*Loaded, error) {
	if st, err := os.Stat(filepath.Join(dir, hf.ConfigFile)); err != nil || st.IsDir() {
		return nil, fmt.Errorf("%s is not a Hugging Face checkpoint directory: it has no config.json", dir)
	}
	ck, err := hf.ReadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	m, err := New(filepath.Join(dir, hf.ConfigFile), ck.Config)
	if err != nil {
		return nil, err
	}
	if err := nn.LoadState(m, ck, dir, nn.LoadOptions{}); err != nil {
		return nil, err
	}
	return &Loaded{Model: m, Dir: dir, ConfigJSON: ck.Config}, nil
}

// LoadWeights copies a checkpoint directory's weights into an existing
// model of the same architecture, strictly (parameters added by
// fine-tuning methods are not expected in the checkpoint).
func LoadWeights(m DualEncoder, dir string) error {
	ck, err := hf.ReadCheckpoint(dir)
	if err != nil {
		return err
	}
	var added []string
	m.VisitParams("", func(name string, _ **tensor.Tensor) {
		if IsAddedParam(name) {
			added = append(added, name)
		}
	})
	return nn.LoadState(m, ck, dir, nn.LoadOptions{AllowMissing: added})
}

// SaveOptions control Save.
type SaveOptions struct {
	// ConfigJSON is the original config.json to merge over (nil: write
	// the typed config alone).
	ConfigJSON []byte
	// AuxFrom copies tokenizer and preprocessor files from this directory.
	AuxFrom string
	// Write sets sharding and dtype.
	Write hf.WriteOptions
}

// Save writes m as a Hugging Face checkpoint directory. Parameters added
// by fine-tuning methods (LoRA, adapters, prompts, prefixes) are not part
// of the base model and are skipped: merge LoRA first, or save the method
// with peft.
func Save(dir string, m DualEncoder, opt SaveOptions) error {
	cfg, err := hf.MergeJSON(opt.ConfigJSON, m.Config())
	if err != nil {
		return err
	}
	var names []string
	params := map[string]*tensor.Tensor{}
	m.VisitParams("", func(name string, p **tensor.Tensor) {
		if IsAddedParam(name) {
			return
		}
		names = append(names, name)
		params[name] = *p
	})
	sort.Strings(names)
	ck := &hf.Checkpoint{Config: cfg}
	for _, n := range names {
		p := params[n]
		ck.Tensors = append(ck.Tensors, hf.Tensor{Name: n, Shape: append([]int(nil), p.Shape()...), Data: p.Data()})
	}
	wo := opt.Write
	if opt.AuxFrom != "" {
		aux, err := hf.AuxFiles(opt.AuxFrom)
		if err != nil {
			return err
		}
		wo.ExtraFiles = append(wo.ExtraFiles, aux...)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return hf.WriteCheckpoint(dir, ck, wo)
}

// IsAddedParam reports names of parameters created by fine-tuning
// methods (LoRA, adapters, prompts, prefixes), which are not part of a base
// checkpoint.
func IsAddedParam(name string) bool {
	for _, s := range []string{".lora_A.", ".lora_B.", ".attn_adapter.", ".mlp_adapter.", ".prompt.", ".prefix_k", ".prefix_v"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}
