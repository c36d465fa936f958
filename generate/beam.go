package generate

import (
	"math"
	"sort"

	"github.com/vlmtune/vlmtune/tensor"
)

// hypothesis is a finished beam: its tokens (without the end-of-sequence
// token that finished it) and its score.
type hypothesis struct {
	score float64
	seq   []int32
}

// hypotheses is transformers' BeamHypotheses: the n best finished beams of
// one prompt.
type hypotheses struct {
	n        int
	lp       float64
	early    string
	maxLen   int
	beams    []hypothesis
	worst    float64
	promptLn int
}

func (h *hypotheses) add(seq []int32, sumLogprobs float64, generatedLen int) {
	score := sumLogprobs / math.Pow(float64(generatedLen), h.lp)
	if len(h.beams) < h.n || score > h.worst {
		h.beams = append(h.beams, hypothesis{score: score, seq: append([]int32(nil), seq...)})
		if len(h.beams) > h.n {
			// Drop the worst; the new worst is the second-worst.
			type sc struct {
				s float64
				i int
			}
			ss := make([]sc, len(h.beams))
			for i, b := range h.beams {
				ss[i] = sc{b.score, i}
			}
			sort.SliceStable(ss, func(a, b int) bool { return ss[a].s < ss[b].s })
			h.beams = append(h.beams[:ss[0].i], h.beams[ss[0].i+1:]...)
			h.worst = ss[1].s
		} else {
			h.worst = math.Min(score, h.worst)
		}
	}
}

func (h *hypotheses) done(bestSum float64, curLen int) bool {
	if len(h.beams) < h.n {
		return false
	}
	switch h.early {
	case "true":
		return true
	case "never":
		if h.lp > 0 {
			return h.worst >= bestSum/math.Pow(float64(h.maxLen-h.promptLn), h.lp)
		}
	}
	return h.worst >= bestSum/math.Pow(float64(curLen-h.promptLn), h.lp)
}

// candidate is one (beam, token) continuation.
type candidate struct {
	score float32
	token int32
	beam  int // global row
}

