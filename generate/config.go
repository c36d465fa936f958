// Package generate produces text from causal language models as
// transformers' generate does (v4.44): greedy search, sampling with
// temperature, top-k, top-p and min-p, and beam search; the logits
// processors repetition_penalty, no_repeat_ngram_size, min_new_tokens,
// min_length and bad_words_ids; stopping on max_new_tokens, a list of
// end-of-sequence ids and stop strings; defaults from generation_config.json;
// and a streaming callback. Given the same logits, greedy and beam search
// give transformers' token ids; sampling draws from its own seeded source.
package generate

import (
	"fmt"

	"github.com/vlmtune/vlmtune/hf"
)

// Config is what a generation does (transformers' GenerationConfig).
type Config struct {
	// MaxNewTokens caps the new tokens; when 0, MaxLength caps prompt plus
	// new tokens (transformers' default: 20).
	MaxNewTokens, MaxLength int
	// MinNewTokens and MinLength forbid the end-of-sequence tokens until
	// that many new (or total) tokens exist.
	MinNewTokens, MinLength int
	// DoSample samples the next token instead of taking the best.
	DoSample bool
	// Temperature divides the logits before sampling (1: none).
	Temperature float64
	// TopK keeps the K best tokens when sampling (0: all; transformers'
	// default 50); TopP the smallest set whose probability reaches P (1:
	// all); MinP drops tokens less likely than MinP times the best (0:
	// none).
	TopK       int
	TopP, MinP float64
	// NumBeams > 1 selects beam search, with LengthPenalty (exponent of
	// the length the summed log-probability is divided by) and
	// EarlyStopping ("true", "false" or "never", as transformers).
	NumBeams      int
	LengthPenalty float64
	EarlyStopping string
	// NumReturnSequences is the number of sequences per prompt (≤
	// NumBeams with beam search).
	NumReturnSequences int
	// RepetitionPenalty > 1 discourages every token already in the row
	// (prompt included): logits above 0 are divided by it, those below
	// multiplied.
	RepetitionPenalty float64
	// NoRepeatNgramSize forbids repeating any n-gram of the row.
	NoRepeatNgramSize int
	// BadWordsIDs lists token sequences that may not be generated (a
	// sequence equal to a single end-of-sequence id is ignored, as
	// transformers does).
	BadWordsIDs [][]int32
	// EOS ends a row (several ids allowed; empty: none). Pad fills a row
	// after its end; nil means EOS[0].
	EOS []int32
	Pad *int32
	// StopStrings end a row once its generated text contains one of them
	// ending within the last token (they need Options.Decode).
	StopStrings []string
	// Seed seeds sampling.
	Seed uint64
}

// DefaultConfig returns transformers' GenerationConfig defaults: greedy,
// at most 20 tokens in all, top_k 50 when sampling.
func DefaultConfig() Config {
	return Config{MaxLength: 20, Temperature: 1, TopK: 50, TopP: 1, NumBeams: 1, LengthPenalty: 1, EarlyStopping: "false", NumReturnSequences: 1, RepetitionPenalty: 1}
}

// FromHF returns the defaults updated by a generation_config.json (nil:
// none), whose end-of-sequence and padding ids win over the model's
// config.json values (modelEOS, modelPad) as in transformers.
func FromHF(gc *hf.GenerationConfig, modelEOS []int32, modelPad *int32) Config {
	c := DefaultConfig()
	c.EOS, c.Pad = modelEOS, modelPad
	if gc == nil {
		return c
	}
	if gc.EOSTokenID != nil {
		c.EOS = nil
		for _, id := range gc.EOSTokenID.IDs {
			c.EOS = append(c.EOS, int32(id))
		}
	}
	if gc.PadTokenID != nil {
		p := int32(*gc.PadTokenID)
		c.Pad = &p
	}
	setInt := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	setFloat := func(dst *float64, v *float64) {
		if v != nil {
			*dst = *v
		}
	}
	setInt(&c.MaxLength, gc.MaxLength)
	setInt(&c.MaxNewTokens, gc.MaxNewTokens)
	setInt(&c.MinLength, gc.MinLength)
	setInt(&c.NumBeams, gc.NumBeams)
	setInt(&c.TopK, gc.TopK)
	setFloat(&c.Temperature, gc.Temperature)
	setFloat(&c.TopP, gc.TopP)
	setFloat(&c.RepetitionPenalty, gc.RepetitionPenalty)
	setInt(&c.MinNewTokens, gc.MinNewTokens)
	setInt(&c.NumReturnSequences, gc.NumReturnSequences)
	setInt(&c.NoRepeatNgramSize, gc.NoRepeatNgramSize)
	setFloat(&c.MinP, gc.MinP)
	setFloat(&c.LengthPenalty, gc.LengthPenalty)
	if gc.DoSample != nil {
		c.DoSample = *gc.DoSample
	}
	if gc.EarlyStopping != nil {
		c.EarlyStopping = string(*gc.EarlyStopping)
	}
	for _, w := range gc.BadWordsIDs {
		ids := make([]int32, len(w))
		for i, id := range w {
			ids[i] = int32(id)
		}
		c.BadWordsIDs = append(c.BadWordsIDs, ids)
	}
	if gc.StopStrings != nil {
		c.StopStrings = append([]string(nil), gc.StopStrings.Values...)
	}
	return c
}

