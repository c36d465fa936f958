package peft

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft/lora"
	"github.com/vlmtune/vlmtune/tensor"
)

// File names of the adapter, prompt and prefix methods' saved state (LoRA
// uses PEFT's adapter_config.json and adapter_model.safetensors).
const (
	SpecFile    = "vlmtune_peft.json"
	WeightsFile = "vlmtune_peft.safetensors"
)

// specJSON is the saved form of a Spec for the adapter, prompt and prefix
// methods.
type specJSON struct {
	Method             string   `json:"method"`
	Freeze             []string `json:"freeze,omitempty"`
	AdapterBottleneck  int      `json:"adapter_bottleneck,omitempty"`
	AdapterActivation  string   `json:"adapter_activation,omitempty"`
	PromptTextTokens   int      `json:"prompt_text_tokens,omitempty"`
	PromptVisionTokens int      `json:"prompt_vision_tokens,omitempty"`
	PrefixTokens       int      `json:"prefix_tokens,omitempty"`
}

// SavesModel reports whether the method changes base weights, so the whole
// model must be saved (full, head, layerwise), rather than only the added
// parameters.
func (a *Applied) SavesModel() bool {
	return a.Spec.Method == Full || a.Spec.Method == Head || a.Spec.Method == LayerWise
}

// Save writes what the method added into dir: a PEFT LoRA adapter, or the
// adapter/prompt/prefix parameters with their spec. For full, head and
// layerwise it writes nothing (save the model instead) and returns nil.
func (a *Applied) Save(dir string) error {
	if a.LoRA != nil {
		return a.LoRA.Save(dir)
	}
	if len(a.Added) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(a.Added))
	for n := range a.Added {
		names = append(names, n)
	}
	sort.Strings(names)
	var ts []safetensors.Tensor
	for _, n := range names {
		p := a.Added[n]
		ts = append(ts, safetensors.Tensor{Name: n, Shape: p.Shape(), DType: safetensors.F32, F32: p.Data()})
	}
	if err := safetensors.Write(filepath.Join(dir, WeightsFile), ts, map[string]string{"format": "vlmtune"}); err != nil {
		return err
	}
	s := a.Spec
	js, err := json.MarshalIndent(specJSON{Method: s.Method, Freeze: s.Freeze, AdapterBottleneck: s.AdapterBottleneck,
		AdapterActivation: s.AdapterActivation, PromptTextTokens: s.PromptTextTokens, PromptVisionTokens: s.PromptVisionTokens,
		PrefixTokens: s.PrefixTokens}, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, SpecFile+".tmp")
	if err := os.WriteFile(tmp, append(js, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, SpecFile))
}

// HasSaved reports whether dir holds a saved method (LoRA or vlmtune's).
func HasSaved(dir string) bool {
	if lora.IsAdapterDir(dir) {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, SpecFile))
	return err == nil
}

// Load installs a saved method from dir on m: a PEFT LoRA adapter or a
// vlmtune adapter/prompt/prefix save.
func Load(dir string, m Model, rng *tensor.RNG) (*Applied, error) {
	if lora.IsAdapterDir(dir) {
		ad, err := lora.Load(dir, m, rng)
		if err != nil {
			return nil, err
		}
		return &Applied{Spec: Spec{Method: LoRA, LoRA: ad.Config}, model: m, LoRA: ad, Added: map[string]*tensor.Tensor{}}, nil
	}
	specPath := filepath.Join(dir, SpecFile)
	data, err := os.ReadFile(specPath)
	if err != nil {
		return nil, fmt.Errorf("peft: %s holds neither a PEFT adapter (adapter_config.json) nor a vlmtune method (%s): %w", dir, SpecFile, err)
	}
	var sj specJSON
	if err := json.Unmarshal(data, &sj); err != nil {
		return nil, fmt.Errorf("%s: %v", specPath, err)
	}
	spec := Spec{Method: sj.Method, Freeze: sj.Freeze, AdapterBottleneck: sj.AdapterBottleneck, AdapterActivation: sj.AdapterActivation,
		PromptTextTokens: sj.PromptTextTokens, PromptVisionTokens: sj.PromptVisionTokens, PrefixTokens: sj.PrefixTokens}
	if spec.Method != Adapter && spec.Method != Prompt && spec.Method != PrefixT {
		return nil, fmt.Errorf("%s: method %q is not saved as added parameters (want adapter, prompt or prefix)", specPath, spec.Method)
	}
	a, err := Apply(m, spec, rng)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", specPath, err)
	}
	if err := a.LoadWeights(dir); err != nil {
		return nil, err
	}
	return a, nil
}

// LoadWeights reads the parameters saved by Save from dir into this
// installed method (same spec), strictly.
func (a *Applied) LoadWeights(dir string) error {
	if a.LoRA != nil {
		return a.LoRA.LoadWeights(dir)
	}
	if len(a.Added) == 0 {
		return nil
	}
	wPath := filepath.Join(dir, WeightsFile)
	f, err := safetensors.Open(wPath)
	if err != nil {
		return err
	}
	defer f.Close()
	return nn.LoadState(addedModule(a.Added), f, wPath, nn.LoadOptions{})
}

// addedModule exposes a name→tensor map as an nn.Module.
type addedModule map[string]*tensor.Tensor

// Declare declares the tensors under their full names.
func (m addedModule) Declare(d *nn.Decl) {
	for n := range m {
		p := m[n]
		d.Param(n, &p)
	}
}
