package peft

import (
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/models/clip"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft/lora"
	"github.com/vlmtune/vlmtune/tensor"
)

const (
	tw, tl, th = 16, 2, 32 // text width, layers, MLP width
	vw, vl, vh = 24, 3, 48 // vision
	proj       = 8
)

func tinyCLIP(t *testing.T) *clip.Model {
	t.Helper()
	cfg := clip.DefaultConfig()
	cfg.ProjectionDim = proj
	cfg.TextConfig = clip.TextConfig{VocabSize: 40, HiddenSize: tw, IntermediateSize: th, NumHiddenLayers: tl, NumAttentionHeads: 2,
		MaxPositionEmbeddings: 12, HiddenAct: "quick_gelu", LayerNormEps: 1e-5, EosTokenID: 39}
	cfg.VisionConfig = clip.VisionConfig{HiddenSize: vw, IntermediateSize: vh, NumHiddenLayers: vl, NumAttentionHeads: 2,
		NumChannels: 3, ImageSize: 16, PatchSize: 8, HiddenAct: "quick_gelu", LayerNormEps: 1e-5}
	m, err := clip.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(tensor.NewRNG(3))
	return m
}

func tinyInputs() clip.Inputs {
	rng := tensor.NewRNG(9)
	ids := make([]int32, 3*6)
	mask := make([]int32, len(ids))
	for i := range ids {
		ids[i] = int32(rng.Intn(38))
		mask[i] = 1
	}
	for b := 0; b < 3; b++ {
		ids[b*6+4] = 39 // eos
		mask[b*6+5] = 0
	}
	return clip.Inputs{InputIDs: ids, AttentionMask: mask, Batch: 3, SeqLen: 6, PixelValues: tensor.RandN(rng, 0, 1, 3, 3, 16, 16)}
}

func logits(m *clip.Model) []float32 {
	return m.Forward(tinyInputs(), false, clip.Options{Scope: tensor.NewInferenceScope()}).LogitsPerImage.Data()
}

// The trainable parameter count of each method follows its formula.
func TestMethodCounts(t *testing.T) {
	_, total := nn.CountParams(tinyCLIP(t))
	layerParams := func(c, h int) int64 { return int64(2*c + 4*(c*c+c) + 2*c + c*h + h + h*c + c) }
	bottleneck := func(c, m int) int64 { return int64(c*m + m + m*c + c) }
	cases := []struct {
		spec      Spec
		trainable int64
		added     int64
	}{
		{Spec{Method: Full}, total, 0},
		{Spec{Method: Full, Freeze: []string{"vision"}}, total - visionParams(t), 0},
		{Spec{Method: Head}, int64(proj*tw + proj*vw + 1), 0},
		{Spec{Method: LayerWise, TopK: 1}, layerParams(tw, th) + 2*tw + layerParams(vw, vh) + 2*vw + int64(proj*tw+proj*vw+1), 0},
		{Spec{Method: LoRA, LoRA: lora.Config{R: 2, Alpha: 4, TargetModules: []string{"q_proj", "v_proj"}}}, 2 * (2*tl*(tw+tw) + 2*vl*(vw+vw)), 2 * (2*tl*(tw+tw) + 2*vl*(vw+vw))},
		{Spec{Method: Adapter, AdapterBottleneck: 4}, 2 * (int64(tl)*bottleneck(tw, 4) + int64(vl)*bottleneck(vw, 4)), 2 * (int64(tl)*bottleneck(tw, 4) + int64(vl)*bottleneck(vw, 4))},
		{Spec{Method: Prompt, PromptTextTokens: 3, PromptVisionTokens: 2}, 3*tw + 2*vw, 3*tw + 2*vw},
		{Spec{Method: PrefixT, PrefixTokens: 2}, 2 * 2 * (tl*tw + vl*vw), 2 * 2 * (tl*tw + vl*vw)},
		{Spec{Method: PrefixT, PrefixTokens: 2, Freeze: []string{"text"}}, 2 * 2 * (vl * vw), 2 * 2 * (vl * vw)},
	}
	for _, c := range cases {
		name := c.spec.Method + strings.Join(c.spec.Freeze, "-")
		t.Run(name, func(t *testing.T) {
			m := tinyCLIP(t)
			a, err := Apply(m, c.spec, tensor.NewRNG(1))
			if err != nil {
				t.Fatal(err)
			}
			tr, tot := nn.CountParams(m)
			if tr != c.trainable || tot != total+c.added {
				t.Fatalf("trainable %d of %d, want %d of %d (%s)", tr, tot, c.trainable, total+c.added, a.Describe())
			}
		})
	}
}

