package generate

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/vlmtune/vlmtune/internal/kernels"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/tensor"
)

// LM is what generation needs of a model (models.CausalLM has it).
type LM interface {
	VocabSize() int
	NewCache(batch int) *models.Cache
	ForwardLM(s *tensor.Scope, b models.TokenBatch, opt models.LMOptions) (*models.LMOutput, error)
}

// Prompt is a batch of prompts: token ids [B, T], left-padded, with their
// attention mask (nil: no padding); or input embeddings [B, T, E] (then IDs
// may be nil, and the sequences returned hold the new tokens only, as
// transformers' generate with inputs_embeds).
type Prompt struct {
	IDs    []int32
	Mask   []int32
	B, T   int
	Embeds *tensor.Tensor
}

// Options are a generation's non-configuration inputs.
type Options struct {
	// Context cancels a generation between steps.
	Context context.Context
	// Scope is the tensor scope the model runs in (nil: a new inference
	// scope).
	Scope *tensor.Scope
	// Stream, when set, receives every new token of every row as it is
	// chosen (greedy search and sampling; beam search streams nothing, its
	// beams change until the end). Rows that have finished receive no more
	// tokens.
	Stream func(row int, token int32)
	// Decode turns token ids into text (for stop strings).
	Decode func(ids []int32) string
	// OutputScores keeps each step's processed scores.
	OutputScores bool
}

// Output is what a generation returns (transformers'
// return_dict_in_generate=True).
type Output struct {
	// Sequences are the prompt ids (when given) and the new tokens of each
	// returned sequence (NumReturnSequences per prompt), rows that ended
	// early padded as transformers pads them.
	Sequences [][]int32
	// Scores, with OutputScores, hold each step's processed scores [rows ×
	// vocab] (greedy and sampling: what the token was chosen from; beam
	// search: the processed log-probabilities of each beam).
	Scores [][]float32
	// SequenceScores are beam search's scores of the returned sequences
	// (summed log-probabilities over generated length^length_penalty).
	SequenceScores []float32
}

