package retrieval

import (
	"fmt"
	"math"
)

// EvaluateMatches computes retrieval metrics when a text may describe
// several images and an image several texts, as when a data set repeats
// caption strings: match[i] lists the texts that correctly describe image
// i. An image's rank is the best rank of any matching text; a text's rank
// is the best rank of any image it matches. Texts that match no image are
// not queries.
func EvaluateMatches(sim [][]float32, match [][]int, nTexts int, ks []int) (Result, error) {
	if len(ks) == 0 {
		ks = DefaultKs
	}
	nImg := len(sim)
	if nImg == 0 || nTexts == 0 {
		return Result{}, fmt.Errorf("retrieval: empty similarity matrix (%d images, %d texts)", nImg, nTexts)
	}
	if len(match) != nImg {
		return Result{}, fmt.Errorf("retrieval: %d match lists for %d images", len(match), nImg)
	}
	images := make([][]int, nTexts)
	for i, ts := range match {
		if len(sim[i]) != nTexts {
			return Result{}, fmt.Errorf("retrieval: similarity row %d has %d columns, want %d", i, len(sim[i]), nTexts)
		}
		if len(ts) == 0 {
			return Result{}, fmt.Errorf("retrieval: image %d has no matching text", i)
		}
		for _, t := range ts {
			if t < 0 || t >= nTexts {
				return Result{}, fmt.Errorf("retrieval: image %d matches text %d, but there are %d texts", i, t, nTexts)
			}
			images[t] = append(images[t], i)
		}
		for t, v := range sim[i] {
			if math.IsNaN(float64(v)) {
				return Result{}, fmt.Errorf("retrieval: similarity [%d][%d] is NaN", i, t)
			}
		}
	}
	i2t := make([]int, nImg)
	for i, row := range sim {
		best := math.MaxInt
		for _, t := range match[i] {
			best = min(best, rankOf(nTexts, t, func(c int) float32 { return row[c] }))
		}
		i2t[i] = best
	}
	var t2i []int
	for t, imgs := range images {
		if len(imgs) == 0 {
			continue
		}
		best := math.MaxInt
		for _, i := range imgs {
			best = min(best, rankOf(nImg, i, func(c int) float32 { return sim[c][t] }))
		}
		t2i = append(t2i, best)
	}
	return Result{ImageToText: summarize(i2t, ks), TextToImage: summarize(t2i, ks)}, nil
}
