package objective

import (
	"fmt"

	"github.com/vlmtune/vlmtune/data/loader"
	"github.com/vlmtune/vlmtune/eval/retrieval"
	"github.com/vlmtune/vlmtune/infer/dual"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/prep"
	"github.com/vlmtune/vlmtune/tensor"
)

// LossTerm adds a differentiable term to the contrastive loss, computed
// from the whole batch's normalised embeddings (knowledge distillation).
type LossTerm interface {
	// Term returns the extra loss for text [N, D] and image [N, D]
	// embeddings of batch b (with the graph to the embeddings).
	Term(s *tensor.Scope, text, image *tensor.Tensor, b models.PairBatch) *tensor.Tensor
}

// Contrastive trains a dual encoder on image-text pairs with an in-batch
// loss over the logits per text: the symmetric cross-entropy of CLIP
// (name "contrastive") or the pairwise sigmoid loss of SigLIP ("sigmoid"),
// whichever the model's family trains with.
//
// With Accum > 1 a batch is split into micro-batches so that the update
// equals that of the whole batch: the embeddings of all micro-batches are
// computed first without a graph, the batch loss is differentiated with
// respect to them once, and then each micro-batch is run again with a
// graph and back-propagated with its slice of those embedding gradients
// (the "gradient cache" scheme, exact for in-batch losses, as open_clip's
// accum_freq).
type Contrastive struct {
	model models.DualEncoder
	name  string
	loss  func(logitsPerText *tensor.Tensor) *tensor.Tensor
	opt   ContrastiveOptions
}

// ContrastiveOptions configure a Contrastive objective.
type ContrastiveOptions struct {
	// Accum is the number of micro-batches per batch (≤ 1: none).
	Accum int
	// Terms are extra losses (distillation).
	Terms []LossTerm
	// RNG drives dropout; it is replayed between the passes.
	RNG *tensor.RNG
	// Val is the validation set (nil: Evaluate fails) and ValBatch the
	// number of pairs per validation-loss batch (≤ 0: dual.BatchSize).
	Val      *ValSet
	ValBatch int
}

// NewContrastive returns the objective of m's family for it.
func NewContrastive(m models.DualEncoder, opt ContrastiveOptions) (*Contrastive, error) {
	if opt.ValBatch <= 0 {
		opt.ValBatch = dual.BatchSize
	}
	c := &Contrastive{model: m, name: m.Objective(), opt: opt}
	switch c.name {
	case "contrastive":
		c.loss = nn.ContrastiveLoss
	case "sigmoid":
		c.loss = nn.SigmoidLoss
	default:
		return nil, fmt.Errorf("objective: a %s model trains with %q, which the dual-encoder objective does not know (contrastive, sigmoid)", m.Family(), c.name)
	}
	return c, nil
}

// Name returns "contrastive" or "sigmoid".
func (c *Contrastive) Name() string { return c.name }