func visionParams(t *testing.T) int64 {
	var n int64
	nn.VisitParams(tinyCLIP(t), func(name string, p **tensor.Tensor) {
		if strings.HasPrefix(name, "vision_model.") {
			n += int64((*p).Len())
		}
	})
	return n
}

// Methods with zero-initialised updates start equal to the base model.
func TestZeroInitMethodsStartAtBase(t *testing.T) {
	base := logits(tinyCLIP(t))
	for _, spec := range []Spec{
		{Method: LoRA, LoRA: lora.Config{R: 2, Alpha: 4, TargetModules: []string{"q_proj", "fc1"}}},
		{Method: Adapter, AdapterBottleneck: 3},
	} {
		m := tinyCLIP(t)
		if _, err := Apply(m, spec, tensor.NewRNG(1)); err != nil {
			t.Fatal(err)
		}
		got := logits(m)
		for i := range base {
			if got[i] != base[i] {
				t.Fatalf("%s: output %d = %v, base %v", spec.Method, i, got[i], base[i])
			}
		}
	}
	// Prompt and prefix tokens change the outputs (and so can learn).
	m := tinyCLIP(t)
	if _, err := Apply(m, Spec{Method: PrefixT, PrefixTokens: 2}, tensor.NewRNG(1)); err != nil {
		t.Fatal(err)
	}
	if got := logits(m); got[0] == base[0] {
		t.Fatal("prefix tuning did not change the output")
	}
}

func TestGradualUnfreezing(t *testing.T) {
	m := tinyCLIP(t)
	a, err := Apply(m, Spec{Method: LayerWise, TopK: 0, UnfreezeEvery: 2}, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	has := func(prefix string) bool {
		for _, n := range a.Trainable() {
			if strings.HasPrefix(n, prefix) {
				return true
			}
		}
		return false
	}
	if has("text_model.encoder.") || !has("text_model.final_layer_norm.") || !has("logit_scale") {
		t.Fatalf("epoch 0: trainable %v", a.Trainable())
	}
	if a.OnEpoch(1) {
		t.Fatal("epoch 1 should not change the trainable set")
	}
	if !a.OnEpoch(2) || !has("text_model.encoder.layers.1.") || has("text_model.encoder.layers.0.") {
		t.Fatalf("epoch 2: trainable %v", a.Trainable())
	}
	a.OnEpoch(4)
	if !has("text_model.encoder.layers.0.") || !has("vision_model.encoder.layers.1.") || has("vision_model.encoder.layers.0.") {
		t.Fatalf("epoch 4: trainable %v", a.Trainable())
	}
}

func TestSaveLoadAddedMethods(t *testing.T) {
	for _, spec := range []Spec{
		{Method: Adapter, AdapterBottleneck: 3, AdapterActivation: "gelu"},
		{Method: Prompt, PromptTextTokens: 2, PromptVisionTokens: 1},
		{Method: PrefixT, PrefixTokens: 2},
		{Method: LoRA, LoRA: lora.Config{R: 2, Alpha: 2, TargetModules: []string{"k_proj"}}},
	} {
		t.Run(spec.Method, func(t *testing.T) {
			m := tinyCLIP(t)
			a, err := Apply(m, spec, tensor.NewRNG(1))
			if err != nil {
				t.Fatal(err)
			}
			// Perturb the added parameters so a reload is meaningful.
			for _, n := range a.Trainable() {
				d := nn.Params(m)[n].Data()
				for i := range d {
					d[i] += 0.01 * float32(i%7)
				}
			}
			want := logits(m)
			dir := t.TempDir()
			if err := a.Save(dir); err != nil {
				t.Fatal(err)
			}
			m2 := tinyCLIP(t)
			if _, err := Load(dir, m2, tensor.NewRNG(5)); err != nil {
				t.Fatal(err)
			}
			got := logits(m2)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("output %d after reload %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}

func TestSpecErrors(t *testing.T) {
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{Method: "dora"}, "not one of"},
		{Spec{Method: Full, Freeze: []string{"audio"}}, "not a tower"},
		{Spec{Method: Adapter}, "bottleneck must be positive"},
		{Spec{Method: Prompt}, "not both 0"},
		{Spec{Method: PrefixT, PrefixTokens: -1}, "must be positive"},
		{Spec{Method: LoRA, LoRA: lora.Config{R: 4, Alpha: 8}}, "target_modules is empty"},
	} {
		if err := c.spec.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.spec, err, c.want)
		}
	}
	m := tinyCLIP(t)
	if _, err := Apply(m, Spec{Method: Prompt, PromptTextTokens: 12}, tensor.NewRNG(1)); err == nil || !strings.Contains(err.Error(), "no room") {
		t.Errorf("a prompt as long as the context: %v", err)
	}
}
