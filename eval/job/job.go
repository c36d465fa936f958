// Package job runs a model on a data set for `vlmtune eval`: image-text
// retrieval or zero-shot classification with a dual encoder, optionally
// under image perturbations (robustness) and broken down by a metadata
// field (per-group report), and writes a report.
package job

import (
	"context"
	"errors"
	"fmt"
	"image"
	"slices"
	"strings"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/eval/group"
	"github.com/vlmtune/vlmtune/eval/report"
	"github.com/vlmtune/vlmtune/eval/retrieval"
	"github.com/vlmtune/vlmtune/eval/robust"
	"github.com/vlmtune/vlmtune/imageproc"
	"github.com/vlmtune/vlmtune/infer"
	"github.com/vlmtune/vlmtune/infer/dual"
	"github.com/vlmtune/vlmtune/prep"
	"github.com/vlmtune/vlmtune/tensor"
)

// Tasks lists the evaluation tasks.
var Tasks = []string{"retrieval", "zeroshot", "caption", "vqa"}

// Options configure an evaluation.
type Options struct {
	Model string
	Data  []string
	Root  string
	Task  string
	// Labels is the class-name file (zeroshot); LabelField the metadata
	// field holding each example's class.
	Labels     string
	LabelField string
	Templates  []string
	// Robustness re-runs the main metric under every perturbation at
	// Severities (nil: 1..5).
	Robustness bool
	Severities []int
	// GroupBy breaks the per-example metric down by a metadata field.
	GroupBy string
	// MaxExamples caps the data (0: all); ShowExamples is how many go into
	// the HTML page with thumbnails.
	MaxExamples, ShowExamples int
	Seed                      uint64
}

// Result is an evaluation's outcome.
type Result struct {
	Metrics    map[string]float64
	Robustness *robust.Report
	Groups     *group.Report
	Report     *report.Report
	Skipped    int
}

// Run evaluates the model on the data.
func Run(ctx context.Context, o Options) (*Result, error) {
	if !slices.Contains(Tasks, o.Task) {
		return nil, fmt.Errorf("task %q is not one of %s", o.Task, strings.Join(Tasks, ", "))
	}
	sess, err := infer.Load(o.Model)
	if err != nil {
		return nil, err
	}
	if o.Task == "caption" || o.Task == "vqa" {
		return nil, fmt.Errorf("task %s needs a generative model (a BLIP captioner or a LLaVA instruction model); %s is a %s model, which supports retrieval and zeroshot", o.Task, o.Model, sess.Model.Family())
	}
	m, err := sess.Dual()
	if err != nil {
		return nil, err
	}
	if o.Task == "zeroshot" && (o.Labels == "" || o.LabelField == "") {
		return nil, errors.New("task zeroshot needs --labels FILE (class names, one per line) and --label-field FIELD (the metadata field with each example's class)")
	}
	skipped := 0
	exs, err := data.ReadAll(ctx, o.Data, data.Options{Root: o.Root, LazyImages: true}, func(*data.RecordError) error { skipped++; return nil })
	if err != nil {
		return nil, err
	}
	var pairs []*data.Example
	for _, ex := range exs {
		if ex.Image != nil && len(ex.Captions) > 0 {
			pairs = append(pairs, ex)
		} else {
			skipped++
		}
	}
	if o.MaxExamples > 0 && len(pairs) > o.MaxExamples {
		pairs = pairs[:o.MaxExamples]
	}
	if len(pairs) < 2 {
		return nil, fmt.Errorf("%v: %d usable image-caption examples; evaluation needs at least 2", o.Data, len(pairs))
	}
	images := make([]image.Image, len(pairs))
	for i, ex := range pairs {
		raw, err := ex.Image.Read()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ex.Origin, err)
		}
		if images[i], err = imageproc.DecodeNamed(ex.Image.Name, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", ex.Origin, err)
		}
	}
	ev, err := newEvaluator(m, o, pairs)
	if err != nil {
		return nil, err
	}
	res := &Result{Skipped: skipped}
	var perExample []float64
	res.Metrics, perExample, err = ev.metrics(images)
	if err != nil {
		return nil, err
	}
	ev.cleanPred, ev.cleanScore = ev.lastPred, perExample
	if o.GroupBy != "" {
		meta := make([]map[string]string, len(pairs))
		for i, ex := range pairs {
			meta[i] = map[string]string{}
			if v, ok := ex.Meta.Field(o.GroupBy); ok {
				meta[i][o.GroupBy] = v
			}
		}
		g, err := group.ByField(perExample, meta, o.GroupBy, group.Options{})
		if err != nil {
			return nil, err
		}
		res.Groups = &g
	}
	if o.Robustness {
		metric := func(perturb func(image.Image) image.Image) (float64, error) {
			pert := make([]image.Image, len(images))
			for i, img := range images {
				pert[i] = perturb(img)
			}
			mm, _, err := ev.metrics(pert)
			if err != nil {
				return 0, err
			}
			return mm[ev.main], nil
		}
		r, err := robust.Run(ctx, metric, robust.RunOptions{Severities: o.Severities, Seed: o.Seed})
		if err != nil {
			return nil, err
		}
		res.Robustness = &r
	}
	res.Report = ev.report(o, res, images)
	return res, nil
}

