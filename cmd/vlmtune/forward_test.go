package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/tensor"
)

func TestForwardCommandMatchesReference(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	out := filepath.Join(t.TempDir(), "out.safetensors")
	ref := filepath.Join(dir, "reference.safetensors")
	if _, err := runCLI(t, "forward", "--model", dir, "--inputs", ref, "--out", out, "--grads", "--no-attention-mask=false"); err != nil {
		t.Fatal(err)
	}
	got := parity.Open(t, out)
	want := parity.Open(t, ref)
	for _, name := range []string{"text_embeds", "image_embeds", "logits_per_image", "logits_per_text", "text_last_hidden_state",
		"vision_last_hidden_state", "text_pooler_output", "vision_pooler_output", "loss"} {
		parity.Check(t, name, parity.F32(t, got, name), parity.F32(t, want, name))
	}
	grads := parity.Open(t, filepath.Join(dir, "grads.safetensors"))
	n := 0
	for _, info := range grads.Tensors() {
		name := "grad." + strings.TrimPrefix(info.Name, "grad.")
		parity.Check(t, name, parity.F32(t, got, name), parity.F32(t, grads, info.Name))
		n++
	}
	if n == 0 {
		t.Fatal("no gradients compared")
	}
}

func TestForwardCommandErrors(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	out := filepath.Join(t.TempDir(), "out.safetensors")
	_, err := runCLI(t, "forward", "--model", t.TempDir(), "--inputs", "x", "--out", out, "--grads=false", "--no-attention-mask=false")
	wantErr(t, err, "not a Hugging Face checkpoint directory")
	// An inputs file without pixel_values: the grads file has none.
	_, err = runCLI(t, "forward", "--model", dir, "--inputs", filepath.Join(dir, "model.safetensors"), "--out", out, "--grads=false", "--no-attention-mask=false")
	wantErr(t, err, "input_ids")
	if err != nil && !strings.Contains(err.Error(), "model.safetensors") {
		t.Fatalf("error does not name the file: %v", err)
	}
}

// maskedRows keeps the rows of logits [B, T, V] whose attention_mask is 1
// (transformers' values at padded positions are not meaningful).
func maskedRows(t *testing.T, logits *tensor.Tensor, mask []int32) *tensor.Tensor {
	t.Helper()
	var rows []int
	for i, v := range mask {
		if v != 0 {
			rows = append(rows, i)
		}
	}
	return tensor.IndexSelect(tensor.Reshape(logits, logits.Dim(0)*logits.Dim(1), logits.Dim(2)), 0, rows)
}

// forward on a causal LM writes transformers' logits, hidden states, loss
// and every parameter gradient (llama_gen_tiny's training batch).
func TestForwardCausalLM(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "llama_gen_tiny")
	ref := parity.Open(t, filepath.Join(dir, "reference.safetensors"))
	tmp := t.TempDir()
	in := filepath.Join(tmp, "in.safetensors")
	writeIntInputs(t, ref, in, "input_ids=train_input_ids", "attention_mask=train_attention_mask", "labels=train_labels")
	out := filepath.Join(tmp, "out.safetensors")
	if _, err := runCLI(t, "forward", "--model", dir, "--inputs", in, "--out", out, "--grads"); err != nil {
		t.Fatal(err)
	}
	got := parity.Open(t, out)
	mask := parity.I32(t, ref, "train_attention_mask")
	parity.Check(t, "logits", maskedRows(t, parity.F32(t, got, "logits"), mask), maskedRows(t, parity.F32(t, ref, "train_logits"), mask))
	parity.CheckLoss(t, parity.F32(t, got, "loss").Item(), parity.F32(t, ref, "loss").Item())
	if hs := parity.F32(t, got, "hidden_states"); hs.Dim(0) != 3 {
		t.Errorf("hidden_states %v, want [layers+1=3, B, T, hidden]", hs.Shape())
	}
	grads := parity.Open(t, filepath.Join(dir, "grads.safetensors"))
	for _, info := range grads.Tensors() {
		parity.Check(t, "grad."+info.Name, parity.F32(t, got, "grad."+info.Name), parity.F32(t, grads, info.Name))
	}
}

// forward --adapter applies a PEFT LoRA adapter: PEFT's logits, loss and
// adapter gradients under PEFT's names (lora_llama_tiny).
func TestForwardAdapter(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "lora_llama_tiny")
	ref := filepath.Join(dir, "reference.safetensors")
	r := parity.Open(t, ref)
	in := filepath.Join(t.TempDir(), "in.safetensors")
	writeIntInputs(t, r, in, "input_ids", "attention_mask", "labels")
	out := filepath.Join(t.TempDir(), "out.safetensors")
	if _, err := runCLI(t, "forward", "--model", filepath.Join(dir, "base"), "--adapter", dir, "--inputs", in, "--out", out, "--grads"); err != nil {
		t.Fatal(err)
	}
	got := parity.Open(t, out)
	mask := parity.I32(t, r, "attention_mask")
	parity.Check(t, "logits", maskedRows(t, parity.F32(t, got, "logits"), mask), maskedRows(t, parity.F32(t, r, "logits"), mask))
	parity.CheckLoss(t, parity.F32(t, got, "loss").Item(), parity.F32(t, r, "loss").Item())
	grads := parity.Open(t, filepath.Join(dir, "lora_grads.safetensors"))
	n := 0
	for _, info := range grads.Tensors() {
		parity.Check(t, "grad."+info.Name, parity.F32(t, got, "grad."+info.Name), parity.F32(t, grads, info.Name))
		n++
	}
	for _, info := range got.Tensors() {
		if strings.HasPrefix(info.Name, "grad.") && !strings.Contains(info.Name, "lora_") {
			t.Errorf("%s: a frozen base parameter has a gradient", info.Name)
		}
	}
	if n == 0 {
		t.Fatal("no adapter gradients compared")
	}
}

// writeIntInputs writes integer arrays of a reference file to path, each
// given as "name" or "name=reference name", with their shapes.
func writeIntInputs(t *testing.T, ref *safetensors.File, path string, names ...string) {
	t.Helper()
	var ts []safetensors.Tensor
	for _, n := range names {
		to, from, ok := strings.Cut(n, "=")
		if !ok {
			from = to
		}
		v, err := ref.Int64s(from)
		if err != nil {
			t.Fatal(err)
		}
		info, err := ref.Info(from)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, safetensors.Int64Tensor(to, info.Shape, v))
	}
	if err := safetensors.Write(path, ts, nil); err != nil {
		t.Fatal(err)
	}
}
