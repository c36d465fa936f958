package peft

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft/lora"
	"github.com/vlmtune/vlmtune/tensor"
)

// The methods.
const (
	Full      = "full"
	Head      = "head"
	LayerWise = "layerwise"
	LoRA      = "lora"
	Adapter   = "adapter"
	Prompt    = "prompt"
	PrefixT   = "prefix"
)

// Methods lists the method names.
var Methods = []string{Full, Head, LayerWise, LoRA, Adapter, Prompt, PrefixT}

// Spec selects a method and its options.
type Spec struct {
	Method string
	// Freeze lists towers ("text", "vision") that stay frozen whatever the
	// method.
	Freeze []string
	LoRA   lora.Config
	// Adapter: bottleneck width and activation of Houlsby adapters.
	AdapterBottleneck int
	AdapterActivation string
	// Prompt: soft text tokens and visual prompt tokens.
	PromptTextTokens, PromptVisionTokens int
	// Prefix: key/value prefix length per attention layer.
	PrefixTokens int
	// LayerWise: train the top TopK layers of each tower; when
	// UnfreezeEvery > 0, unfreeze one more layer every UnfreezeEvery
	// epochs (gradual unfreezing).
	TopK, UnfreezeEvery int
}

// Model is what the methods need of a model: its parameters and layout.
type Model interface {
	nn.Module
	Layout() nn.Layout
}

// Prompter is a model that takes prompt-tuning tokens (a dual encoder).
type Prompter interface {
	SetTextPrompt(nn.TextPrompt) error
	SetVisualPrompt(nn.VisualPrompt) error
}

// Validate checks the spec against the method's needs.
func (s Spec) Validate() error {
	if !slices.Contains(Methods, s.Method) {
		return fmt.Errorf("method %q is not one of %s", s.Method, strings.Join(Methods, ", "))
	}
	for _, f := range s.Freeze {
		if f != "text" && f != "vision" {
			return fmt.Errorf("freeze: %q is not a tower (text or vision)", f)
		}
	}
	switch s.Method {
	case LoRA:
		return s.LoRA.Validate()
	case Adapter:
		if s.AdapterBottleneck <= 0 {
			return fmt.Errorf("adapter.bottleneck must be positive, got %d", s.AdapterBottleneck)
		}
		if _, err := nn.ActivationByName(s.activation()); err != nil {
			return fmt.Errorf("adapter.activation: %w", err)
		}
	case Prompt:
		if s.PromptTextTokens < 0 || s.PromptVisionTokens < 0 || s.PromptTextTokens+s.PromptVisionTokens == 0 {
			return fmt.Errorf("prompt: text_tokens and vision_tokens must be ≥ 0 and not both 0 (got %d and %d)", s.PromptTextTokens, s.PromptVisionTokens)
		}
	case PrefixT:
		if s.PrefixTokens <= 0 {
			return fmt.Errorf("prefix.tokens must be positive, got %d", s.PrefixTokens)
		}
	case LayerWise:
		if s.TopK < 0 || s.UnfreezeEvery < 0 {
			return fmt.Errorf("layerwise: top_k (%d) and unfreeze_every (%d) must be ≥ 0", s.TopK, s.UnfreezeEvery)
		}
	}
	return nil
}

func (s Spec) activation() string {
	if s.AdapterActivation == "" {
		return "relu"
	}
	return s.AdapterActivation
}

func (s Spec) frozen(tower string) bool { return slices.Contains(s.Freeze, tower) }

// Applied is a method installed on a model.
type Applied struct {
	Spec  Spec
	model Model
	// LoRA holds the adapters of the lora method.
	LoRA *lora.Adapters
	// Added holds the parameters the method created (adapter, prompt and
	// prefix methods), by full name.
	Added map[string]*tensor.Tensor
	// topK is the current number of trainable layers per tower
	// (layerwise).
	topK int
}

