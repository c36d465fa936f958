package lora

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models"
	_ "github.com/vlmtune/vlmtune/models/all"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// A PEFT LoRA adapter on a Llama gives PEFT's logits, loss and adapter
// gradients; disabled, the base model's logits; merged, PEFT's merged
// weights and logits (lora_llama_tiny).
func TestPEFTParityLoRALlamaTiny(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "lora_llama_tiny")
	l, err := models.Load(filepath.Join(dir, "base"))
	if err != nil {
		t.Fatal(err)
	}
	m := l.Model.(models.CausalLM)
	ad, err := Load(dir, m, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(ad.Layers) != 2*7 {
		t.Fatalf("%d adapted layers, want 14 (7 projections in 2 layers)", len(ad.Layers))
	}
	ref := parity.Open(t, filepath.Join(dir, "reference.safetensors"))
	ids := parity.I32(t, ref, "input_ids")
	mask := parity.I32(t, ref, "attention_mask")
	info, _ := ref.Info("input_ids")
	b := models.TokenBatch{IDs: ids, Mask: mask, Labels: parity.I32(t, ref, "labels"), B: info.Shape[0], T: info.Shape[1]}
	keep := func(x *tensor.Tensor) *tensor.Tensor {
		var rows []int
		for i, v := range mask {
			if v != 0 {
				rows = append(rows, i)
			}
		}
		return tensor.IndexSelect(tensor.Reshape(x.Detach(), x.Dim(0)*x.Dim(1), x.Dim(2)), 0, rows)
	}
	o, err := m.ForwardLM(tensor.NewScope(), b, models.LMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parity.Check(t, "logits", keep(o.Logits), keep(parity.F32(t, ref, "logits")))
	parity.CheckLoss(t, o.Loss.Item(), parity.F32(t, ref, "loss").Item())
	o.Loss.Backward()
	grads := parity.Open(t, filepath.Join(dir, "lora_grads.safetensors"))
	params := ad.Params()
	for _, info := range grads.Tensors() {
		name := strings.TrimPrefix(info.Name, "base_model.model.")
		name = strings.Replace(strings.Replace(name, ".lora_A.default.", ".lora_A.", 1), ".lora_B.default.", ".lora_B.", 1)
		p := params[name]
		if p == nil || p.Grad() == nil {
			t.Fatalf("no gradient for %s", info.Name)
		}
		parity.Check(t, "grad."+name, p.Grad(), parity.F32(t, grads, info.Name))
	}
	quiet := tensor.NewInferenceScope()
	b.Labels = nil
	ad.SetEnabled(false)
	o, _ = m.ForwardLM(quiet, b, models.LMOptions{})
	parity.Check(t, "logits_adapter_disabled", keep(o.Logits), keep(parity.F32(t, ref, "logits_adapter_disabled")))
	ad.SetEnabled(true)
	ad.Merge()
	o, _ = m.ForwardLM(quiet, b, models.LMOptions{})
	parity.Check(t, "merged_logits", keep(o.Logits), keep(parity.F32(t, ref, "merged_logits")))
	merged := parity.Open(t, filepath.Join(dir, "merged_model.safetensors"))
	base := nn.Params(m)
	for _, info := range merged.Tensors() {
		parity.Check(t, "merged "+info.Name, base[info.Name], parity.F32(t, merged, info.Name))
	}
}

// all-linear adapts every linear layer but lm_head.
func TestAllLinear(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "lora_llama_tiny")
	l, err := models.Load(filepath.Join(dir, "base"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []Config{{R: 2, Alpha: 4, TargetRegex: AllLinear}, {R: 2, Alpha: 4, TargetModules: []string{AllLinear}}} {
		l, _ = models.Load(filepath.Join(dir, "base"))
		ad, err := Apply(l.Model, cfg, tensor.NewRNG(1))
		if err != nil {
			t.Fatal(err)
		}
		if len(ad.Layers) != 14 {
			t.Fatalf("%d layers adapted, want 14", len(ad.Layers))
		}
		for _, layer := range ad.Layers {
			if strings.Contains(layer.Name, "lm_head") {
				t.Fatal("all-linear adapted lm_head")
			}
		}
		js, _ := cfg.MarshalPEFT()
		if !strings.Contains(string(js), `"target_modules": "all-linear"`) {
			t.Fatalf("adapter_config.json %s", js)
		}
	}
}
