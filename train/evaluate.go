package train

import (
	"fmt"

	"github.com/vlmtune/vlmtune/eval/retrieval"
	"github.com/vlmtune/vlmtune/eval/zeroshot"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/tensor"
)

// ValSet is a prepared validation set: every image once, every distinct
// caption string once (Match lists the captions of each image), and
// optionally a class per image with tokenized class prompts for zero-shot
// accuracy.
type ValSet struct {
	// Pixels holds the processed images [N, 3, H, W].
	Pixels *tensor.Tensor
	// Captions are token rows [M, T] with masks; Match[i] lists the
	// captions of image i and First[i] is its first (used for the loss).
	CaptionIDs, CaptionMask []int32
	T                       int
	Match                   [][]int
	First                   []int
	// Labels[i] is image i's class (−1: unknown) when zero-shot is
	// evaluated; Prompts[c] holds class c's prompt token rows [P, T] (one
	// per template) and masks.
	Labels      []int
	PromptIDs   [][]int32
	PromptMask  [][]int32
	PromptCount int
	ClassNames  []string
}

// evalBatch is the number of items encoded at once during evaluation.
const evalBatch = 64

// Evaluate computes the validation metrics of m on v with batches of
// batchSize pairs for the loss: val_loss; i2t_r{1,5,10} and t2i_r{1,5,10},
// where a text is correct for every image it describes (identical caption
// strings are one text); and with labels zeroshot_top1/top5. Recalls and
// accuracies are in percent.
func Evaluate(m models.DualEncoder, v *ValSet, batchSize int) (map[string]float64, error) {
	out := map[string]float64{}
	n := v.Pixels.Dim(0)
	if n == 0 {
		return nil, fmt.Errorf("evaluation: empty validation set")
	}
	var images, texts *tensor.Tensor
	var err error
	tensor.NoGrad(func() {
		images = encodeImages(m, v.Pixels)
		texts = encodeTexts(m, v.CaptionIDs, v.CaptionMask, v.T)
		// Loss over batches of (image, first caption) pairs, weighted by
		// batch size.
		var sum float64
		count := 0
		for lo := 0; lo+1 < n; lo += batchSize {
			hi := min(lo+batchSize, n)
			if hi-lo < 2 {
				break
			}
			idx := make([]int, 0, hi-lo)
			for i := lo; i < hi; i++ {
				idx = append(idx, v.First[i])
			}
			ti := tensor.IndexSelect(texts, 0, idx)
			ii := tensor.Slice(images, 0, lo, hi)
			l := familyLoss(m)(tensor.Transpose(m.Logits(ti, ii), 0, 1))
			sum += float64(l.Item()) * float64(hi-lo)
			count += hi - lo
		}
		if count > 0 {
			out["val_loss"] = sum / float64(count)
		}
		sim := toRows(tensor.MatMul(images, texts, false, true))
		var r retrieval.Result
		r, err = retrieval.EvaluateMatches(sim, v.Match, len(v.CaptionIDs)/v.T, nil)
		if err != nil {
			return
		}
		for _, k := range retrieval.DefaultKs {
			out[fmt.Sprintf("i2t_r%d", k)] = r.ImageToText.Recall[k]
			out[fmt.Sprintf("t2i_r%d", k)] = r.TextToImage.Recall[k]
		}
		if v.Labels != nil {
			err = zeroShot(m, v, images, out)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// zeroShot adds zeroshot_top1 and zeroshot_top5 for the labelled images.
func zeroShot(m models.DualEncoder, v *ValSet, images *tensor.Tensor, out map[string]float64) error {
	perClass := make([][][]float32, len(v.PromptIDs))
	for c := range v.PromptIDs {
		e := encodeTexts(m, v.PromptIDs[c], v.PromptMask[c], v.T)
		perClass[c] = toRows(e)
	}
	classes, err := zeroshot.EnsembleClassEmbeddings(perClass)
	if err != nil {
		return err
	}
	var rows [][]float32
	var labels []int
	imgRows := toRows(images)
	for i, l := range v.Labels {
		if l >= 0 {
			rows = append(rows, imgRows[i])
			labels = append(labels, l)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("evaluation: no validation image has a known class")
	}
	logits, err := zeroshot.Logits(rows, classes, 1)
	if err != nil {
		return err
	}
	acc, err := zeroshot.Accuracy(logits, labels, 1, 5)
	if err != nil {
		return err
	}
	// In percent, like the recalls.
	out["zeroshot_top1"] = 100 * acc[1]
	out["zeroshot_top5"] = 100 * acc[5]
	return nil
}

func encodeImages(m models.DualEncoder, pixels *tensor.Tensor) *tensor.Tensor {
	n := pixels.Dim(0)
	var parts []*tensor.Tensor
	for lo := 0; lo < n; lo += evalBatch {
		parts = append(parts, m.EncodeImage(tensor.Slice(pixels, 0, lo, min(lo+evalBatch, n))))
	}
	return tensor.Concat(0, parts...)
}

func encodeTexts(m models.DualEncoder, ids, mask []int32, t int) *tensor.Tensor {
	n := len(ids) / t
	var parts []*tensor.Tensor
	for lo := 0; lo < n; lo += evalBatch {
		hi := min(lo+evalBatch, n)
		var mk []int32
		if mask != nil && m.UsesTextMask() {
			mk = mask[lo*t : hi*t]
		}
		parts = append(parts, m.EncodeText(ids[lo*t:hi*t], hi-lo, t, mk))
	}
	return tensor.Concat(0, parts...)
}

func toRows(t *tensor.Tensor) [][]float32 {
	r, c := t.Dim(0), t.Dim(1)
	rows := make([][]float32, r)
	for i := range rows {
		rows[i] = t.Data()[i*c : (i+1)*c]
	}
	return rows
}
