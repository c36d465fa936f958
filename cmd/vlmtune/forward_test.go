package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models/parity"
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
