// Package dual is the one inference path of dual encoders (CLIP, SigLIP):
// batched encoding of images and texts, class embeddings by prompt
// ensembling, and the retrieval and zero-shot evaluations built on them.
// Validation during training, `vlmtune eval`, `embed` and `classify` all
// go through it, so they batch and preprocess the same way. Zero-shot
// accuracy ranks classes by cosine similarity; classification
// probabilities use the model's scaled logits (the same ranking).
package dual

import (
	"fmt"
	"image"
	"math"

	"github.com/vlmtune/vlmtune/eval/retrieval"
	"github.com/vlmtune/vlmtune/eval/zeroshot"
	"github.com/vlmtune/vlmtune/imageproc"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/prep"
	"github.com/vlmtune/vlmtune/tensor"
)

// BatchSize is how many images or texts are encoded at once.
const BatchSize = 64

// Encoder encodes images and texts with a dual encoder, in batches of
// BatchSize, in a no-grad scope.
type Encoder struct {
	Model models.DualEncoder
	// Prep turns raw inputs (image files, decoded images, strings) into
	// model inputs; encoding preprocessed pixels and token rows does not
	// need it.
	Prep *prep.Prep
	// Scope is the no-grad scope the encoding runs in (New sets it; an
	// Encoder built by hand with a nil Scope would record graphs for a
	// trainable model).
	Scope *tensor.Scope
}

// New returns an encoder for m. Encoding runs in s's no-grad child, which
// shares s's buffer pool (a trainer passes its own scope); with a nil s it
// gets an inference scope of its own.
func New(m models.DualEncoder, p *prep.Prep, s *tensor.Scope) *Encoder {
	if s == nil {
		s = tensor.NewInferenceScope()
	} else if s.GradEnabled() {
		s = s.NoGrad()
	}
	return &Encoder{Model: m, Prep: p, Scope: s}
}

// Pixels encodes preprocessed images [N, 3, S, S] into normalised
// embeddings [N, D].
func (e *Encoder) Pixels(px *tensor.Tensor) *tensor.Tensor {
	n := px.Dim(0)
	var parts []*tensor.Tensor
	for lo := 0; lo < n; lo += BatchSize {
		parts = append(parts, e.Model.EncodeImage(e.Scope, tensor.Slice(px, 0, lo, min(lo+BatchSize, n))))
	}
	return tensor.Concat(0, parts...)
}

// Images preprocesses decoded images (no augmentation) and encodes them;
// names label the images in errors.
func (e *Encoder) Images(images []image.Image, names []string) (*tensor.Tensor, error) {
	if len(images) == 0 {
		return nil, fmt.Errorf("no images")
	}
	s := e.Prep.Size
	per := 3 * s * s
	var parts []*tensor.Tensor
	for lo := 0; lo < len(images); lo += BatchSize {
		hi := min(lo+BatchSize, len(images))
		px := tensor.Zeros(hi-lo, 3, s, s)
		for i, img := range images[lo:hi] {
			if err := e.Prep.Proc.ProcessInto(px.Data()[i*per:(i+1)*per], img); err != nil {
				return nil, fmt.Errorf("%s: %w", names[lo+i], err)
			}
		}
		parts = append(parts, e.Model.EncodeImage(e.Scope, px))
	}
	return tensor.Concat(0, parts...), nil
}

// ImageFiles decodes, preprocesses and encodes image files, a batch at a
// time (only one batch of decoded images is held at once).
func (e *Encoder) ImageFiles(paths []string) (*tensor.Tensor, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no images")
	}
	var parts []*tensor.Tensor
	for lo := 0; lo < len(paths); lo += BatchSize {
		batch := paths[lo:min(lo+BatchSize, len(paths))]
		images := make([]image.Image, len(batch))
		for i, p := range batch {
			img, err := imageproc.DecodeFile(p)
			if err != nil {
				return nil, err
			}
			images[i] = img
		}
		emb, err := e.Images(images, batch)
		if err != nil {
			return nil, err
		}
		parts = append(parts, emb)
	}
	return tensor.Concat(0, parts...), nil
}

// Tokens encodes token rows ids [N, T] with their attention mask (which
// models trained without one ignore) into normalised embeddings [N, D].
func (e *Encoder) Tokens(ids, mask []int32, t int) *tensor.Tensor {
	n := len(ids) / t
	var parts []*tensor.Tensor
	for lo := 0; lo < n; lo += BatchSize {
		hi := min(lo+BatchSize, n)
		var mk []int32
		if mask != nil && e.Model.UsesTextMask() {
			mk = mask[lo*t : hi*t]
		}
		parts = append(parts, e.Model.EncodeText(e.Scope, ids[lo*t:hi*t], hi-lo, t, mk))
	}
	return tensor.Concat(0, parts...)
}

// Texts tokenizes and encodes texts.
func (e *Encoder) Texts(texts []string) *tensor.Tensor {
	ids, mask, t := e.Prep.EncodeTexts(texts)
	return e.Tokens(ids, mask, t)
}

// TokenRows are tokenized texts: ids and mask [N, T].
type TokenRows struct {
	IDs, Mask []int32
	T         int
}

