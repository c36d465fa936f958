package models_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/internal/testutil"
	. "github.com/vlmtune/vlmtune/models"
	_ "github.com/vlmtune/vlmtune/models/all"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// batchFrom reads the reference inputs of a parity fixture.
func batchFrom(t *testing.T, dir string, withMask bool) PairBatch {
	ref := parity.Open(t, filepath.Join(dir, "reference.safetensors"))
	ids := parity.I32(t, ref, "input_ids")
	b := PairBatch{IDs: ids, B: 3, T: len(ids) / 3, Pixels: parity.F32(t, ref, "pixel_values")}
	if withMask {
		b.Mask = parity.I32(t, ref, "attention_mask")
	}
	return b
}

// checkAgainstReference compares logits, embeddings, loss and every
// gradient with the fixture, with relative tolerance tol.
func checkAgainstReference(t *testing.T, model Model, dir string, tol float64) {
	t.Helper()
	m := model.(DualEncoder)
	ref := parity.Open(t, filepath.Join(dir, "reference.safetensors"))
	nn.SetTrainable(m, true)
	out := m.Contrast(tensor.NewScope(), batchFrom(t, dir, m.UsesTextMask()), true, nil)
	rel := func(name string, got *tensor.Tensor, want *tensor.Tensor) {
		if e := testutil.RelL2(got.Data(), want.Data()); e > tol && testutil.L2(want.Data()) > parity.ZeroTol {
			t.Errorf("%s: relative L2 error %.3g > %.0g", name, e, tol)
		}
	}
	rel("logits_per_image", out.LogitsPerImage, parity.F32(t, ref, "logits_per_image"))
	rel("text_embeds", out.TextEmbeds, parity.F32(t, ref, "text_embeds"))
	rel("image_embeds", out.ImageEmbeds, parity.F32(t, ref, "image_embeds"))
	if want := parity.F32(t, ref, "loss").Item(); math.Abs(float64(out.Loss.Item()-want)) > tol*math.Max(1, math.Abs(float64(want))) {
		t.Errorf("loss %v, want %v", out.Loss.Item(), want)
	}
	out.Loss.Backward()
	grads := parity.Open(t, filepath.Join(dir, "grads.safetensors"))
	params := nn.Params(m)
	for _, info := range grads.Tensors() {
		name := strings.TrimPrefix(info.Name, "grad.")
		rel("grad."+name, params[name].Grad(), parity.F32(t, grads, info.Name))
	}
}

func TestLoadFixtures(t *testing.T) {
	for _, fam := range []string{"clip_tiny", "siglip_tiny"} {
		t.Run(fam, func(t *testing.T) {
			dir := testutil.Fixture(t, "hf-parity", fam)
			l, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstReference(t, l.Model, dir, parity.OutputTol)
		})
	}
}

func paramsEqual(t *testing.T, a, b Model) {
	t.Helper()
	pa, pb := nn.Params(a), nn.Params(b)
	if len(pa) != len(pb) {
		t.Fatalf("%d vs %d parameters", len(pa), len(pb))
	}
	for n, p := range pa {
		q := pb[n]
		for i, v := range p.Data() {
			if math.Float32bits(v) != math.Float32bits(q.Data()[i]) {
				t.Fatalf("%s differs at %d: %v vs %v", n, i, v, q.Data()[i])
			}
		}
	}
}

