package models

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/vlmtune/vlmtune/nn"
)

// Model is a model of any family: a module whose parameters carry their
// Hugging Face names, with a typed configuration.
type Model interface {
	nn.Module
	// Family returns the Hugging Face model_type ("clip").
	Family() string
	// HFConfig returns the typed configuration, written as config.json.
	HFConfig() any
}

// Family is a model family as it registers itself.
type Family struct {
	// ModelType is config.json's model_type ("clip").
	ModelType string
	// Architectures lists the architecture names (config.json's
	// "architectures") the family builds, such as "CLIPModel". A
	// checkpoint naming none of them is refused; one without
	// architectures is accepted.
	Architectures []string
	// Description is a short phrase for listings and errors ("CLIP dual
	// encoder").
	Description string
	// Kind says which capability the family's models have (KindDualEncoder,
	// KindCausalLM), so commands can name the families they run.
	Kind Kind
	// New decodes config.json (name is the file name used in errors),
	// validates it and builds a model with zero weights.
	New func(name string, configJSON []byte) (Model, error)
}

// registry holds the families, keyed by model_type. It is written only by
// Register, from the families' init functions.
var registry = struct {
	sync.RWMutex
	byType map[string]Family
}{byType: map[string]Family{}}

// Register adds a family. It is called once per family, from the family
// package's init function; registering a model_type twice, or a family
// without a model_type or constructor, is a programming error and panics.
func Register(f Family) {
	if f.ModelType == "" || f.New == nil || f.Kind == "" {
		panic(fmt.Sprintf("models.Register: family %+v needs a model_type, a kind and a constructor", f))
	}
	registry.Lock()
	defer registry.Unlock()
	if _, ok := registry.byType[f.ModelType]; ok {
		panic(fmt.Sprintf("models.Register: model_type %q registered twice", f.ModelType))
	}
	registry.byType[f.ModelType] = f
}

// Kind is what a family's models do.
type Kind string

// The kinds of model.
const (
	// KindDualEncoder models implement DualEncoder (CLIP, SigLIP).
	KindDualEncoder Kind = "dual encoder"
	// KindCausalLM models implement CausalLM (Llama, Mistral, Qwen2, OPT).
	KindCausalLM Kind = "causal language model"
)

// FamiliesOf returns the model_types of the registered families of a kind.
func FamiliesOf(k Kind) []string {
	var out []string
	for _, f := range Families() {
		if f.Kind == k {
			out = append(out, f.ModelType)
		}
	}
	return out
}

// Families returns the registered families, sorted by model_type.
func Families() []Family {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]Family, 0, len(registry.byType))
	for _, f := range registry.byType {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ModelType < out[j].ModelType })
	return out
}

// supported lists the registered families for error messages.
func supported() string {
	var parts []string
	for _, f := range Families() {
		parts = append(parts, fmt.Sprintf("%s (%s)", f.ModelType, f.Description))
	}
	if len(parts) == 0 {
		return "none: no model family is registered; import github.com/vlmtune/vlmtune/models/all"
	}
	return strings.Join(parts, ", ")
}

// lookup finds the family of a config.json by model_type.
func lookup(name, modelType string, archs []string) (Family, error) {
	registry.RLock()
	f, ok := registry.byType[modelType]
	registry.RUnlock()
	if modelType == "" {
		for _, fam := range Families() {
			for _, a := range archs {
				if slices.Contains(fam.Architectures, a) {
					return Family{}, fmt.Errorf("%s: missing key model_type; architectures %v is a %s model: add \"model_type\": %q", name, archs, fam.ModelType, fam.ModelType)
				}
			}
		}
		return Family{}, fmt.Errorf("%s: missing key model_type; vlmtune needs it to know the architecture (supported: %s)", name, supported())
	}
	if !ok {
		return Family{}, fmt.Errorf("%s: model_type %q is not supported here (supported: %s)", name, modelType, supported())
	}
	if len(archs) > 0 && len(f.Architectures) > 0 {
		for _, a := range archs {
			if slices.Contains(f.Architectures, a) {
				return f, nil
			}
		}
		return Family{}, fmt.Errorf("%s: architectures %v are not supported for model_type %q (supported: %s)", name, archs, modelType, strings.Join(f.Architectures, ", "))
	}
	return f, nil
}

// New builds a model with zero weights from a config.json's bytes, with
// the family its model_type names. name is used in
// errors.
func New(name string, configJSON []byte) (Model, error) {
	var head struct {
		ModelType     string   `json:"model_type"`
		Architectures []string `json:"architectures"`
	}
	if err := json.Unmarshal(configJSON, &head); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	f, err := lookup(name, head.ModelType, head.Architectures)
	if err != nil {
		return nil, err
	}
	return f.New(name, configJSON)
}

// Constructor adapts a family's config decoder and model constructor to
// Family.New: it decodes and validates config.json, then builds the model,
// naming the file in errors.
func Constructor[C any, M Model](parse func(name string, data []byte) (*C, error), build func(C) (M, error)) func(string, []byte) (Model, error) {
	return func(name string, configJSON []byte) (Model, error) {
		cfg, err := parse(name, configJSON)
		if err != nil {
			return nil, err
		}
		m, err := build(*cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return m, nil
	}
}
