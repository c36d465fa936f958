// Package retrieval computes image-text retrieval metrics from a
// similarity matrix, as the usual CLIP/BLIP retrieval evaluations do
// (BLIP's itm_eval for Recall@K, VSE++'s i2t/t2i for mean and median rank).
//
// sim[i][t] is the similarity of image i and text t; owner[t] is the image
// text t describes (several texts per image). Image-to-text: the rank of an
// image is the best rank of any of its texts among all texts.
// Text-to-image: the rank of a text is the rank of its image among all
// images. Ranks are 1-based. Recall@K is the percentage (0..100) of queries
// with rank <= K, the mean rank is the mean of the ranks, and the median
// rank is floor(median of the 0-based ranks) + 1, as VSE++ computes it.
//
// Candidates are ordered by decreasing similarity; equal similarities are
// ordered by index (a stable sort). Python evaluations sort with numpy's
// unstable argsort, so their ranks under ties are not defined.
package retrieval

import (
	"fmt"
	"math"
	"sort"
)

// DefaultKs are the cut-offs reported when none are given.
var DefaultKs = []int{1, 5, 10}

// Direction holds the metrics of one retrieval direction.
type Direction struct {
	// Recall maps K to Recall@K in percent.
	Recall map[int]float64 `json:"recall"`
	// MeanRank is the mean 1-based rank.
	MeanRank float64 `json:"mean_rank"`
	// MedianRank is floor(median of 0-based ranks) + 1.
	MedianRank float64 `json:"median_rank"`
	// Ranks are the 1-based rank of every query.
	Ranks []int `json:"ranks"`
}

// Result holds both directions.
type Result struct {
	ImageToText Direction `json:"image_to_text"`
	TextToImage Direction `json:"text_to_image"`
}

// Evaluate computes image-to-text and text-to-image retrieval metrics.
// sim has one row per image and one column per text; owner[t] is the image
// of text t. ks are the Recall@K cut-offs (DefaultKs when empty).
func Evaluate(sim [][]float32, owner []int, ks []int) (Result, error) {
	if len(ks) == 0 {
		ks = DefaultKs
	}
	for _, k := range ks {
		if k < 1 {
			return Result{}, fmt.Errorf("retrieval: K=%d must be at least 1", k)
		}
	}
	nImg, nTxt := len(sim), len(owner)
	if nImg == 0 || nTxt == 0 {
		return Result{}, fmt.Errorf("retrieval: empty similarity matrix (%d images, %d texts)", nImg, nTxt)
	}
	texts := make([][]int, nImg)
	for t, o := range owner {
		if o < 0 || o >= nImg {
			return Result{}, fmt.Errorf("retrieval: text %d belongs to image %d, but there are %d images", t, o, nImg)
		}
		texts[o] = append(texts[o], t)
	}
	for i, row := range sim {
		if len(row) != nTxt {
			return Result{}, fmt.Errorf("retrieval: similarity row %d has %d columns, want %d (one per text)", i, len(row), nTxt)
		}
		if len(texts[i]) == 0 {
			return Result{}, fmt.Errorf("retrieval: image %d has no text", i)
		}
		for t, v := range row {
			if math.IsNaN(float64(v)) {
				return Result{}, fmt.Errorf("retrieval: similarity [%d][%d] is NaN", i, t)
			}
		}
	}
	i2t := make([]int, nImg)
	for i, row := range sim {
		best := math.MaxInt
		for _, t := range texts[i] {
			best = min(best, rankOf(nTxt, t, func(c int) float32 { return row[c] }))
		}
		i2t[i] = best
	}
	t2i := make([]int, nTxt)
	for t := range owner {
		t2i[t] = rankOf(nImg, owner[t], func(c int) float32 { return sim[c][t] })
	}
	return Result{ImageToText: summarize(i2t, ks), TextToImage: summarize(t2i, ks)}, nil
}

// rankOf returns the 1-based rank of candidate target among n candidates
// sorted by decreasing score, ties by index.
func rankOf(n, target int, score func(int) float32) int {
	s := score(target)
	r := 1
	for c := 0; c < n; c++ {
		v := score(c)
		if v > s || (v == s && c < target) {
			r++
		}
	}
	return r
}

func summarize(ranks []int, ks []int) Direction {
	d := Direction{Recall: make(map[int]float64, len(ks)), Ranks: ranks}
	sum := 0.0
	for _, r := range ranks {
		sum += float64(r)
	}
	d.MeanRank = sum / float64(len(ranks))
	for _, k := range ks {
		hit := 0
		for _, r := range ranks {
			if r <= k {
				hit++
			}
		}
		d.Recall[k] = 100 * float64(hit) / float64(len(ranks))
	}
	sorted := append([]int(nil), ranks...)
	sort.Ints(sorted)
	n := len(sorted)
	var med float64
	if n%2 == 1 {
		med = float64(sorted[n/2] - 1)
	} else {
		med = (float64(sorted[n/2-1]-1) + float64(sorted[n/2]-1)) / 2
	}
	d.MedianRank = math.Floor(med) + 1
	return d
}