// Written checkpoints load back bit-identically (single file and
// sharded), keep config keys and auxiliary files, and pass parity.
func TestSaveRoundTrip(t *testing.T) {
	for _, fam := range []string{"clip_tiny", "siglip_tiny"} {
		t.Run(fam, func(t *testing.T) {
			dir := testutil.Fixture(t, "hf-parity", fam)
			l, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, shard := range []int64{0, 64 << 10} {
				out := t.TempDir()
				if err := Save(out, l.Model, SaveOptions{ConfigJSON: l.ConfigJSON, AuxFrom: dir, Write: hf.WriteOptions{MaxShardSize: shard}}); err != nil {
					t.Fatal(err)
				}
				if shard > 0 {
					if _, err := os.Stat(filepath.Join(out, "model.safetensors.index.json")); err != nil {
						t.Fatalf("sharded save wrote no index: %v", err)
					}
				}
				l2, err := Load(out)
				if err != nil {
					t.Fatal(err)
				}
				paramsEqual(t, l.Model, l2.Model)
				checkAgainstReference(t, l2.Model, dir, parity.OutputTol)
				cfg, _ := os.ReadFile(filepath.Join(out, "config.json"))
				if !strings.Contains(string(cfg), `"transformers_version": "4.44.2"`) || !strings.Contains(string(cfg), `"architectures"`) {
					t.Errorf("config.json lost keys:\n%s", cfg)
				}
				if fam == "clip_tiny" {
					for _, f := range []string{"vocab.json", "merges.txt", "preprocessor_config.json", "tokenizer_config.json"} {
						if _, err := os.Stat(filepath.Join(out, f)); err != nil {
							t.Errorf("auxiliary file %s not copied", f)
						}
					}
				}
			}
		})
	}
}

// F16 and BF16 checkpoints load as exactly the rounded weights; the model
// then stays close to the float32 reference.
func TestHalfPrecisionCheckpoints(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	for _, c := range []struct {
		dt    safetensors.DType
		round func(float32) float32
		tol   float64
	}{
		{safetensors.F16, func(v float32) float32 { return safetensors.F16ToF32(safetensors.F32ToF16(v)) }, 2e-3},
		{safetensors.BF16, func(v float32) float32 { return safetensors.BF16ToF32(safetensors.F32ToBF16(v)) }, 5e-2},
	} {
		t.Run(string(c.dt), func(t *testing.T) {
			l, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			if err := Save(out, l.Model, SaveOptions{ConfigJSON: l.ConfigJSON, Write: hf.WriteOptions{DType: c.dt}}); err != nil {
				t.Fatal(err)
			}
			half, err := Load(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range nn.Params(l.Model) {
				d := p.Data()
				for i := range d {
					d[i] = c.round(d[i])
				}
			}
			paramsEqual(t, l.Model, half.Model)
			checkAgainstReference(t, half.Model, dir, c.tol)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	cp := func(t *testing.T, mutate func(dir string)) string {
		out := t.TempDir()
		for _, f := range []string{"config.json", "model.safetensors"} {
			data, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, f), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mutate(out)
		return out
	}
	cases := []struct {
		name   string
		mutate func(dir string)
		want   []string
	}{
		{"no model_type", func(d string) {
			os.WriteFile(filepath.Join(d, "config.json"), []byte(`{"projection_dim": 32}`), 0o644)
		}, []string{"config.json", "model_type"}},
		{"unknown model_type", func(d string) {
			os.WriteFile(filepath.Join(d, "config.json"), []byte(`{"model_type": "blip"}`), 0o644)
		}, []string{"model_type \"blip\" is not supported"}},
		{"wrong sizes", func(d string) {
			os.WriteFile(filepath.Join(d, "config.json"), []byte(`{"model_type": "clip", "projection_dim": 16, "text_config": {"vocab_size": 1000, "hidden_size": 64, "intermediate_size": 128, "max_position_embeddings": 16, "num_attention_heads": 4, "num_hidden_layers": 3, "eos_token_id": 999}, "vision_config": {"hidden_size": 64, "intermediate_size": 128, "image_size": 32, "patch_size": 8, "num_attention_heads": 4, "num_hidden_layers": 2}}`), 0o644)
		}, []string{"missing:", "text_model.encoder.layers.2.", "wrong shape: text_projection.weight: model wants [16 64], checkpoint has [32 64]"}},
		{"truncated weights", func(d string) {
			data, _ := os.ReadFile(filepath.Join(d, "model.safetensors"))
			os.WriteFile(filepath.Join(d, "model.safetensors"), data[:len(data)/2], 0o644)
		}, []string{"model.safetensors"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(cp(t, c.mutate))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
