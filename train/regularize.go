package train

import (
	"fmt"

	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/train/optim"
)

// anchorPenalty is λ/2·Σ wᵢ(θᵢ − θ₀ᵢ)² over parameters that existed before
// fine-tuning: L2-SP with w = 1, EWC with w = the diagonal Fisher. Its
// gradient λ·w·(θ − θ₀) is added straight to the parameters' gradients.
type anchorPenalty struct {
	lambda  float32
	params  []optim.Param
	anchor  map[string][]float32
	weights map[string][]float32 // nil entries: weight 1
}

// newAnchor records the current values of the trainable parameters named
// in base (the pre-trained ones) as the anchor.
func newAnchor(lambda float64, params []optim.Param, base map[string]bool) *anchorPenalty {
	a := &anchorPenalty{lambda: float32(lambda), anchor: map[string][]float32{}, weights: map[string][]float32{}}
	for _, p := range params {
		if base[p.Name] {
			a.params = append(a.params, p)
			a.anchor[p.Name] = append([]float32(nil), p.T.Data()...)
		}
	}
	return a
}

// addGradients adds the penalty's gradient and returns its value.
func (a *anchorPenalty) addGradients() float64 {
	var total float64
	for _, p := range a.params {
		th, th0 := p.T.Data(), a.anchor[p.Name]
		w := a.weights[p.Name]
		g := p.T.Grad()
		if g == nil {
			// The parameter took no part in this step (the optimizer skips
			// it too).
			continue
		}
		gd := g.Data()
		var s float64
		for i := range th {
			d := th[i] - th0[i]
			wi := float32(1)
			if w != nil {
				wi = w[i]
			}
			gd[i] += a.lambda * wi * d
			s += float64(wi) * float64(d) * float64(d)
		}
		total += 0.5 * float64(a.lambda) * s
	}
	return total
}

// estimateFisher sets the penalty's weights to the diagonal empirical
// Fisher: the mean over batches of the squared gradient of the loss, for
// each anchored parameter.
func (a *anchorPenalty) estimateFisher(m models.DualEncoder, batches []models.PairBatch) error {
	if len(batches) == 0 {
		return fmt.Errorf("EWC: no batches to estimate the Fisher information from")
	}
	for _, p := range a.params {
		a.weights[p.Name] = make([]float32, p.T.Len())
	}
	st := &stepper{model: m, accum: 1}
	for _, b := range batches {
		optim.ZeroGrad(a.params)
		if _, _, err := st.run(b); err != nil {
			return fmt.Errorf("EWC: %w", err)
		}
		for _, p := range a.params {
			if g := p.T.Grad(); g != nil {
				w := a.weights[p.Name]
				for i, v := range g.Data() {
					w[i] += v * v / float32(len(batches))
				}
			}
		}
	}
	optim.ZeroGrad(a.params)
	return nil
}

// distillTerm is knowledge distillation from a frozen teacher: on logits,
// T²·KL(softmax(teacher/T) ‖ softmax(student/T)) averaged over both
// directions (images→texts and texts→images), each model with its own
// logit scale; on embeddings, the mean of 1 − cos(student, teacher) over
// images and texts (the two models must share the embedding width).
type distillTerm struct {
	student, teacher models.DualEncoder
	weight           float32
	temperature      float32
	target           string
}

// Term computes the distillation loss for a batch.
func (d *distillTerm) Term(text, image *tensor.Tensor, b models.PairBatch) *tensor.Tensor {
	var tt, ti *tensor.Tensor
	tensor.NoGrad(func() {
		tt = d.teacher.EncodeText(b.IDs, b.B, b.T, maskFor(d.teacher, b.Mask))
		ti = d.teacher.EncodeImage(b.Pixels)
	})
	if d.target == "embeddings" {
		cos := tensor.Add(tensor.Mean(tensor.Sum(tensor.Mul(text, tt), false, -1), false), tensor.Mean(tensor.Sum(tensor.Mul(image, ti), false, -1), false))
		return tensor.MulScalar(tensor.RSubScalar(2, cos), d.weight/2)
	}
	var teacherLogits *tensor.Tensor
	tensor.NoGrad(func() { teacherLogits = d.teacher.Logits(tt, ti) })
	student := d.student.Logits(text, image)
	both := tensor.Add(kl(teacherLogits, student, d.temperature),
		kl(tensor.Transpose(teacherLogits, 0, 1), tensor.Transpose(student, 0, 1), d.temperature))
	return tensor.MulScalar(both, d.weight*d.temperature*d.temperature/2)
}

// kl returns mean over rows of KL(softmax(t/T) ‖ softmax(s/T)).
func kl(teacher, student *tensor.Tensor, temp float32) *tensor.Tensor {
	var p, logp *tensor.Tensor
	tensor.NoGrad(func() {
		scaled := tensor.MulScalar(teacher, 1/temp)
		p = tensor.Softmax(scaled)
		logp = tensor.LogSoftmax(scaled)
	})
	logq := tensor.LogSoftmax(tensor.MulScalar(student, 1/temp))
	rows := teacher.Dim(0)
	return tensor.MulScalar(tensor.SumAll(tensor.Mul(p, tensor.Sub(logp, logq))), 1/float32(rows))
}

func maskFor(m models.DualEncoder, mask []int32) []int32 {
	if m.UsesTextMask() {
		return mask
	}
	return nil
}
