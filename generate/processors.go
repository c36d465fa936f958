package generate

import (
	"math"
	"sort"
)

var negInf = float32(math.Inf(-1))

// process applies the logits processors, in transformers' order, to one
// row's scores given the row's tokens so far (prompt included) and the
// prompt length.
func (c *Config) process(scores []float32, row []int32, promptLen int) {
	if c.RepetitionPenalty != 1 {
		p := float32(c.RepetitionPenalty)
		done := map[int32]bool{}
		for _, id := range row {
			if done[id] || int(id) >= len(scores) || id < 0 {
				continue
			}
			done[id] = true
			if s := scores[id]; s < 0 {
				scores[id] = s * p
			} else {
				scores[id] = s / p
			}
		}
	}
	if n := c.NoRepeatNgramSize; n > 0 {
		for _, id := range bannedNgram(row, n) {
			scores[id] = negInf
		}
	}
	if len(c.BadWordsIDs) > 0 {
		c.banBadWords(scores, row)
	}
	if c.MinLength > 0 && len(row) < c.MinLength {
		c.banEOS(scores)
	}
	if c.MinNewTokens > 0 && len(row)-promptLen < c.MinNewTokens {
		c.banEOS(scores)
	}
}

func (c *Config) banEOS(scores []float32) {
	for _, e := range c.EOS {
		if int(e) < len(scores) && e >= 0 {
			scores[e] = negInf
		}
	}
}

// bannedNgram returns the tokens that would repeat an n-gram of row
// (transformers' _calc_banned_ngram_tokens).
func bannedNgram(row []int32, n int) []int32 {
	cur := len(row)
	if cur+1 < n {
		return nil
	}
	tail := row[cur+1-n : cur]
	var out []int32
	for i := 0; i+n <= cur; i++ {
		match := true
		for j := 0; j < n-1; j++ {
			if row[i+j] != tail[j] {
				match = false
				break
			}
		}
		if match {
			out = append(out, row[i+n-1])
		}
	}
	return out
}

// banBadWords sets −Inf on the last token of every bad-word sequence whose
// prefix ends the row (single tokens always).
func (c *Config) banBadWords(scores []float32, row []int32) {
	for _, w := range c.BadWordsIDs {
		if len(w) == 1 && c.isEOS(w[0]) {
			continue
		}
		last := w[len(w)-1]
		if int(last) >= len(scores) {
			continue
		}
		prefix := w[:len(w)-1]
		if len(prefix) > 0 && len(w) > len(row) {
			continue // longer than the context: transformers skips it
		}
		match := true
		for j, id := range prefix {
			if row[len(row)-len(prefix)+j] != id {
				match = false
				break
			}
		}
		if match {
			scores[last] = negInf
		}
	}
}

// warp applies the sampling warpers in transformers' order: temperature,
// top-k, top-p, min-p; keep is min_tokens_to_keep.
func (c *Config) warp(scores []float32, keep int) {
	if c.Temperature != 1 && c.Temperature != 0 {
		t := float32(c.Temperature)
		for i := range scores {
			scores[i] /= t
		}
	}
	if c.TopK > 0 {
		k := min(max(c.TopK, keep), len(scores))
		sorted := append([]float32(nil), scores...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] > sorted[j] })
		kth := sorted[k-1]
		for i, s := range scores {
			if s < kth {
				scores[i] = negInf
			}
		}
	}
	if c.TopP < 1 {
		idx := ascending(scores)
		probs := softmax64(scores, idx)
		var cum float64
		remove := make([]bool, len(idx))
		for r, i := range idx {
			cum += probs[i]
			remove[r] = float32(cum) <= float32(1-c.TopP)
		}
		for r := len(idx) - keep; r < len(idx); r++ {
			if r >= 0 {
				remove[r] = false
			}
		}
		for r, i := range idx {
			if remove[r] {
				scores[i] = negInf
			}
		}
	}
	if c.MinP > 0 {
		probs := softmax64(scores, nil)
		top := 0.0
		for _, p := range probs {
			top = math.Max(top, p)
		}
		limit := c.MinP * top
		idx := ascending(scores)
		for r := len(idx) - 1; r >= 0; r-- {
			i := idx[r]
			if len(idx)-1-r < keep {
				continue // the keep best stay
			}
			if probs[i] < limit {
				scores[i] = negInf
			}
		}
	}
}

// ascending returns the indices of scores sorted by increasing score (ties
// by index).
func ascending(scores []float32) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	return idx
}

// softmax64 returns the softmax of scores in float64 (order: the summation
// order, nil for index order).
func softmax64(scores []float32, order []int) []float64 {
	mx := math.Inf(-1)
	for _, s := range scores {
		mx = math.Max(mx, float64(s))
	}
	p := make([]float64, len(scores))
	var z float64
	if order == nil {
		for i, s := range scores {
			p[i] = math.Exp(float64(s) - mx)
			z += p[i]
		}
	} else {
		for _, i := range order {
			p[i] = math.Exp(float64(scores[i]) - mx)
			z += p[i]
		}
	}
	for i := range p {
		p[i] /= z
	}
	return p
}
