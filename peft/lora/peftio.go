package lora

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// PEFT's file names and key prefix.
const (
	ConfigFile  = "adapter_config.json"
	WeightsFile = "adapter_model.safetensors"
	keyPrefix   = "base_model.model."
)

// Save writes the adapters in PEFT's format into dir (created if needed):
// adapter_config.json and adapter_model.safetensors with keys
// base_model.model.<module>.lora_{A,B}.weight.
func (a *Adapters) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg, err := a.Config.MarshalPEFT()
	if err != nil {
		return err
	}
	var ts []safetensors.Tensor
	for name, p := range a.Params() {
		ts = append(ts, safetensors.Tensor{Name: keyPrefix + name, Shape: p.Shape(), DType: safetensors.F32, F32: p.Data()})
	}
	if err := safetensors.Write(filepath.Join(dir, WeightsFile), ts, map[string]string{"format": "pt"}); err != nil {
		return err
	}
	tmp := filepath.Join(dir, ConfigFile+".tmp")
	if err := os.WriteFile(tmp, append(cfg, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, ConfigFile))
}

// Load reads a PEFT LoRA adapter directory, applies it to m (as Apply, but
// with the saved weights) and returns it. Every saved tensor must belong to
// a created adapter and every adapter must be in the file.
func Load(dir string, m nn.Module, rng *tensor.RNG) (*Adapters, error) {
	cfgPath := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("lora: %w (is %s a PEFT adapter directory?)", err, dir)
	}
	cfg, err := ParseConfig(cfgPath, data)
	if err != nil {
		return nil, err
	}
	wPath := filepath.Join(dir, WeightsFile)
	f, err := safetensors.Open(wPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ad, err := Apply(m, cfg, rng)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	if err := ad.loadWeights(f, wPath); err != nil {
		ad.Remove()
		return nil, err
	}
	return ad, nil
}

// LoadWeights reads the weights of a saved adapter directory into these
// adapters (which must have the same targets and shapes).
func (a *Adapters) LoadWeights(dir string) error {
	wPath := filepath.Join(dir, WeightsFile)
	f, err := safetensors.Open(wPath)
	if err != nil {
		return err
	}
	defer f.Close()
	return a.loadWeights(f, wPath)
}

// loadWeights copies the adapter tensors from f, accepting PEFT's saved
// names (base_model.model.X.lora_A.weight) and live names with the adapter
// name (X.lora_A.default.weight).
func (a *Adapters) loadWeights(f *safetensors.File, path string) error {
	params := a.Params()
	found := map[string]bool{}
	var unexpected []string
	var mismatched []hf.ShapeMismatch
	for _, info := range f.Tensors() {
		name := strings.TrimPrefix(info.Name, keyPrefix)
		name = strings.Replace(name, ".lora_A.default.", ".lora_A.", 1)
		name = strings.Replace(name, ".lora_B.default.", ".lora_B.", 1)
		p, ok := params[name]
		if !ok {
			unexpected = append(unexpected, info.Name)
			continue
		}
		if !tensor.SameShape(p.Shape(), info.Shape) {
			mismatched = append(mismatched, hf.ShapeMismatch{Name: info.Name, Want: p.Shape(), Got: info.Shape})
			continue
		}
		if err := f.Float32sInto(info.Name, p.Data()); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		found[name] = true
	}
	var missing []string
	for n := range params {
		if !found[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	if len(missing)+len(unexpected)+len(mismatched) > 0 {
		return fmt.Errorf("%s: %w", path, &hf.KeyError{Missing: missing, Unexpected: unexpected, Mismatched: mismatched})
	}
	return nil
}

// IsAdapterDir reports whether dir holds a PEFT adapter.
func IsAdapterDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ConfigFile))
	return !errors.Is(err, os.ErrNotExist)
}
