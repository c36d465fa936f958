package prep

import (
	"fmt"
	"math"
	"strings"

	"github.com/vlmtune/vlmtune/models"
	_ "github.com/vlmtune/vlmtune/models/all" // the families Load can read
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/tensor"
)

// Inference is a model loaded for inference with its preprocessing.
type Inference struct {
	Model models.DualEncoder
	Prep  *Prep
	// Method is the fine-tuning method saved with the model (nil: none).
	Method *peft.Applied
	Dir    string
}

// LoadInference loads a model directory (a Hugging Face checkpoint, or a
// vlmtune best/ folder with its method files) with its tokenizer and image
// processor, frozen.
func LoadInference(dir string) (*Inference, error) {
	l, method, err := peft.LoadModelDir(dir)
	if err != nil {
		return nil, err
	}
	m, ok := l.Model.(models.DualEncoder)
	if !ok {
		return nil, fmt.Errorf("%s holds a %s model, not a dual encoder (CLIP, SigLIP)", dir, l.Model.Family())
	}
	nn.SetTrainable(m, false)
	p, err := New(m, dir, "", nil)
	if err != nil {
		return nil, err
	}
	return &Inference{Model: m, Prep: p, Method: method, Dir: dir}, nil
}

// batchSize is the number of items encoded at once.
const batchSize = 32

// EmbedImages returns the normalised embeddings [N, D] of image files.
func (m *Inference) EmbedImages(paths []string) (*tensor.Tensor, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no images")
	}
	var parts []*tensor.Tensor
	per := 3 * m.Prep.Size * m.Prep.Size
	for lo := 0; lo < len(paths); lo += batchSize {
		hi := min(lo+batchSize, len(paths))
		px := tensor.Zeros(hi-lo, 3, m.Prep.Size, m.Prep.Size)
		for i, p := range paths[lo:hi] {
			d, err := m.Prep.ImageFile(p)
			if err != nil {
				return nil, err
			}
			copy(px.Data()[i*per:], d)
		}
		tensor.NoGrad(func() { parts = append(parts, m.Model.EncodeImage(px)) })
	}
	return tensor.Concat(0, parts...), nil
}

// EmbedTexts returns the normalised embeddings [N, D] of texts.
func (m *Inference) EmbedTexts(texts []string) *tensor.Tensor {
	var parts []*tensor.Tensor
	for lo := 0; lo < len(texts); lo += batchSize {
		hi := min(lo+batchSize, len(texts))
		ids, mask, t := m.Prep.EncodeTexts(texts[lo:hi])
		if !m.Model.UsesTextMask() {
			mask = nil
		}
		tensor.NoGrad(func() { parts = append(parts, m.Model.EncodeText(ids, hi-lo, t, mask)) })
	}
	return tensor.Concat(0, parts...)
}

// ClassEmbeddings returns one normalised embedding per class: the mean of
// the class's template prompts' embeddings, re-normalised (CLIP's prompt
// ensembling).
func (m *Inference) ClassEmbeddings(classes, templates []string) (*tensor.Tensor, error) {
	if len(classes) == 0 {
		return nil, fmt.Errorf("no class names")
	}
	if len(templates) == 0 {
		templates = []string{"{}"}
	}
	var prompts []string
	for _, c := range classes {
		for _, tpl := range templates {
			if !strings.Contains(tpl, "{}") {
				return nil, fmt.Errorf("template %q has no {} placeholder for the class name", tpl)
			}
			prompts = append(prompts, strings.ReplaceAll(tpl, "{}", c))
		}
	}
	e := m.EmbedTexts(prompts)
	k, d := len(templates), e.Dim(1)
	out := tensor.Zeros(len(classes), d)
	for c := range classes {
		row := out.Data()[c*d : (c+1)*d]
		for j := 0; j < k; j++ {
			src := e.Data()[(c*k+j)*d : (c*k+j+1)*d]
			for i, v := range src {
				row[i] += v
			}
		}
	}
	var n *tensor.Tensor
	tensor.NoGrad(func() { n = tensor.L2Normalize(out, 1e-12) })
	return n, nil
}

// Probabilities turns logits per image [N, C] into class probabilities:
// a softmax over classes for CLIP, independent sigmoids for SigLIP (as
// transformers' zero-shot pipeline does).
func (m *Inference) Probabilities(logits *tensor.Tensor) [][]float64 {
	n, c := logits.Dim(0), logits.Dim(1)
	out := make([][]float64, n)
	for i := range out {
		row := logits.Data()[i*c : (i+1)*c]
		p := make([]float64, c)
		if m.Model.Family() == "siglip" {
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

// Classify scores images against class names (zero-shot) and returns
// per-image class probabilities.
func (m *Inference) Classify(images []string, classes, templates []string) ([][]float64, error) {
	cls, err := m.ClassEmbeddings(classes, templates)
	if err != nil {
		return nil, err
	}
	img, err := m.EmbedImages(images)
	if err != nil {
		return nil, err
	}
	var logits *tensor.Tensor
	tensor.NoGrad(func() { logits = m.Model.Logits(cls, img) })
	return m.Probabilities(logits), nil
}