// Metrics lists the validation metrics: val_loss, retrieval recalls and,
// with class labels, zero-shot accuracy.
func (c *Contrastive) Metrics() []Metric {
	return []Metric{
		{Name: "zeroshot_top1", Label: "zero-shot top-1", Percent: true, Headline: true, Summary: true},
		{Name: "zeroshot_top5", Label: "zero-shot top-5", Percent: true, Summary: true},
		{Name: "i2t_r1", Label: "image→text R@1", Percent: true, Headline: true, Summary: true},
		{Name: "t2i_r1", Label: "text→image R@1", Percent: true, Headline: true, Summary: true},
		{Name: "i2t_r5", Label: "image→text R@5", Percent: true, Summary: true},
		{Name: "t2i_r5", Label: "text→image R@5", Percent: true, Summary: true},
		{Name: "i2t_r10", Label: "image→text R@10", Percent: true},
		{Name: "t2i_r10", Label: "text→image R@10", Percent: true},
		{Name: "val_loss", Label: "validation loss", LowerIsBetter: true, Headline: true, Summary: true},
	}
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
func (c *Contrastive) lossFrom(s *tensor.Scope, text, image *tensor.Tensor, b models.PairBatch) (loss, contrastive *tensor.Tensor) {
	logitsPerImage := c.model.Logits(text, image)
	contrastive = c.loss(tensor.Transpose(logitsPerImage, 0, 1))
	loss = contrastive
	for _, t := range c.opt.Terms {
		loss = tensor.Add(loss, t.Term(s, text, image, b))
	}
	return loss, contrastive
}

// Step accumulates the gradients of a batch and returns the total loss
// and its contrastive part (logged as contrastive_loss).
func (c *Contrastive) Step(s *tensor.Scope, lb *loader.Batch) (Loss, error) {
	total, contrastive, err := c.run(s, prep.ToBatch(lb))
	if err != nil {
		return Loss{}, err
	}
	return Loss{Total: total, Parts: map[string]float64{"contrastive_loss": contrastive}}, nil
}

// run accumulates the gradients of batch b in scope s and returns the
// total loss and the contrastive part.
func (c *Contrastive) run(s *tensor.Scope, b models.PairBatch) (total, contrastive float64, err error) {
	m, rng := c.model, c.opt.RNG
	if c.opt.Accum <= 1 {
		text := m.EncodeText(s, b.IDs, b.B, b.T, b.Mask)
		image := m.EncodeImage(s, b.Pixels)
		loss, l := c.lossFrom(s, text, image, b)
		if err := finite("loss", loss.Item()); err != nil {
			return 0, 0, err
		}
		loss.Backward()
		return float64(loss.Item()), float64(l.Item()), nil
	}
	k := c.opt.Accum
	if b.B%k != 0 {
		return 0, 0, fmt.Errorf("batch of %d does not split into %d micro-batches", b.B, k)
	}
	// Pass 1: embeddings of every micro-batch, without a graph.
	quiet := s.NoGrad()
	states := make([]tensor.RNGState, k)
	texts := make([]*tensor.Tensor, k)
	images := make([]*tensor.Tensor, k)
	for j := 0; j < k; j++ {
		if rng != nil {
			states[j] = rng.State()
		}
		mb := split(b, j, k)
		texts[j] = m.EncodeText(quiet, mb.IDs, mb.B, mb.T, mb.Mask)
		images[j] = m.EncodeImage(quiet, mb.Pixels)
	}
	var after tensor.RNGState
	if rng != nil {
		after = rng.State()
	}
	// Pass 2: the batch loss and its gradient with respect to the
	// embeddings (and to the loss's own parameters, once).
	text := s.In(tensor.Concat(0, texts...).Detach()).SetRequiresGrad(true)
	image := s.In(tensor.Concat(0, images...).Detach()).SetRequiresGrad(true)
	loss, l := c.lossFrom(s, text, image, b)
	if err := finite("loss", loss.Item()); err != nil {
		return 0, 0, err
	}
	loss.Backward()
	gt, gi := text.Grad().Data(), image.Grad().Data()
	d := text.Dim(1)
	n := b.B / k
	// Pass 3: each micro-batch with a graph, back-propagating its slice.
	for j := 0; j < k; j++ {
		if rng != nil {
			rng.SetState(states[j])
		}
		mb := split(b, j, k)
		et := m.EncodeText(s, mb.IDs, mb.B, mb.T, mb.Mask)
		ei := m.EncodeImage(s, mb.Pixels)
		// Σ e·g has gradient g with respect to e.
		surrogate := tensor.Add(
			tensor.SumAll(tensor.Mul(et, tensor.Wrap(gt[j*n*d:(j+1)*n*d], n, d))),
			tensor.SumAll(tensor.Mul(ei, tensor.Wrap(gi[j*n*d:(j+1)*n*d], n, d))))
		surrogate.Backward()
	}
	if rng != nil {
		rng.SetState(after)
	}
	return float64(loss.Item()), float64(l.Item()), nil
}

// Evaluate computes the validation metrics of the model on the validation
// set with batches of ValBatch pairs for the loss: val_loss;
// i2t_r{1,5,10} and t2i_r{1,5,10}, where a text is correct for every image
// it describes (identical caption strings are one text); and with labels
// zeroshot_top1/top5. Recalls and accuracies are in percent.
func (c *Contrastive) Evaluate(s *tensor.Scope) (map[string]float64, error) {
	v := c.opt.Val
	if v == nil {
		return nil, fmt.Errorf("evaluation: no validation set")
	}
	n := v.Pixels.Dim(0)
	if n == 0 {
		return nil, fmt.Errorf("evaluation: empty validation set")
	}
	enc := dual.New(c.model, nil, s)
	out := map[string]float64{}
	images := enc.Pixels(v.Pixels)
	texts := enc.Tokens(v.CaptionIDs, v.CaptionMask, v.T)
	// Loss over batches of (image, first caption) pairs, weighted by
	// batch size.
	var sum float64
	count := 0
	for lo := 0; lo+1 < n; lo += c.opt.ValBatch {
		hi := min(lo+c.opt.ValBatch, n)
		if hi-lo < 2 {
			break
		}
		idx := make([]int, 0, hi-lo)
		for i := lo; i < hi; i++ {
			idx = append(idx, v.First[i])
		}
		ti := tensor.IndexSelect(texts, 0, idx)
		ii := tensor.Slice(images, 0, lo, hi)
		l := c.loss(tensor.Transpose(c.model.Logits(ti, ii), 0, 1))
		sum += float64(l.Item()) * float64(hi-lo)
		count += hi - lo
	}
	if count > 0 {
		out["val_loss"] = sum / float64(count)
	}
	r, err := dual.Retrieval(images, texts, v.Match)
	if err != nil {
		return nil, err
	}
	for _, k := range retrieval.DefaultKs {
		out[fmt.Sprintf("i2t_r%d", k)] = r.ImageToText.Recall[k]
		out[fmt.Sprintf("t2i_r%d", k)] = r.TextToImage.Recall[k]
	}
	if v.Labels != nil {
		classes := make([]dual.TokenRows, len(v.PromptIDs))
		for c := range v.PromptIDs {
			classes[c] = dual.TokenRows{IDs: v.PromptIDs[c], Mask: v.PromptMask[c], T: v.T}
		}
		emb, err := enc.EnsembleRows(classes)
		if err != nil {
			return nil, err
		}
		if out["zeroshot_top1"], out["zeroshot_top5"], _, err = dual.ZeroShot(images, emb, v.Labels); err != nil {
			return nil, fmt.Errorf("evaluation: %w", err)
		}
	}
	return out, nil
}
