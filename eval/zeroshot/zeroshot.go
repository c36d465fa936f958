// Package zeroshot scores zero-shot classification: top-k accuracy from
// logits, and the prompt-template ensembling of class text embeddings from
// CLIP's "Prompt Engineering for ImageNet" notebook (encode every template
// for a class, L2-normalize each embedding, average them, L2-normalize the
// mean).
//
// Ties in top-k are broken by class index (lower index first); torch.topk,
// which the CLIP notebook uses, leaves tie order unspecified.
package zeroshot

import (
	"fmt"
	"math"
	"strings"
)

// Accuracy returns, for each k in ks, the fraction (0..1) of rows whose
// label is among the k highest logits. logits[i] holds the class scores of
// example i; labels[i] is its true class.
func Accuracy(logits [][]float32, labels []int, ks ...int) (map[int]float64, error) {
	if len(ks) == 0 {
		ks = []int{1, 5}
	}
	if len(logits) != len(labels) {
		return nil, fmt.Errorf("zeroshot: %d logit rows but %d labels", len(logits), len(labels))
	}
	hits := make(map[int]int, len(ks))
	for _, k := range ks {
		if k < 1 {
			return nil, fmt.Errorf("zeroshot: k=%d must be at least 1", k)
		}
		hits[k] = 0
	}
	for i, row := range logits {
		y := labels[i]
		if y < 0 || y >= len(row) {
			return nil, fmt.Errorf("zeroshot: example %d has label %d but %d classes", i, y, len(row))
		}
		if math.IsNaN(float64(row[y])) {
			return nil, fmt.Errorf("zeroshot: example %d has a NaN logit for its label", i)
		}
		rank := 1
		for c, v := range row {
			if v > row[y] || (v == row[y] && c < y) {
				rank++
			}
		}
		for _, k := range ks {
			if rank <= k {
				hits[k]++
			}
		}
	}
	out := make(map[int]float64, len(ks))
	for _, k := range ks {
		if len(logits) > 0 {
			out[k] = float64(hits[k]) / float64(len(logits))
		} else {
			out[k] = 0
		}
	}
	return out, nil
}

// Prompts fills every template with every class name: prompts[c][t] is
// templates[t] with each "{}" replaced by classNames[c] (Python's
// str.format with one positional argument, as CLIP's templates use).
func Prompts(classNames, templates []string) ([][]string, error) {
	for _, t := range templates {
		if !strings.Contains(t, "{}") {
			return nil, fmt.Errorf("zeroshot: template %q has no {} placeholder", t)
		}
	}
	out := make([][]string, len(classNames))
	for c, name := range classNames {
		out[c] = make([]string, len(templates))
		for t, tpl := range templates {
			out[c][t] = strings.ReplaceAll(tpl, "{}", name)
		}
	}
	return out, nil
}

// Normalize returns v scaled to unit L2 norm (computed in float64). A zero
// vector is an error.
func Normalize(v []float32) ([]float32, error) {
	s := 0.0
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	n := math.Sqrt(s)
	if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil, fmt.Errorf("zeroshot: cannot normalize a vector of norm %v", n)
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / n)
	}
	return out, nil
}

// EnsembleClassEmbeddings turns per-class, per-template text embeddings
// (perClass[c][t]) into one unit-norm embedding per class: normalize each
// template embedding, average over templates, normalize the average.
func EnsembleClassEmbeddings(perClass [][][]float32) ([][]float32, error) {
	out := make([][]float32, len(perClass))
	dim := -1
	for c, temps := range perClass {
		if len(temps) == 0 {
			return nil, fmt.Errorf("zeroshot: class %d has no template embedding", c)
		}
		mean := make([]float64, len(temps[0]))
		for t, e := range temps {
			if dim == -1 {
				dim = len(e)
			}
			if len(e) != dim {
				return nil, fmt.Errorf("zeroshot: class %d template %d has dimension %d, want %d", c, t, len(e), dim)
			}
			u, err := Normalize(e)
			if err != nil {
				return nil, fmt.Errorf("zeroshot: class %d template %d: %w", c, t, err)
			}
			for i, x := range u {
				mean[i] += float64(x)
			}
		}
		m := make([]float32, len(mean))
		for i := range mean {
			m[i] = float32(mean[i] / float64(len(temps)))
		}
		u, err := Normalize(m)
		if err != nil {
			return nil, fmt.Errorf("zeroshot: class %d: %w", c, err)
		}
		out[c] = u
	}
	return out, nil
}

// Logits returns scale * image · class for every image and class
// embedding (CLIP uses 100 with unit-norm embeddings).
func Logits(images, classes [][]float32, scale float32) ([][]float32, error) {
	out := make([][]float32, len(images))
	for i, im := range images {
		out[i] = make([]float32, len(classes))
		for c, cl := range classes {
			if len(cl) != len(im) {
				return nil, fmt.Errorf("zeroshot: image %d has dimension %d but class %d has %d", i, len(im), c, len(cl))
			}
			s := 0.0
			for j := range im {
				s += float64(im[j]) * float64(cl[j])
			}
			out[i][c] = scale * float32(s)
		}
	}
	return out, nil
}
