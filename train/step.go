package train

import (
	"fmt"
	"math"

	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// LossTerm adds a differentiable term to the contrastive loss, computed
// from the whole batch's normalised embeddings (knowledge distillation).
type LossTerm interface {
	// Term returns the extra loss for text [N, D] and image [N, D]
	// embeddings of batch b (with the graph to the embeddings).
	Term(text, image *tensor.Tensor, b models.PairBatch) *tensor.Tensor
}

// stepper computes the loss and accumulates the gradients of one batch,
// split into micro-batches so that the update equals that of the whole
// batch: the embeddings of all micro-batches are computed first without a
// graph, the batch loss is differentiated with respect to them once, and
// then each micro-batch is run again with a graph and back-propagated with
// its slice of those embedding gradients (the "gradient cache" scheme,
// exact for in-batch contrastive losses, as open_clip's accum_freq).
type stepper struct {
	model models.DualEncoder
	accum int
	terms []LossTerm
	rng   *tensor.RNG // dropout; replayed between the passes
}

// split returns micro-batch j of k.
func split(b models.PairBatch, j, k int) models.PairBatch {
	n := b.B / k
	lo, hi := j*n, (j+1)*n
	out := models.PairBatch{B: n, T: b.T, IDs: b.IDs[lo*b.T : hi*b.T]}
	if b.Mask != nil {
		out.Mask = b.Mask[lo*b.T : hi*b.T]
	}
	sh := b.Pixels.Shape()
	per := sh[1] * sh[2] * sh[3]
	out.Pixels = tensor.Wrap(b.Pixels.Data()[lo*per:hi*per], n, sh[1], sh[2], sh[3])
	return out
}

// lossFrom computes the batch loss from normalised embeddings.
func (s *stepper) lossFrom(text, image *tensor.Tensor, b models.PairBatch) (loss, contrastive *tensor.Tensor) {
	logitsPerImage := s.model.Logits(text, image)
	contrastive = familyLoss(s.model)(tensor.Transpose(logitsPerImage, 0, 1))
	loss = contrastive
	for _, t := range s.terms {
		loss = tensor.Add(loss, t.Term(text, image, b))
	}
	return loss, contrastive
}

// run accumulates the gradients of batch b and returns the total loss and
// the contrastive part.
func (s *stepper) run(b models.PairBatch) (total, contrastive float64, err error) {
	if s.accum <= 1 {
		text := s.model.EncodeText(b.IDs, b.B, b.T, b.Mask)
		image := s.model.EncodeImage(b.Pixels)
		loss, c := s.lossFrom(text, image, b)
		if err := finite("loss", loss.Item()); err != nil {
			return 0, 0, err
		}
		loss.Backward()
		return float64(loss.Item()), float64(c.Item()), nil
	}
	k := s.accum
	if b.B%k != 0 {
		return 0, 0, fmt.Errorf("batch of %d does not split into %d micro-batches", b.B, k)
	}
	// Pass 1: embeddings of every micro-batch, without a graph.
	states := make([]tensor.RNGState, k)
	texts := make([]*tensor.Tensor, k)
	images := make([]*tensor.Tensor, k)
	tensor.NoGrad(func() {
		for j := 0; j < k; j++ {
			if s.rng != nil {
				states[j] = s.rng.State()
			}
			mb := split(b, j, k)
			texts[j] = s.model.EncodeText(mb.IDs, mb.B, mb.T, mb.Mask)
			images[j] = s.model.EncodeImage(mb.Pixels)
		}
	})
	var after tensor.RNGState
	if s.rng != nil {
		after = s.rng.State()
	}
	// Pass 2: the batch loss and its gradient with respect to the
	// embeddings (and to the loss's own parameters, once).
	text := tensor.Concat(0, texts...).Detach().SetRequiresGrad(true)
	image := tensor.Concat(0, images...).Detach().SetRequiresGrad(true)
	loss, c := s.lossFrom(text, image, b)
	if err := finite("loss", loss.Item()); err != nil {
		return 0, 0, err
	}
	loss.Backward()
	gt, gi := text.Grad().Data(), image.Grad().Data()
	d := text.Dim(1)
	n := b.B / k
	// Pass 3: each micro-batch with a graph, back-propagating its slice.
	for j := 0; j < k; j++ {
		if s.rng != nil {
			s.rng.SetState(states[j])
		}
		mb := split(b, j, k)
		et := s.model.EncodeText(mb.IDs, mb.B, mb.T, mb.Mask)
		ei := s.model.EncodeImage(mb.Pixels)
		// Σ e·g has gradient g with respect to e.
		surrogate := tensor.Add(
			tensor.SumAll(tensor.Mul(et, tensor.Wrap(gt[j*n*d:(j+1)*n*d], n, d))),
			tensor.SumAll(tensor.Mul(ei, tensor.Wrap(gi[j*n*d:(j+1)*n*d], n, d))))
		surrogate.Backward()
	}
	if s.rng != nil {
		s.rng.SetState(after)
	}
	return float64(loss.Item()), float64(c.Item()), nil
}

// finite returns an error when v is NaN or infinite.
func finite(what string, v float32) error {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return &NonFiniteError{What: what, Value: float64(v)}
	}
	return nil
}

// NonFiniteError reports a NaN or infinity found during training; the run
// stops without writing a checkpoint from the broken state.
type NonFiniteError struct {
	What  string
	Value float64
	Step  int
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("training diverged at step %d: %s is %v; no checkpoint was written from this state (lower optimizer.lr, set training.max_grad_norm, or check the data)", e.Step, e.What, e.Value)
}

// familyLoss is the loss a dual encoder's family trains with.
func familyLoss(m models.DualEncoder) func(*tensor.Tensor) *tensor.Tensor {
	if m.Objective() == "sigmoid" {
		return nn.SigmoidLoss
	}
	return nn.ContrastiveLoss
}
