// Package cider computes CIDEr-D as pycocoevalcap's cider/cider_scorer.py
// does (the COCO caption evaluation): n-grams of order 1..4, TF-IDF
// vectors, the cosine of the hypothesis against each reference with the
// hypothesis weights clipped to the reference weights, a Gaussian length
// penalty exp(-delta^2 / (2 sigma^2)) with sigma 6, the mean over n-gram
// orders, divided by the number of references, times 10, averaged over
// examples.
//
// Quirks kept from pycocoevalcap:
//   - document frequencies are counted over the references of the whole
//     corpus (one count per example whose references contain the n-gram),
//     and the IDF is log(#examples) - log(max(1, df)); so a corpus of one
//     example always scores 0, and scores depend on the whole corpus;
//   - the "length" in the length penalty is the number of bigrams (words
//     minus one), because cider_scorer.py adds term frequencies when the
//     n-gram index is 1;
//   - term frequencies are raw counts, not normalized by length.
//
// Tokenization "ptb" reproduces the COCO pipeline's Stanford PTBTokenizer
// pass (see PTBTokenize and its documented differences); "none" splits on
// whitespace, as calling CiderScorer directly on pre-tokenized text does.
//
// METEOR, which the COCO pipeline also reports, is not provided (see package
// eval).
package cider

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// Tokenization names accepted by Options.Tokenize.
const (
	TokenizePTB  = "ptb"
	TokenizeNone = "none"
)

// Options configures CIDEr-D. The zero value is the COCO setting: PTB
// tokenization, n = 4, sigma = 6.
type Options struct {
	// Tokenize is "ptb" (default when empty) or "none".
	Tokenize string
	// N is the maximum n-gram order; 0 means 4.
	N int
	// Sigma is the length-penalty standard deviation; 0 means 6.
	Sigma float64
}

// Result holds the corpus CIDEr-D (mean over examples) and each example's
// score.
type Result struct {
	Score      float64   `json:"cider"`
	PerExample []float64 `json:"per_example"`
}

type counts map[string]float64

// precook is cider_scorer.precook: n-gram counts of a whitespace-split
// sentence, the n-gram's words joined by single spaces.
func precook(words []string, n int) counts {
	c := counts{}
	for k := 1; k <= n; k++ {
		for i := 0; i+k <= len(words); i++ {
			c[strings.Join(words[i:i+k], " ")]++
		}
	}
	return c
}

func pySplit(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) })
}

// Tokenize returns the words CIDEr counts for a caption under the named
// tokenization.
func Tokenize(name, caption string) ([]string, error) {
	switch name {
	case TokenizePTB, "":
		return pySplit(PTBTokenize(caption)), nil
	case TokenizeNone:
		return pySplit(caption), nil
	}
	return nil, fmt.Errorf("cider: unknown tokenization %q (want ptb or none)", name)
}

func ngramOrder(g string) int { return strings.Count(g, " ") + 1 }

// Compute scores every candidate against its references (refs[i] holds the
// references of example i) and returns the corpus CIDEr-D.
func Compute(cands []string, refs [][]string, opts Options) (Result, error) {
	n := opts.N
	if n == 0 {
		n = 4
	}
	sigma := opts.Sigma
	if sigma == 0 {
		sigma = 6
	}
	if n < 1 || sigma < 0 || math.IsNaN(sigma) {
		return Result{}, fmt.Errorf("cider: invalid n=%d sigma=%v", n, sigma)
	}
	if len(cands) != len(refs) {
		return Result{}, fmt.Errorf("cider: %d candidates but %d reference sets", len(cands), len(refs))
	}
	if _, err := Tokenize(opts.Tokenize, ""); err != nil {
		return Result{}, err
	}
	ctest := make([]counts, len(cands))
	crefs := make([][]counts, len(cands))
	for i, c := range cands {
		if len(refs[i]) == 0 {
			return Result{}, fmt.Errorf("cider: example %d has no reference", i)
		}
		w, _ := Tokenize(opts.Tokenize, c)
		ctest[i] = precook(w, n)
		for _, r := range refs[i] {
			w, _ := Tokenize(opts.Tokenize, r)
			crefs[i] = append(crefs[i], precook(w, n))
		}
	}
	// Document frequency over the references of every example.
	df := map[string]float64{}
	for _, rs := range crefs {
		seen := map[string]bool{}
		for _, r := range rs {
			for g := range r {
				if !seen[g] {
					seen[g] = true
					df[g]++
				}
			}
		}
	}
	refLen := math.Log(float64(len(crefs)))

	type vec struct {
		w      []map[string]float64
		norm   []float64
		length float64
	}
	toVec := func(c counts) vec {
		v := vec{w: make([]map[string]float64, n), norm: make([]float64, n)}
		for k := range v.w {
			v.w[k] = map[string]float64{}
		}
		for g, tf := range c {
			d := math.Log(math.Max(1, df[g]))
			k := ngramOrder(g) - 1
			v.w[k][g] = tf * (refLen - d)
			v.norm[k] += v.w[k][g] * v.w[k][g]
			if k == 1 {
				v.length += tf
			}
		}
		for k := range v.norm {
			v.norm[k] = math.Sqrt(v.norm[k])
		}
		return v
	}
	res := Result{PerExample: make([]float64, len(cands))}
	total := 0.0
	for i := range cands {
		h := toVec(ctest[i])
		score := make([]float64, n)
		for _, rc := range crefs[i] {
			r := toVec(rc)
			delta := h.length - r.length
			for k := 0; k < n; k++ {
				val := 0.0
				for g, hw := range h.w[k] {
					rw := r.w[k][g]
					val += math.Min(hw, rw) * rw
				}
				if h.norm[k] != 0 && r.norm[k] != 0 {
					val /= h.norm[k] * r.norm[k]
				}
				score[k] += val * math.Exp(-(delta*delta)/(2*sigma*sigma))
			}
		}
		mean := 0.0
		for _, s := range score {
			mean += s
		}
		mean /= float64(n)
		mean /= float64(len(crefs[i]))
		mean *= 10
		res.PerExample[i] = mean
		total += mean
	}
	if len(cands) > 0 {
		res.Score = total / float64(len(cands))
	}
	return res, nil
}