// Apply installs spec on m: it creates the method's parameters (drawn from
// rng) and sets which parameters are trainable.
func Apply(m Model, spec Spec, rng *tensor.RNG) (*Applied, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	a := &Applied{Spec: spec, model: m, Added: map[string]*tensor.Tensor{}}
	layout := m.Layout()
	switch spec.Method {
	case Full:
		nn.SetTrainable(m, true)
	case Head:
		nn.SetTrainable(m, false)
		for _, p := range layout.Head {
			p.SetRequiresGrad(true)
		}
	case LayerWise:
		a.topK = spec.TopK
		a.setLayerWise()
		return a, nil // towers handled inside
	case LoRA:
		ad, err := lora.Apply(m, spec.LoRA, rng)
		if err != nil {
			return nil, err
		}
		a.LoRA = ad
	case Adapter:
		nn.SetTrainable(m, false)
		act, _ := nn.ActivationByName(spec.activation())
		for _, t := range layout.Towers {
			if spec.frozen(t.Name) {
				continue
			}
			for i, l := range t.Layers {
				h, ok := l.(nn.AdapterHost)
				if !ok {
					return nil, fmt.Errorf("method adapter: layer %d of the %s tower (%T) takes no bottleneck adapters", i, t.Name, l)
				}
				h.SetAdapters(NewBottleneck(t.Width, spec.AdapterBottleneck, act, rng), NewBottleneck(t.Width, spec.AdapterBottleneck, act, rng))
			}
		}
	case Prompt:
		p, ok := m.(Prompter)
		if !ok {
			return nil, fmt.Errorf("method prompt: a %T takes no prompt tokens (prompt tuning is for dual encoders)", m)
		}
		nn.SetTrainable(m, false)
		if spec.PromptTextTokens > 0 && !spec.frozen("text") {
			t := layout.Tower("text")
			if err := p.SetTextPrompt(NewTextPrompt(spec.PromptTextTokens, t.Width, rng)); err != nil {
				return nil, err
			}
		}
		if spec.PromptVisionTokens > 0 && !spec.frozen("vision") {
			t := layout.Tower("vision")
			if err := p.SetVisualPrompt(NewVisualPrompt(spec.PromptVisionTokens, t.Width, patchSize(m), rng)); err != nil {
				return nil, err
			}
		}
	case PrefixT:
		nn.SetTrainable(m, false)
		for _, t := range layout.Towers {
			if spec.frozen(t.Name) {
				continue
			}
			for i, l := range t.Layers {
				h, ok := l.(nn.PrefixHost)
				if !ok {
					return nil, fmt.Errorf("method prefix: layer %d of the %s tower (%T) takes no key/value prefix", i, t.Name, l)
				}
				h.SetPrefix(NewPrefix(spec.PrefixTokens, h.PrefixWidth(), rng))
			}
		}
	}
	if spec.Method == Adapter || spec.Method == Prompt || spec.Method == PrefixT {
		a.collectAdded()
	}
	for _, p := range a.Added {
		p.SetRequiresGrad(true)
	}
	if spec.Method == Full || spec.Method == Head {
		for _, t := range layout.Towers {
			if spec.frozen(t.Name) {
				nn.SetTrainable(t.Module, false)
			}
		}
	}
	return a, nil
}

// patchSize finds the ViT patch size (for the visual prompt's init).
func patchSize(m Model) int {
	p := 16
	nn.Walk(m, func(_ string, mod nn.Module) {
		if pe, ok := mod.(*nn.PatchEmbed); ok {
			p = pe.Patch
		}
	})
	return p
}

// collectAdded records the parameters the method installed: the model's
// extension parameters (nn.Decl.Extension), which the model declares at
// the hook points the method filled.
func (a *Applied) collectAdded() {
	nn.Visit(a.model, func(p nn.Param) {
		if p.Extension {
			a.Added[p.Name] = *p.Slot
		}
	})
}

// setLayerWise makes the top topK layers of each unfrozen tower, the
// tower's post-encoder blocks and the head trainable.
func (a *Applied) setLayerWise() {
	m, layout := a.model, a.model.Layout()
	nn.SetTrainable(m, false)
	for _, t := range layout.Towers {
		if a.Spec.frozen(t.Name) {
			continue
		}
		n := len(t.Layers)
		for i := max(n-a.topK, 0); i < n; i++ {
			nn.SetTrainable(t.Layers[i], true)
		}
		for _, post := range t.Post {
			nn.SetTrainable(post, true)
		}
	}
	for _, p := range layout.Head {
		p.SetRequiresGrad(true)
	}
}

// OnEpoch applies gradual unfreezing at the start of epoch (0-based): with
// UnfreezeEvery = N, layer count TopK + epoch/N. It reports whether the
// trainable set changed (the optimizer must then learn about new
// parameters).
func (a *Applied) OnEpoch(epoch int) bool {
	if a.Spec.Method != LayerWise || a.Spec.UnfreezeEvery <= 0 {
		return false
	}
	k := a.Spec.TopK + epoch/a.Spec.UnfreezeEvery
	if k == a.topK {
		return false
	}
	a.topK = k
	a.setLayerWise()
	return true
}

// TopK returns the current number of trainable layers per tower
// (layerwise).
func (a *Applied) TopK() int { return a.topK }

// Trainable returns the names of the trainable parameters, sorted.
func (a *Applied) Trainable() []string {
	var names []string
	nn.Visit(a.model, func(p nn.Param) {
		if (*p.Slot).RequiresGrad() {
			names = append(names, p.Name)
		}
	})
	sort.Strings(names)
	return names
}

// Describe is a one-line summary for logs: method, trainable and total
// parameter counts and percentage.
func (a *Applied) Describe() string {
	tr, tot := nn.CountParams(a.model)
	return fmt.Sprintf("method %s: %d trainable of %d parameters (%.3f%%)", a.Spec.Method, tr, tot, 100*float64(tr)/float64(max(tot, 1)))
}
