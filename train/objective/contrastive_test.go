package objective

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/models/clip"
	"github.com/vlmtune/vlmtune/models/siglip"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/tensor"
)

func tinyCLIP(t *testing.T) models.DualEncoder {
	t.Helper()
	cfg := clip.DefaultConfig()
	cfg.ProjectionDim = 8
	cfg.TextConfig = clip.TextConfig{VocabSize: 40, HiddenSize: 16, IntermediateSize: 32, NumHiddenLayers: 2, NumAttentionHeads: 2,
		MaxPositionEmbeddings: 8, HiddenAct: "quick_gelu", LayerNormEps: 1e-5, EosTokenID: 39}
	cfg.VisionConfig = clip.VisionConfig{HiddenSize: 16, IntermediateSize: 32, NumHiddenLayers: 2, NumAttentionHeads: 2,
		NumChannels: 3, ImageSize: 16, PatchSize: 8, HiddenAct: "quick_gelu", LayerNormEps: 1e-5}
	m, err := clip.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Init(tensor.NewRNG(1))
	return m
}

func tinySigLIP(t *testing.T) models.DualEncoder {
	t.Helper()
	cfg := siglip.DefaultConfig()
	cfg.TextConfig = siglip.TextConfig{VocabSize: 40, HiddenSize: 16, IntermediateSize: 32, NumHiddenLayers: 1, NumAttentionHeads: 2,
		MaxPositionEmbeddings: 8, HiddenAct: "gelu_pytorch_tanh", LayerNormEps: 1e-6}
	cfg.VisionConfig = siglip.VisionConfig{HiddenSize: 16, IntermediateSize: 32, NumHiddenLayers: 1, NumAttentionHeads: 2,
		NumChannels: 3, ImageSize: 16, PatchSize: 8, HiddenAct: "gelu_pytorch_tanh", LayerNormEps: 1e-6}
	m, err := siglip.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := tensor.NewRNG(2)
	nn.VisitParams(m, func(_ string, p **tensor.Tensor) {
		(*p).CopyFrom(tensor.RandN(rng, 0, 0.2, (*p).Shape()...))
	})
	return m
}

func tinyBatch(n int) models.PairBatch {
	rng := tensor.NewRNG(7)
	ids := make([]int32, n*6)
	mask := make([]int32, n*6)
	for i := range ids {
		ids[i] = int32(rng.Intn(38))
		mask[i] = 1
	}
	for b := 0; b < n; b++ {
		ids[b*6+4] = 39
		mask[b*6+5] = 0
	}
	return models.PairBatch{IDs: ids, Mask: mask, B: n, T: 6, Pixels: tensor.RandN(rng, 0, 1, n, 3, 16, 16)}
}

func grads(m models.DualEncoder) map[string][]float32 {
	out := map[string][]float32{}
	for n, p := range nn.Params(m) {
		if p.Grad() != nil {
			out[n] = append([]float32(nil), p.Grad().Data()...)
		}
	}
	return out
}

