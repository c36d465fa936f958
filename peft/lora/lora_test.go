package lora

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models/clip"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

func loadCLIP(t *testing.T, dir, weights string) *clip.Model {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clip.ParseConfig("config.json", data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := clip.New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.LoadState(m, parity.Open(t, weights), weights, nn.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	return m
}

func fixtureInputs(t *testing.T, clipDir string) clip.Inputs {
	ref := parity.Open(t, filepath.Join(clipDir, "reference.safetensors"))
	ids := parity.I32(t, ref, "input_ids")
	return clip.Inputs{InputIDs: ids, AttentionMask: parity.I32(t, ref, "attention_mask"), Batch: 3, SeqLen: len(ids) / 3, PixelValues: parity.F32(t, ref, "pixel_values")}
}

func TestPEFTParityLoRACLIPTiny(t *testing.T) {
	clipDir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	loraDir := testutil.Fixture(t, "hf-parity", "lora_clip_tiny")
	m := loadCLIP(t, clipDir, filepath.Join(clipDir, "model.safetensors"))
	ad, err := Load(loraDir, m, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(ad.Layers) != 8 {
		t.Fatalf("%d adapted layers, want 8 (q_proj and v_proj of 2 layers in 2 towers)", len(ad.Layers))
	}
	ref := parity.Open(t, filepath.Join(loraDir, "reference.safetensors"))
	in := fixtureInputs(t, clipDir)

	out := m.Forward(in, true, clip.Options{})
	parity.Check(t, "logits_per_image", out.LogitsPerImage, parity.F32(t, ref, "logits_per_image"))
	parity.Check(t, "text_embeds", out.TextEmbeds, parity.F32(t, ref, "text_embeds"))
	parity.Check(t, "image_embeds", out.ImageEmbeds, parity.F32(t, ref, "image_embeds"))
	parity.CheckLoss(t, out.Loss.Item(), parity.F32(t, ref, "loss").Item())
	out.Loss.Backward()
	grads := parity.Open(t, filepath.Join(loraDir, "lora_grads.safetensors"))
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
	// Frozen base parameters get no gradient.
	if g := m.TextProjection.Weight.Grad(); g != nil {
		t.Fatal("a frozen base weight received a gradient")
	}

	quiet := tensor.NewInferenceScope()
	ad.SetEnabled(false)
	parity.Check(t, "logits_per_image_adapter_disabled", m.Forward(in, false, clip.Options{Scope: quiet}).LogitsPerImage, parity.F32(t, ref, "logits_per_image_adapter_disabled"))
	ad.SetEnabled(true)

	before := append([]float32(nil), m.Text.Encoder.Layers[0].Attn.Q.Weight.Data()...)
	ad.Merge()
	merged := m.Forward(in, false, clip.Options{Scope: quiet}).LogitsPerImage
	parity.Check(t, "merged_logits_per_image", merged, parity.F32(t, ref, "merged_logits_per_image"))
	// Merged weights equal PEFT's merge_and_unload, and the merged
	// model equals the adapter model within 1e-5.
	mergedRef := parity.Open(t, filepath.Join(loraDir, "merged_model.safetensors"))
	base := nn.Params(m)
	for _, info := range mergedRef.Tensors() {
		parity.Check(t, "merged "+info.Name, base[info.Name], parity.F32(t, mergedRef, info.Name))
	}
	if d := testutil.L2Diff(merged.Data(), out.LogitsPerImage.Data()); d > 1e-5*testutil.L2(out.LogitsPerImage.Data()) {
		t.Errorf("merged logits differ from adapter logits by %.3g", d)
	}
	ad.Unmerge()
	after := m.Text.Encoder.Layers[0].Attn.Q.Weight.Data()
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("unmerge is not exact at element %d: %v vs %v", i, before[i], after[i])
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	clipDir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	loraDir := testutil.Fixture(t, "hf-parity", "lora_clip_tiny")
	m := loadCLIP(t, clipDir, filepath.Join(clipDir, "model.safetensors"))
	ad, err := Load(loraDir, m, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := ad.Save(out); err != nil {
		t.Fatal(err)
	}
	m2 := loadCLIP(t, clipDir, filepath.Join(clipDir, "model.safetensors"))
	ad2, err := Load(out, m2, tensor.NewRNG(2))
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range ad.Params() {
		q := ad2.Params()[name]
		for i, v := range p.Data() {
			if q.Data()[i] != v {
				t.Fatalf("%s differs after a save/load round trip", name)
			}
		}
	}
	// The written config is PEFT's: the fixture's fields survive.
	cfg, err := os.ReadFile(filepath.Join(out, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"peft_type": "LORA"`, `"r": 4`, `"lora_alpha": 8`, `"auto_mapping"`, `"task_type": null`} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("adapter_config.json lacks %s:\n%s", want, cfg)
		}
	}
}

func TestApplyMatchingAndCounts(t *testing.T) {
	cfg := clip.DefaultConfig()
	cfg.TextConfig = clip.TextConfig{VocabSize: 50, HiddenSize: 16, IntermediateSize: 32, NumHiddenLayers: 2, NumAttentionHeads: 2, MaxPositionEmbeddings: 8, HiddenAct: "quick_gelu", LayerNormEps: 1e-5, EosTokenID: 49}
	cfg.VisionConfig = clip.VisionConfig{HiddenSize: 24, IntermediateSize: 48, NumHiddenLayers: 3, NumAttentionHeads: 2, NumChannels: 3, ImageSize: 16, PatchSize: 8, HiddenAct: "quick_gelu", LayerNormEps: 1e-5}
	cfg.ProjectionDim = 8
	newModel := func() *clip.Model {
		m, err := clip.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name    string
		cfg     Config
		layers  int
		perRank int64 // Σ (in + out) over adapted layers
		err     string
	}{
		{"suffix", Config{R: 2, Alpha: 4, TargetModules: []string{"q_proj", "v_proj"}}, 10, 2*2*(16+16) + 2*3*(24+24), ""},
		{"full-name", Config{R: 3, Alpha: 3, TargetModules: []string{"visual_projection"}}, 1, 24 + 8, ""},
		{"regex", Config{R: 1, Alpha: 1, TargetRegex: `vision_model\.encoder\.layers\.[01]\.mlp\.fc1`}, 2, 2 * (24 + 48), ""},
		{"suffix-needs-dot", Config{R: 1, Alpha: 1, TargetModules: []string{"proj"}}, 0, 0, "match no module"},
		{"not-linear", Config{R: 1, Alpha: 1, TargetModules: []string{"mlp"}}, 0, 0, "not plain linear"},
		{"bad-rank", Config{R: 0, Alpha: 1, TargetModules: []string{"q_proj"}}, 0, 0, "r must be positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newModel()
			_, total := nn.CountParams(m)
			ad, err := Apply(m, c.cfg, tensor.NewRNG(1))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ad.Layers) != c.layers {
				t.Fatalf("%d layers adapted, want %d", len(ad.Layers), c.layers)
			}
			trainable, total2 := nn.CountParams(m)
			want := int64(c.cfg.R) * c.perRank
			if trainable != want || ad.TrainableCount() != want || total2 != total+want {
				t.Fatalf("trainable %d (adapter count %d), total %d→%d; want r·Σ(in+out) = %d", trainable, ad.TrainableCount(), total, total2, want)
			}
		})
	}
}

func TestScalingRSLoRA(t *testing.T) {
	if s := (Config{R: 16, Alpha: 32}).Scaling(); s != 2 {
		t.Fatalf("scaling %v, want 2", s)
	}
	if s := (Config{R: 16, Alpha: 32, RSLoRA: true}).Scaling(); s != 8 {
		t.Fatalf("rsLoRA scaling %v, want 8", s)
	}
}
