package objective

import (
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/tensor"
)

// Distill is knowledge distillation from a frozen teacher, a LossTerm: on
// logits, T²·KL(softmax(teacher/T) ‖ softmax(student/T)) averaged over
// both directions (images→texts and texts→images), each model with its
// own logit scale; on embeddings, the mean of 1 − cos(student, teacher)
// over images and texts (the two models must share the embedding width).
type Distill struct {
	Student, Teacher models.DualEncoder
	Weight           float32
	Temperature      float32
	// Target is "logits" or "embeddings".
	Target string
}

// Term computes the distillation loss for a batch. The teacher runs in a
// no-grad child of s; its outputs are constants of the student's graph.
func (d *Distill) Term(s *tensor.Scope, text, image *tensor.Tensor, b models.PairBatch) *tensor.Tensor {
	quiet := s.NoGrad()
	tt := d.Teacher.EncodeText(quiet, b.IDs, b.B, b.T, maskFor(d.Teacher, b.Mask)).Detach()
	ti := d.Teacher.EncodeImage(quiet, b.Pixels).Detach()
	if d.Target == "embeddings" {
		cos := tensor.Add(tensor.Mean(tensor.Sum(tensor.Mul(text, tt), false, -1), false), tensor.Mean(tensor.Sum(tensor.Mul(image, ti), false, -1), false))
		return tensor.MulScalar(tensor.RSubScalar(2, cos), d.Weight/2)
	}
	teacherLogits := d.Teacher.Logits(quiet.In(tt), quiet.In(ti)).Detach()
	student := d.Student.Logits(text, image)
	both := tensor.Add(kl(teacherLogits, student, d.Temperature),
		kl(tensor.Transpose(teacherLogits, 0, 1), tensor.Transpose(student, 0, 1), d.Temperature))
	return tensor.MulScalar(both, d.Weight*d.Temperature*d.Temperature/2)
}

// kl returns mean over rows of KL(softmax(t/T) ‖ softmax(s/T)), with the
// teacher's logits a constant.
func kl(teacher, student *tensor.Tensor, temp float32) *tensor.Tensor {
	scaled := tensor.MulScalar(teacher, 1/temp)
	p := tensor.Softmax(scaled)
	logp := tensor.LogSoftmax(scaled)
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
