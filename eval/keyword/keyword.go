// Package keyword scores generated reports by the findings they mention
// (clinical-findings style): for every keyword, whether a prediction and its
// reference mention it, then precision, recall and F1 per keyword with
// micro and macro averages. It also holds cosine similarity between
// embedding vectors for semantic-similarity scores.
//
// A text mentions a keyword when the keyword's words occur as consecutive
// whole words of the text, ignoring case. Words are maximal runs of Unicode
// letters and digits, so "pleural effusion" matches "Pleural effusion." and
// "x-ray" matches "x ray", but "effusion" does not match "effusions".
// Negation ("no effusion") is not handled: it still mentions "effusion".
//
// Ratios whose denominator is zero (no predicted or no true mention of a
// keyword) are reported as 0, as scikit-learn's zero_division=0 does.
package keyword

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// Words splits text into lowercase words: maximal runs of letters and
// digits.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Mentions reports whether text mentions keyword as whole words.
func Mentions(text, keyword string) bool {
	return containsSeq(Words(text), Words(keyword))
}

func containsSeq(words, kw []string) bool {
	if len(kw) == 0 {
		return false
	}
	for i := 0; i+len(kw) <= len(words); i++ {
		match := true
		for j := range kw {
			if words[i+j] != kw[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// Counts are the confusion counts of one keyword.
type Counts struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
	TN int `json:"tn"`
}

// PRF holds precision, recall and F1 in [0, 1].
type PRF struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func (c Counts) prf() PRF {
	p := div(float64(c.TP), float64(c.TP+c.FP))
	r := div(float64(c.TP), float64(c.TP+c.FN))
	return PRF{Precision: p, Recall: r, F1: div(2*p*r, p+r)}
}

// KeywordScore is the result for one keyword.
type KeywordScore struct {
	Keyword string `json:"keyword"`
	Counts
	PRF
	// Support is the number of references that mention the keyword.
	Support int `json:"support"`
}

// Result holds per-keyword scores and their averages. Micro averages pool
// the counts of all keywords; macro averages are the unweighted means of
// the per-keyword precision, recall and F1.
type Result struct {
	PerKeyword []KeywordScore `json:"per_keyword"`
	Micro      PRF            `json:"micro"`
	Macro      PRF            `json:"macro"`
}

// Evaluate scores predictions against references (one reference text per
// example) for the given keywords.
func Evaluate(predictions, references, keywords []string) (Result, error) {
	if len(predictions) != len(references) {
		return Result{}, fmt.Errorf("keyword: %d predictions but %d references", len(predictions), len(references))
	}
	if len(keywords) == 0 {
		return Result{}, fmt.Errorf("keyword: no keywords given")
	}
	kws := make([][]string, len(keywords))
	for k, kw := range keywords {
		kws[k] = Words(kw)
		if len(kws[k]) == 0 {
			return Result{}, fmt.Errorf("keyword: keyword %d (%q) has no letters or digits", k, kw)
		}
	}
	counts := make([]Counts, len(keywords))
	for i := range predictions {
		pw, rw := Words(predictions[i]), Words(references[i])
		for k, kw := range kws {
			p, r := containsSeq(pw, kw), containsSeq(rw, kw)
			switch {
			case p && r:
				counts[k].TP++
			case p:
				counts[k].FP++
			case r:
				counts[k].FN++
			default:
				counts[k].TN++
			}
		}
	}
	res := Result{PerKeyword: make([]KeywordScore, len(keywords))}
	var pooled Counts
	for k, c := range counts {
		s := KeywordScore{Keyword: keywords[k], Counts: c, PRF: c.prf(), Support: c.TP + c.FN}
		res.PerKeyword[k] = s
		pooled.TP += c.TP
		pooled.FP += c.FP
		pooled.FN += c.FN
		pooled.TN += c.TN
		res.Macro.Precision += s.Precision
		res.Macro.Recall += s.Recall
		res.Macro.F1 += s.F1
	}
	n := float64(len(keywords))
	res.Macro.Precision /= n
	res.Macro.Recall /= n
	res.Macro.F1 /= n
	res.Micro = pooled.prf()
	return res, nil
}

// Cosine returns the cosine similarity of a and b (computed in float64),
// or an error if their lengths differ or either has zero norm.
func Cosine(a, b []float32) (float64, error) {
	if len(a) != len(b) {
		return 0, fmt.Errorf("keyword: vectors have lengths %d and %d", len(a), len(b))
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0, fmt.Errorf("keyword: cosine of a zero vector is undefined")
	}
	return dot / (math.Sqrt(na) * math.Sqrt(nb)), nil
}

// MeanCosine returns the per-pair cosine similarities of a[i] and b[i] and
// their mean.
func MeanCosine(a, b [][]float32) (float64, []float64, error) {
	if len(a) != len(b) {
		return 0, nil, fmt.Errorf("keyword: %d and %d vectors", len(a), len(b))
	}
	per := make([]float64, len(a))
	sum := 0.0
	for i := range a {
		c, err := Cosine(a[i], b[i])
		if err != nil {
			return 0, nil, fmt.Errorf("keyword: pair %d: %w", i, err)
		}
		per[i] = c
		sum += c
	}
	if len(a) == 0 {
		return 0, per, nil
	}
	return sum / float64(len(a)), per, nil
}