// Four micro-batches of 8 give the gradient (and so the update) of one
// batch of 32, within float32 rounding, for both losses and with LoRA.
func TestGradientAccumulationMatchesBigBatch(t *testing.T) {
	for _, c := range []struct {
		name  string
		model func(*testing.T) models.DualEncoder
		lora  bool
	}{{"clip-full", tinyCLIP, false}, {"clip-lora", tinyCLIP, true}, {"siglip-full", tinySigLIP, false}} {
		t.Run(c.name, func(t *testing.T) {
			b := tinyBatch(32)
			var g [2]map[string][]float32
			var loss [2]float64
			for i, accum := range []int{1, 4} {
				m := c.model(t)
				if c.lora {
					spec := peft.Spec{Method: peft.LoRA}
					spec.LoRA.R, spec.LoRA.Alpha, spec.LoRA.TargetModules = 2, 4, []string{"q_proj", "v_proj"}
					a, err := peft.Apply(m, spec, tensor.NewRNG(3))
					if err != nil {
						t.Fatal(err)
					}
					// Non-zero B so that A gets gradients too.
					for _, l := range a.LoRA.Layers {
						l.B.CopyFrom(tensor.RandN(tensor.NewRNG(4), 0, 0.1, l.B.Shape()...))
					}
				} else {
					nn.SetTrainable(m, true)
				}
				st, err := NewContrastive(m, ContrastiveOptions{Accum: accum})
				if err != nil {
					t.Fatal(err)
				}
				loss[i], _, err = st.run(tensor.NewScope(), b)
				if err != nil {
					t.Fatal(err)
				}
				g[i] = grads(m)
			}
			if math.Abs(loss[0]-loss[1]) > 1e-6*math.Abs(loss[0]) {
				t.Fatalf("loss %v with one batch, %v accumulated", loss[0], loss[1])
			}
			if len(g[0]) == 0 || len(g[0]) != len(g[1]) {
				t.Fatalf("%d vs %d gradients", len(g[0]), len(g[1]))
			}
			// Gradients that are zero in exact arithmetic (the key biases:
			// a constant added to a softmax row changes nothing) are float
			// noise; they are compared against the global gradient norm.
			var global float64
			for _, x := range g[0] {
				for _, v := range x {
					global += float64(v) * float64(v)
				}
			}
			global = math.Sqrt(global)
			for n, x := range g[0] {
				y := g[1][n]
				var num, den float64
				for i := range x {
					d := float64(x[i] - y[i])
					num += d * d
					den += float64(x[i]) * float64(x[i])
				}
				if math.Sqrt(den) < 1e-5*global {
					if math.Sqrt(num) > 1e-5*global {
						t.Errorf("%s: ~zero gradient differs by %.3g (global norm %.3g)", n, math.Sqrt(num), global)
					}
					continue
				}
				if math.Sqrt(num/den) > 1e-5 {
					t.Errorf("%s: relative difference %.3g between one batch of 32 and 4×8", n, math.Sqrt(num/den))
				}
			}
		})
	}
}

// A NaN in the loss stops the step with a diagnosis naming it.
func TestNonFiniteLossIsDiagnosed(t *testing.T) {
	m := tinyCLIP(t)
	nn.SetTrainable(m, true)
	m.(*clip.Model).LogitScale.Data()[0] = float32(math.NaN())
	newObjective := func(accum int) *Contrastive {
		c, err := NewContrastive(m, ContrastiveOptions{Accum: accum})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	_, _, err := newObjective(1).run(tensor.NewScope(), tinyBatch(4))
	if err == nil || !strings.Contains(err.Error(), "loss is NaN") {
		t.Fatalf("error %v, want a NaN diagnosis", err)
	}
	// With accumulation the check happens before any backward pass too.
	_, _, err = newObjective(2).run(tensor.NewScope(), tinyBatch(4))
	var nf *NonFiniteError
	if !errors.As(err, &nf) {
		t.Fatalf("accumulated step: %v, want a NonFiniteError", err)
	}
}

// Knowledge distillation from a copy of the student is zero with zero
// gradient, and positive against a different teacher.
func TestDistillation(t *testing.T) {
	student := tinyCLIP(t)
	b := tinyBatch(4)
	for _, target := range []string{"logits", "embeddings"} {
		d := &Distill{Student: student, Teacher: tinyCLIP(t), Weight: 1, Temperature: 2, Target: target}
		s := tensor.NewScope()
		text := student.EncodeText(s, b.IDs, b.B, b.T, b.Mask)
		image := student.EncodeImage(s, b.Pixels)
		if v := d.Term(s, text, image, b).Item(); math.Abs(float64(v)) > 1e-5 {
			t.Fatalf("%s: distillation from an identical teacher = %v, want 0", target, v)
		}
		d.Teacher = perturbed(t)
		if v := d.Term(s, text, image, b).Item(); !(v > 1e-4) {
			t.Fatalf("%s: distillation from a different teacher = %v, want > 0", target, v)
		}
	}
}

func perturbed(t *testing.T) models.DualEncoder {
	m := tinyCLIP(t)
	rng := tensor.NewRNG(11)
	for _, p := range nn.Params(m) {
		d := p.Data()
		for i := range d {
			d[i] += 0.3 * float32(rng.Normal())
		}
	}
	return m
}