// Validate checks the settings.
func (c *Config) Validate() error {
	switch {
	case c.MaxNewTokens < 0 || c.MaxLength < 0 || c.MinNewTokens < 0 || c.MinLength < 0:
		return fmt.Errorf("max_new_tokens, max_length, min_new_tokens and min_length must be ≥ 0")
	case c.MaxNewTokens == 0 && c.MaxLength == 0:
		return fmt.Errorf("set max_new_tokens or max_length")
	case c.DoSample && c.Temperature <= 0:
		return fmt.Errorf("temperature must be positive when sampling, got %g", c.Temperature)
	case c.TopK < 0:
		return fmt.Errorf("top_k must be ≥ 0, got %d", c.TopK)
	case c.TopP <= 0 || c.TopP > 1:
		return fmt.Errorf("top_p must be in (0, 1], got %g", c.TopP)
	case c.MinP < 0 || c.MinP > 1:
		return fmt.Errorf("min_p must be in [0, 1], got %g", c.MinP)
	case c.NumBeams < 1:
		return fmt.Errorf("num_beams must be ≥ 1, got %d", c.NumBeams)
	case c.NumReturnSequences < 1:
		return fmt.Errorf("num_return_sequences must be ≥ 1, got %d", c.NumReturnSequences)
	case c.NumBeams > 1 && c.NumReturnSequences > c.NumBeams:
		return fmt.Errorf("num_return_sequences (%d) must be ≤ num_beams (%d)", c.NumReturnSequences, c.NumBeams)
	case c.NumBeams == 1 && !c.DoSample && c.NumReturnSequences > 1:
		return fmt.Errorf("greedy search returns one sequence per prompt; set do_sample or num_beams for num_return_sequences %d", c.NumReturnSequences)
	case c.RepetitionPenalty <= 0:
		return fmt.Errorf("repetition_penalty must be positive, got %g", c.RepetitionPenalty)
	case c.NoRepeatNgramSize < 0:
		return fmt.Errorf("no_repeat_ngram_size must be ≥ 0, got %d", c.NoRepeatNgramSize)
	}
	switch c.EarlyStopping {
	case "", "true", "false", "never":
	default:
		return fmt.Errorf("early_stopping must be true, false or never, got %q", c.EarlyStopping)
	}
	for _, w := range c.BadWordsIDs {
		if len(w) == 0 {
			return fmt.Errorf("bad_words_ids holds an empty sequence")
		}
		for _, id := range w {
			if id < 0 {
				return fmt.Errorf("bad_words_ids: negative id %d", id)
			}
		}
	}
	return nil
}

// pad returns the padding id: Pad, else EOS[0], else 0.
func (c *Config) pad() int32 {
	switch {
	case c.Pad != nil:
		return *c.Pad
	case len(c.EOS) > 0:
		return c.EOS[0]
	}
	return 0
}

// maxLength is the total length (prompt plus new tokens) generation stops
// at.
func (c *Config) maxLength(prompt int) int {
	if c.MaxNewTokens > 0 {
		return prompt + c.MaxNewTokens
	}
	return c.MaxLength
}

func (c *Config) isEOS(id int32) bool {
	for _, e := range c.EOS {
		if e == id {
			return true
		}
	}
	return false
}