// EnsembleRows returns one unit-norm embedding per class from its
// prompts' token rows (one TokenRows per class, each prompt a row): the
// prompts' normalised embeddings averaged and normalised again, CLIP's
// prompt ensembling (zeroshot.EnsembleClassEmbeddings).
func (e *Encoder) EnsembleRows(classes []TokenRows) ([][]float32, error) {
	perClass := make([][][]float32, len(classes))
	for c, r := range classes {
		perClass[c] = Rows(e.Tokens(r.IDs, r.Mask, r.T))
	}
	return zeroshot.EnsembleClassEmbeddings(perClass)
}

// Classes returns one embedding per class name, ensembling the prompts
// that the templates (each with a {} placeholder; none: the bare name)
// make of it.
func (e *Encoder) Classes(classes, templates []string) ([][]float32, error) {
	if len(classes) == 0 {
		return nil, fmt.Errorf("no class names")
	}
	if len(templates) == 0 {
		templates = []string{"{}"}
	}
	prompts, err := zeroshot.Prompts(classes, templates)
	if err != nil {
		return nil, err
	}
	rows := make([]TokenRows, len(classes))
	for c, ps := range prompts {
		ids, mask, t := e.Prep.EncodeTexts(ps)
		rows[c] = TokenRows{IDs: ids, Mask: mask, T: t}
	}
	return e.EnsembleRows(rows)
}

// Logits scores class (or text) embeddings [C, D] against image
// embeddings [N, D] with the model's temperature and bias: logits per
// image [N, C].
func (e *Encoder) Logits(classes [][]float32, images *tensor.Tensor) *tensor.Tensor {
	return e.Model.Logits(e.Scope.In(Tensor(classes)), images)
}

// Probabilities turns logits per image [N, C] into class probabilities as
// the model was trained to compare: a softmax over the classes for the
// contrastive objective (CLIP), independent sigmoids for the sigmoid one
// (SigLIP), as transformers' zero-shot pipeline does.
func Probabilities(m models.DualEncoder, logits *tensor.Tensor) [][]float64 {
	n, c := logits.Dim(0), logits.Dim(1)
	sigmoid := m.Objective() == "sigmoid"
	out := make([][]float64, n)
	for i := range out {
		row := logits.Data()[i*c : (i+1)*c]
		p := make([]float64, c)
		if sigmoid {
			for j, v := range row {
				p[j] = 1 / (1 + math.Exp(-float64(v)))
			}
		} else {
			mx := math.Inf(-1)
			for _, v := range row {
				mx = math.Max(mx, float64(v))
			}
			var z float64
			for j, v := range row {
				p[j] = math.Exp(float64(v) - mx)
				z += p[j]
			}
			for j := range p {
				p[j] /= z
			}
		}
		out[i] = p
	}
	return out
}

// Retrieval scores image-text retrieval between image embeddings [N, D]
// and text embeddings [M, D]; match[i] lists the texts of image i (a text
// may describe several images).
func Retrieval(images, texts *tensor.Tensor, match [][]int) (retrieval.Result, error) {
	return retrieval.EvaluateMatches(Rows(tensor.MatMul(images, texts, false, true)), match, texts.Dim(0), nil)
}

// ZeroShot classifies image embeddings [N, D] against class embeddings
// by cosine similarity: it returns top-1 and top-5 accuracy in percent
// over the images with a known label (label ≥ 0) and every image's
// predicted class.
func ZeroShot(images *tensor.Tensor, classes [][]float32, labels []int) (top1, top5 float64, pred []int, err error) {
	var rows [][]float32
	var known []int
	all := Rows(images)
	for i, l := range labels {
		if l >= 0 {
			rows = append(rows, all[i])
			known = append(known, l)
		}
	}
	if len(rows) == 0 {
		return 0, 0, nil, fmt.Errorf("no image has a known class")
	}
	logits, err := zeroshot.Logits(all, classes, 1)
	if err != nil {
		return 0, 0, nil, err
	}
	pred = make([]int, len(logits))
	var knownLogits [][]float32
	for i, row := range logits {
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		pred[i] = best
		if labels[i] >= 0 {
			knownLogits = append(knownLogits, row)
		}
	}
	acc, err := zeroshot.Accuracy(knownLogits, known, 1, 5)
	if err != nil {
		return 0, 0, nil, err
	}
	return 100 * acc[1], 100 * acc[5], pred, nil
}

// Rows views a [N, D] tensor as N rows.
func Rows(t *tensor.Tensor) [][]float32 {
	r, c := t.Dim(0), t.Dim(1)
	out := make([][]float32, r)
	for i := range out {
		out[i] = t.Data()[i*c : (i+1)*c]
	}
	return out
}

// Tensor packs equal-length rows into a [N, D] tensor.
func Tensor(rows [][]float32) *tensor.Tensor {
	if len(rows) == 0 {
		return tensor.Zeros(0, 0)
	}
	d := len(rows[0])
	data := make([]float32, 0, len(rows)*d)
	for _, r := range rows {
		data = append(data, r...)
	}
	return tensor.Wrap(data, len(rows), d)
}