// evaluator holds what does not depend on the images.
type evaluator struct {
	m       *dual.Encoder
	task    string
	main    string
	pairs   []*data.Example
	texts   *tensor.Tensor // retrieval: distinct captions
	match   [][]int
	classes []string
	classE  [][]float32 // zeroshot: class embeddings
	labels  []int
	// lastPred holds the latest zero-shot predictions; cleanPred and
	// cleanScore those on the unperturbed images.
	lastPred, cleanPred []int
	cleanScore          []float64
}

func newEvaluator(m *dual.Encoder, o Options, pairs []*data.Example) (*evaluator, error) {
	ev := &evaluator{m: m, task: o.Task, pairs: pairs}
	switch o.Task {
	case "retrieval":
		ev.main = "i2t_r1"
		var texts []string
		index := map[string]int{}
		for _, ex := range pairs {
			var match []int
			for _, c := range ex.Captions {
				t, ok := index[c]
				if !ok {
					t = len(texts)
					index[c] = t
					texts = append(texts, c)
				}
				if !slices.Contains(match, t) {
					match = append(match, t)
				}
			}
			ev.match = append(ev.match, match)
		}
		ev.texts = m.Texts(texts)
	case "zeroshot":
		ev.main = "top1"
		classes, err := prep.LoadLabels(o.Labels)
		if err != nil {
			return nil, err
		}
		ev.classes = classes
		index := map[string]int{}
		for i, c := range classes {
			index[c] = i
		}
		for _, ex := range pairs {
			v, ok := ex.Meta.Field(o.LabelField)
			c, known := index[v]
			if !ok || !known {
				return nil, fmt.Errorf("%s: metadata field %q is %q, which is not a class of %s", ex.Origin, o.LabelField, v, o.Labels)
			}
			ev.labels = append(ev.labels, c)
		}
		templates := o.Templates
		if len(templates) == 0 {
			templates = []string{"a photo of a {}."}
		}
		if ev.classE, err = m.Classes(classes, templates); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// metrics computes the task's metrics and a per-example score (1/0 hits).
func (ev *evaluator) metrics(images []image.Image) (map[string]float64, []float64, error) {
	names := make([]string, len(ev.pairs))
	for i, ex := range ev.pairs {
		names[i] = ex.Origin.String()
	}
	img, err := ev.m.Images(images, names)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]float64{}
	per := make([]float64, len(images))
	switch ev.task {
	case "retrieval":
		r, err := dual.Retrieval(img, ev.texts, ev.match)
		if err != nil {
			return nil, nil, err
		}
		for _, k := range retrieval.DefaultKs {
			out[fmt.Sprintf("i2t_r%d", k)] = r.ImageToText.Recall[k]
			out[fmt.Sprintf("t2i_r%d", k)] = r.TextToImage.Recall[k]
		}
		out["i2t_mean_rank"], out["i2t_median_rank"] = r.ImageToText.MeanRank, r.ImageToText.MedianRank
		out["t2i_mean_rank"], out["t2i_median_rank"] = r.TextToImage.MeanRank, r.TextToImage.MedianRank
		for i, rk := range r.ImageToText.Ranks {
			if rk == 1 {
				per[i] = 100
			}
		}
	case "zeroshot":
		top1, top5, pred, err := dual.ZeroShot(img, ev.classE, ev.labels)
		if err != nil {
			return nil, nil, err
		}
		out["top1"], out["top5"] = top1, top5
		ev.lastPred = pred
		for i, p := range pred {
			if p == ev.labels[i] {
				per[i] = 100
			}
		}
	}
	return out, per, nil
}