// Generate runs a generation.
func Generate(lm LM, p Prompt, c Config, opt Options) (*Output, error) {
	if c.EarlyStopping == "" {
		c.EarlyStopping = "false"
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := p.check(lm.VocabSize()); err != nil {
		return nil, err
	}
	if len(c.StopStrings) > 0 && opt.Decode == nil {
		return nil, fmt.Errorf("stop strings need a tokenizer to decode the tokens")
	}
	idsLen := 0
	if p.IDs != nil {
		idsLen = p.T
	}
	if c.MaxNewTokens == 0 && c.MaxLength <= idsLen {
		return nil, fmt.Errorf("max_length %d leaves no room after the %d-token prompt; set max_new_tokens", c.MaxLength, idsLen)
	}
	if opt.Scope == nil {
		opt.Scope = tensor.NewInferenceScope()
	}
	if opt.Context == nil {
		opt.Context = context.Background()
	}
	if c.NumBeams > 1 {
		return beamSearch(lm, p, c, opt)
	}
	return sample(lm, p, c, opt)
}

func (p *Prompt) check(vocab int) error {
	if p.B < 1 || p.T < 1 {
		return fmt.Errorf("empty prompt (%d rows of %d)", p.B, p.T)
	}
	if p.IDs == nil && p.Embeds == nil {
		return fmt.Errorf("the prompt has neither token ids nor embeddings")
	}
	if p.IDs != nil {
		if len(p.IDs) != p.B*p.T {
			return fmt.Errorf("%d prompt ids for %d rows of %d", len(p.IDs), p.B, p.T)
		}
		if err := models.CheckIDs("prompt", p.IDs, vocab); err != nil {
			return err
		}
	}
	if p.Mask != nil && len(p.Mask) != p.B*p.T {
		return fmt.Errorf("%d mask values for %d rows of %d", len(p.Mask), p.B, p.T)
	}
	return nil
}

// state is the batch being generated: each row's tokens and mask.
type state struct {
	rows      int
	promptLen int // ids kept in rows (0 with embeddings only)
	seq       [][]int32
	mask      [][]int32
}

// expand repeats each prompt row n times (transformers'
// repeat_interleave) and returns the rows' sequences, masks and the
// prefill batch.
func expand(p Prompt, n int) (*state, models.TokenBatch) {
	rows := p.B * n
	st := &state{rows: rows, seq: make([][]int32, rows), mask: make([][]int32, rows)}
	if p.IDs != nil {
		st.promptLen = p.T
	}
	b := models.TokenBatch{B: rows, T: p.T}
	idx := make([]int, rows)
	for r := 0; r < rows; r++ {
		src := r / n
		idx[r] = src
		st.mask[r] = make([]int32, p.T)
		for j := range st.mask[r] {
			st.mask[r][j] = 1
			if p.Mask != nil {
				st.mask[r][j] = p.Mask[src*p.T+j]
			}
		}
		if p.IDs != nil {
			st.seq[r] = append([]int32(nil), p.IDs[src*p.T:(src+1)*p.T]...)
			b.IDs = append(b.IDs, st.seq[r]...)
		}
		b.Mask = append(b.Mask, st.mask[r]...)
	}
	if p.Embeds != nil {
		e := p.Embeds
		if n > 1 {
			e = tensor.IndexSelect(e, 0, idx)
		}
		b.Embeds = e
	}
	b.Positions = positions(b.Mask, rows, p.T)
	return st, b
}

// positions are generate's position ids: the count of real tokens so far
// minus one, 1 on padding (transformers' cumsum(mask) − 1, masked_fill 1).
func positions(mask []int32, rows, t int) []int32 {
	out := make([]int32, rows*t)
	for r := 0; r < rows; r++ {
		n := int32(0)
		for j := 0; j < t; j++ {
			n += mask[r*t+j]
			if mask[r*t+j] == 0 {
				out[r*t+j] = 1
			} else {
				out[r*t+j] = n - 1
			}
		}
	}
	return out
}

// step feeds one new token per row (already appended to st) and returns
// the logits [rows, V].
func (st *state) step(lm LM, s *tensor.Scope, cache *models.Cache, tokens []int32) (*tensor.Tensor, error) {
	b := models.TokenBatch{IDs: tokens, B: st.rows, T: 1, Mask: make([]int32, st.rows), Positions: make([]int32, st.rows)}
	for r := range tokens {
		m := st.mask[r]
		b.Mask[r] = m[len(m)-1]
		n := int32(0)
		for _, v := range m {
			n += v
		}
		b.Positions[r] = n - 1
	}
	return forward(lm, s, b, cache)
}

func forward(lm LM, s *tensor.Scope, b models.TokenBatch, cache *models.Cache) (*tensor.Tensor, error) {
	o, err := lm.ForwardLM(s, b, models.LMOptions{Cache: cache, LastOnly: true})
	if err != nil {
		return nil, err
	}
	return tensor.Reshape(o.Logits, b.B, o.Logits.Dim(2)), nil
}

// sample is greedy search and multinomial sampling.
func sample(lm LM, p Prompt, c Config, opt Options) (*Output, error) {
	n := 1
	if c.DoSample {
		n = c.NumReturnSequences
	}
	st, b := expand(p, n)
	cache := lm.NewCache(st.rows)
	logits, err := forward(lm, opt.Scope, b, cache)
	if err != nil {
		return nil, err
	}
	v := logits.Dim(1)
	maxLen := c.maxLength(st.promptLen)
	rng := tensor.NewRNG(c.Seed)
	out := &Output{}
	running := make([]bool, st.rows)
	for i := range running {
		running[i] = true
	}
	pad := c.pad()
	stop := newStopper(c, opt.Decode)
	for curLen := st.promptLen; ; curLen++ {
		if err := opt.Context.Err(); err != nil {
			return nil, err
		}
		scores := append([]float32(nil), logits.Data()...)
		tokens := make([]int32, st.rows)
		for r := 0; r < st.rows; r++ {
			row := scores[r*v : (r+1)*v]
			c.process(row, st.seq[r], st.promptLen)
			if c.DoSample {
				c.warp(row, 1)
				tokens[r] = multinomial(row, rng)
			} else {
				tokens[r] = argmax(row)
			}
			if len(c.EOS) > 0 && !running[r] {
				tokens[r] = pad
			}
		}
		if opt.OutputScores {
			out.Scores = append(out.Scores, scores)
		}
		for r, t := range tokens {
			st.seq[r] = append(st.seq[r], t)
			st.mask[r] = append(st.mask[r], 1)
			if running[r] && opt.Stream != nil {
				opt.Stream(r, t)
			}
		}
		all := true
		for r := range running {
			if running[r] && (c.isEOS(tokens[r]) || stop.hit(r, st.seq[r][st.promptLen:])) {
				running[r] = false
			}
			all = all && !running[r]
		}
		if all || curLen+1 >= maxLen {
			break
		}
		if logits, err = st.step(lm, opt.Scope, cache, tokens); err != nil {
			return nil, err
		}
	}
	out.Sequences = st.seq
	return out, nil
}

// argmax returns the first index of the largest score.
func argmax(s []float32) int32 {
	best := 0
	for i, v := range s {
		if v > s[best] || (math.IsNaN(float64(s[best])) && !math.IsNaN(float64(v))) {
			best = i
		}
	}
	return int32(best)
}

// multinomial draws an index with probability softmax(scores).
func multinomial(scores []float32, rng *tensor.RNG) int32 {
	p := softmax64(scores, nil)
	u := rng.Float64()
	var cum float64
	last := 0
	for i, q := range p {
		if q == 0 {
			continue
		}
		last = i
		cum += q
		if u < cum {
			return int32(i)
		}
	}
	return int32(last)
}

// logSoftmax returns log_softmax of each row of x [rows, V] in float32.
func logSoftmax(x *tensor.Tensor) []float32 {
	out := make([]float32, x.Len())
	kernels.LogSoftmaxRows(out, x.Data(), x.Dim(0), x.Dim(1))
	return out
}

// stopper detects stop strings in each row's generated text.
type stopper struct {
	strs   []string
	decode func([]int32) string
	prev   map[int]int // length of the row's text before its last token
}

func newStopper(c Config, decode func([]int32) string) *stopper {
	return &stopper{strs: c.StopStrings, decode: decode, prev: map[int]int{}}
}

// hit reports whether a stop string ends within the last token of a row's
// generated tokens.
func (s *stopper) hit(row int, gen []int32) bool {
	if len(s.strs) == 0 {
		return false
	}
	text := s.decode(gen)
	before := s.prev[row]
	s.prev[row] = len(text)
	for _, str := range s.strs {
		from := max(0, before-len(str)+1)
		if from < len(text) && strings.Contains(text[from:], str) {
			return true
		}
	}
	return false
}