// beamSearch is transformers' _beam_search with BeamSearchScorer
// (do_sample draws the candidates instead of taking the best).
func beamSearch(lm LM, p Prompt, c Config, opt Options) (*Output, error) {
	nb := c.NumBeams
	// Prefill each prompt once, then copy it to its beams.
	st1, b := expand(p, 1)
	cache := lm.NewCache(p.B)
	logits, err := forward(lm, opt.Scope, b, cache)
	if err != nil {
		return nil, err
	}
	rep := make([]int, p.B*nb)
	for i := range rep {
		rep[i] = i / nb
	}
	cache.Reorder(rep)
	logits = tensor.IndexSelect(logits, 0, rep)
	st := &state{rows: p.B * nb, promptLen: st1.promptLen, seq: make([][]int32, p.B*nb), mask: make([][]int32, p.B*nb)}
	for r := range st.seq {
		st.seq[r] = append([]int32(nil), st1.seq[r/nb]...)
		st.mask[r] = append([]int32(nil), st1.mask[r/nb]...)
	}
	v := logits.Dim(1)
	maxLen := c.maxLength(st.promptLen)
	beamScores := make([]float32, st.rows)
	for r := range beamScores {
		if r%nb != 0 {
			beamScores[r] = -1e9
		}
	}
	hyps := make([]*hypotheses, p.B)
	for i := range hyps {
		hyps[i] = &hypotheses{n: nb, lp: c.LengthPenalty, early: c.EarlyStopping, maxLen: maxLen, worst: 1e9, promptLn: st.promptLen}
	}
	done := make([]bool, p.B)
	keep := max(2, 1+len(c.EOS)) * nb
	pad := c.pad()
	rng := tensor.NewRNG(c.Seed)
	out := &Output{}
	var lastTokens []int32
	for {
		if err := opt.Context.Err(); err != nil {
			return nil, err
		}
		scores := logSoftmax(logits)
		for r := 0; r < st.rows; r++ {
			row := scores[r*v : (r+1)*v]
			c.process(row, st.seq[r], st.promptLen)
			if c.DoSample {
				c.warp(row, len(c.EOS)+1)
			}
		}
		if opt.OutputScores {
			out.Scores = append(out.Scores, append([]float32(nil), scores...))
		}
		curLen := len(st.seq[0]) + 1
		nextScores := make([]float32, st.rows)
		nextTokens := make([]int32, st.rows)
		nextBeams := make([]int, st.rows)
		for bi := 0; bi < p.B; bi++ {
			cands := make([]candidate, 0, nb*v)
			for j := 0; j < nb; j++ {
				r := bi*nb + j
				for t := 0; t < v; t++ {
					cands = append(cands, candidate{score: scores[r*v+t] + beamScores[r], token: int32(t), beam: r})
				}
			}
			top := chooseCandidates(cands, keep, c.DoSample, rng)
			if done[bi] {
				for j := 0; j < nb; j++ {
					nextScores[bi*nb+j], nextTokens[bi*nb+j], nextBeams[bi*nb+j] = 0, pad, bi*nb
				}
				continue
			}
			k := 0
			for rank, cd := range top {
				if c.isEOS(cd.token) {
					if rank >= nb {
						continue
					}
					hyps[bi].add(st.seq[cd.beam], float64(cd.score), curLen-st.promptLen)
				} else {
					r := bi*nb + k
					nextScores[r], nextTokens[r], nextBeams[r] = cd.score, cd.token, cd.beam
					k++
				}
				if k == nb {
					break
				}
			}
			done[bi] = done[bi] || hyps[bi].done(float64(top[0].score), curLen)
		}
		seq := make([][]int32, st.rows)
		mask := make([][]int32, st.rows)
		for r := range seq {
			seq[r] = append(append([]int32(nil), st.seq[nextBeams[r]]...), nextTokens[r])
			mask[r] = append(append([]int32(nil), st.mask[nextBeams[r]]...), 1)
		}
		st.seq, st.mask = seq, mask
		cache.Reorder(nextBeams)
		beamScores = nextScores
		lastTokens = nextTokens
		allDone := true
		for _, d := range done {
			allDone = allDone && d
		}
		allEOS := true
		for _, t := range nextTokens {
			allEOS = allEOS && c.isEOS(t)
		}
		if allDone || allEOS || curLen >= maxLen {
			break
		}
		if logits, err = st.step(lm, opt.Scope, cache, lastTokens); err != nil {
			return nil, err
		}
	}
	// Finalize: unfinished beams of prompts not done join their
	// hypotheses; the best NumReturnSequences of each are returned.
	for bi, h := range hyps {
		if done[bi] {
			continue
		}
		for j := 0; j < nb; j++ {
			r := bi*nb + j
			h.add(st.seq[r], float64(beamScores[r]), len(st.seq[r])-st.promptLen)
		}
	}
	var best []hypothesis
	for _, h := range hyps {
		sorted := append([]hypothesis(nil), h.beams...)
		sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].score < sorted[b].score })
		for j := 0; j < c.NumReturnSequences; j++ {
			best = append(best, sorted[len(sorted)-1-j])
		}
	}
	longest := 0
	for _, h := range best {
		longest = max(longest, len(h.seq))
	}
	width := min(longest+1, maxLen)
	for _, h := range best {
		row := make([]int32, width)
		for i := range row {
			row[i] = pad
		}
		copy(row, h.seq)
		if len(h.seq) < width && len(c.EOS) > 0 {
			row[len(h.seq)] = c.EOS[0]
		}
		out.Sequences = append(out.Sequences, row)
		out.SequenceScores = append(out.SequenceScores, float32(h.score))
	}
	return out, nil
}

// chooseCandidates returns the keep best candidates by score (ties by
// position), or, when sampling, keep candidates drawn without replacement
// from softmax(score), sorted by score.
func chooseCandidates(cands []candidate, keep int, doSample bool, rng *tensor.RNG) []candidate {
	if !doSample {
		sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
		return cands[:min(keep, len(cands))]
	}
	scores := make([]float32, len(cands))
	for i, cd := range cands {
		scores[i] = cd.score
	}
	var out []candidate
	for len(out) < keep && len(out) < len(cands) {
		i := multinomial(scores, rng)
		out = append(out, cands[i])
		scores[i] = negInf
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].score > out[b].score })
	return out
}
