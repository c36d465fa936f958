package lora

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/internal/kernels"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// Layer is the LoRA adapter of one Linear. It implements nn.LinearAdapter.
type Layer struct {
	Name    string         // the adapted module's name
	A       *tensor.Tensor // lora_A.weight [r, in]
	B       *tensor.Tensor // lora_B.weight [out, r]
	Scaling float32
	Dropout float32
	// RNG draws dropout masks while Training is set.
	RNG      *tensor.RNG
	Training bool
	// Disabled bypasses the adapter (PEFT's disable_adapter()).
	Disabled bool

	base   *nn.Linear
	merged []float32 // the base weight before merging, when merged
}

// Forward adds the low-rank update to the base output.
func (l *Layer) Forward(x, base *tensor.Tensor) *tensor.Tensor {
	if l.merged != nil || l.Disabled {
		return base
	}
	h := x
	if l.Training && l.Dropout > 0 && l.RNG != nil {
		h = tensor.Dropout(h, l.Dropout, l.RNG)
	}
	d := tensor.Linear(tensor.Linear(h, l.A, nil), l.B, nil)
	return tensor.Add(base, tensor.MulScalar(d, l.Scaling))
}

// Declare declares lora_A.weight and lora_B.weight.
func (l *Layer) Declare(d *nn.Decl) {
	d.Param("lora_A.weight", &l.A)
	d.Param("lora_B.weight", &l.B)
}

// SetTraining switches dropout on or off.
func (l *Layer) SetTraining(on bool) { l.Training = on }

// Merged reports whether the update is folded into the base weight.
func (l *Layer) Merged() bool { return l.merged != nil }

// Merge folds scaling·B·A into the base weight, keeping the original
// weight so that Unmerge restores it bit for bit.
func (l *Layer) Merge() {
	if l.merged != nil {
		return
	}
	w := l.base.Weight.Data()
	l.merged = append([]float32(nil), w...)
	out, r := l.B.Dim(0), l.B.Dim(1)
	in := l.A.Dim(1)
	kernels.Gemm(false, false, out, in, r, l.Scaling, l.B.Data(), r, l.A.Data(), in, 1, w, in)
}

// Unmerge restores the base weight saved by Merge.
func (l *Layer) Unmerge() {
	if l.merged == nil {
		return
	}
	copy(l.base.Weight.Data(), l.merged)
	l.merged = nil
}

// Adapters is the set of LoRA layers applied to one model.
type Adapters struct {
	Config Config
	Layers []*Layer // sorted by name
}

// Apply attaches a LoRA adapter to every Linear of m whose name matches
// cfg, freezes every other parameter, and returns the adapters. A is drawn
// from rng like PEFT's default (Kaiming-uniform, a = √5: U(−1/√in, 1/√in));
// B is zero. It fails, changing nothing, when no module matches or a
// matched module is not a Linear.
func Apply(m nn.Module, cfg Config, rng *tensor.RNG) (*Adapters, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var targets []*nn.Linear
	var names []string
	var bad []string
	all := cfg.IsAllLinear()
	nn.Walk(m, func(name string, mod nn.Module) {
		if name == "" || !cfg.Matches(name) {
			return
		}
		lin, ok := mod.(*nn.Linear)
		if all && (!ok || name == "lm_head" || strings.HasSuffix(name, ".lm_head")) {
			return
		}
		if !ok {
			bad = append(bad, fmt.Sprintf("%s (%T)", name, mod))
			return
		}
		if lin.Adapter != nil {
			bad = append(bad, name+" (already adapted)")
			return
		}
		targets = append(targets, lin)
		names = append(names, name)
	})
	if len(bad) > 0 {
		return nil, fmt.Errorf("lora: target modules match modules that are not plain linear layers: %s", strings.Join(bad, ", "))
	}
	if len(targets) == 0 {
		desc := strings.Join(cfg.TargetModules, ", ")
		if cfg.TargetRegex != "" {
			desc = "regex " + cfg.TargetRegex
		}
		return nil, fmt.Errorf("lora: target modules [%s] match no module of the model; linear layers are named like %s", desc, exampleLinears(m))
	}
	nn.SetTrainable(m, false)
	ad := &Adapters{Config: cfg}
	for i, lin := range targets {
		in, out := lin.In(), lin.Out()
		bound := float32(1 / math.Sqrt(float64(in)))
		l := &Layer{
			Name: names[i], A: tensor.RandU(rng, -bound, bound, cfg.R, in).SetRequiresGrad(true),
			B: tensor.Zeros(out, cfg.R).SetRequiresGrad(true), Scaling: cfg.Scaling(), Dropout: float32(cfg.Dropout),
			RNG: rng, base: lin,
		}
		lin.Adapter = l
		ad.Layers = append(ad.Layers, l)
	}
	sort.Slice(ad.Layers, func(i, j int) bool { return ad.Layers[i].Name < ad.Layers[j].Name })
	return ad, nil
}

// exampleLinears lists a few Linear names of m for error messages.
func exampleLinears(m nn.Module) string {
	var ex []string
	nn.Walk(m, func(name string, mod nn.Module) {
		if _, ok := mod.(*nn.Linear); ok && len(ex) < 4 {
			ex = append(ex, name)
		}
	})
	if len(ex) == 0 {
		return "(the model has no linear layers)"
	}
	return strings.Join(ex, ", ")
}

// Merge folds every adapter into its base weight.
func (a *Adapters) Merge() {
	for _, l := range a.Layers {
		l.Merge()
	}
}

// Unmerge restores every base weight.
func (a *Adapters) Unmerge() {
	for _, l := range a.Layers {
		l.Unmerge()
	}
}

// SetEnabled turns every adapter on or off.
func (a *Adapters) SetEnabled(on bool) {
	for _, l := range a.Layers {
		l.Disabled = !on
	}
}

// SetTraining switches dropout on or off in every adapter.
func (a *Adapters) SetTraining(on bool) {
	for _, l := range a.Layers {
		l.Training = on
	}
}

// Remove detaches the adapters from the model (after Merge, the model
// keeps the merged weights and is a plain model again).
func (a *Adapters) Remove() {
	for _, l := range a.Layers {
		if l.merged != nil {
			l.merged = nil // keep the merged weights
		}
		l.base.Adapter = nil
	}
}

// Params returns the adapter parameters by their names in the model.
func (a *Adapters) Params() map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	for _, l := range a.Layers {
		out[l.Name+".lora_A.weight"] = l.A
		out[l.Name+".lora_B.weight"] = l.B
	}
	return out
}

// TrainableCount is r·(in + out) summed over the adapted layers.
func (a *Adapters) TrainableCount() int64 {
	var n int64
	for _, l := range a.Layers {
		n += int64(l.A.Len() + l.B.Len())
	}
	return n
}
