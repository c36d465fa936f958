package models

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// Loaded is a model read from a checkpoint directory.
type Loaded struct {
	Model Model
	// Dir is the directory it came from.
	Dir string
	// ConfigJSON is config.json as read, so that Save keeps unknown keys.
	ConfigJSON []byte
}

// Load reads a Hugging Face checkpoint directory (config.json and
// model.safetensors or its shards, F32/F16/BF16) into a model of the
// family config.json names, strictly: every missing, unexpected and
// mis-shaped tensor is listed in one error.
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
	if err := nn.LoadState(m, ck, dir, nn.LoadOptions{IgnoreUnexpected: tiedKeys(m)}); err != nil {
		return nil, err
	}
	return &Loaded{Model: m, Dir: dir, ConfigJSON: ck.Config}, nil
}

// Tied is a model with tied weights (an lm_head sharing the embedding
// table): a checkpoint may store TiedKeys besides the tensor they share,
// and loading skips them, as transformers re-ties them.
type Tied interface {
	TiedKeys() []string
}

func tiedKeys(m Model) []string {
	if t, ok := m.(Tied); ok {
		return t.TiedKeys()
	}
	return nil
}

// LoadWeights copies a checkpoint directory's weights into an existing
// model of the same architecture, strictly; parameters that fine-tuning
// methods added (extensions) are not expected in the checkpoint.
func LoadWeights(m Model, dir string) error {
	ck, err := hf.ReadCheckpoint(dir)
	if err != nil {
		return err
	}
	return nn.LoadState(m, ck, dir, nn.LoadOptions{SkipExtensions: true, IgnoreUnexpected: tiedKeys(m)})
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
func Save(dir string, m Model, opt SaveOptions) error {
	cfg, err := hf.MergeJSON(opt.ConfigJSON, m.HFConfig())
	if err != nil {
		return err
	}
	var names []string
	params := map[string]*tensor.Tensor{}
	nn.Visit(m, func(p nn.Param) {
		if !p.Extension {
			names = append(names, p.Name)
			params[p.Name] = *p.Slot
		}
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
