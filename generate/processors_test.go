package generate

import (
	"math"
	"testing"

	"github.com/vlmtune/vlmtune/tensor"
)

func finite(s []float32) []int {
	var out []int
	for i, v := range s {
		if !math.IsInf(float64(v), -1) {
			out = append(out, i)
		}
	}
	return out
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The warpers keep what transformers' TopK, TopP and MinP warpers keep.
func TestWarpers(t *testing.T) {
	// Probabilities of exp(scores): 0.5, 0.25, 0.125, 0.0625, 0.0625.
	ln := func(p float64) float32 { return float32(math.Log(p)) }
	base := []float32{ln(0.0625), ln(0.5), ln(0.125), ln(0.25), ln(0.0625)}
	for _, c := range []struct {
		name string
		cfg  Config
		keep int
		want []int
	}{
		{"top-k 2", Config{TopK: 2, TopP: 1, Temperature: 1}, 1, []int{1, 3}},
		{"top-k ties kept", Config{TopK: 4, TopP: 1, Temperature: 1}, 1, []int{0, 1, 2, 3, 4}},
		{"top-k at least keep", Config{TopK: 1, TopP: 1, Temperature: 1}, 2, []int{1, 3}},
		// Ascending cumulative probabilities 0.0625, 0.125, 0.25, 0.5, 1:
		// top_p 0.8 removes those ≤ 0.2.
		{"top-p 0.8", Config{TopP: 0.8, Temperature: 1}, 1, []int{1, 2, 3}},
		{"top-p 0.5", Config{TopP: 0.5, Temperature: 1}, 1, []int{1}},
		{"top-p keeps min tokens", Config{TopP: 0.5, Temperature: 1}, 2, []int{1, 3}},
		// min_p 0.3 of the top 0.5 removes probabilities below 0.15.
		{"min-p 0.3", Config{MinP: 0.3, TopP: 1, Temperature: 1}, 1, []int{1, 3}},
		{"min-p keeps min tokens", Config{MinP: 0.9, TopP: 1, Temperature: 1}, 3, []int{1, 2, 3}},
	} {
		s := append([]float32(nil), base...)
		c.cfg.warp(s, c.keep)
		if got := finite(s); !sameInts(got, c.want) {
			t.Errorf("%s: kept %v, want %v", c.name, got, c.want)
		}
	}
	s := []float32{1, 2}
	(&Config{Temperature: 0.5, TopP: 1}).warp(s, 1)
	if s[0] != 2 || s[1] != 4 {
		t.Errorf("temperature 0.5: %v", s)
	}
}

// The processors follow transformers' rules.
func TestProcessors(t *testing.T) {
	c := Config{RepetitionPenalty: 2, EOS: []int32{0}}
	s := []float32{1, -1, 4, 3}
	c.process(s, []int32{1, 2, 2}, 0)
	if s[0] != 1 || s[1] != -2 || s[2] != 2 || s[3] != 3 {
		t.Errorf("repetition penalty: %v", s)
	}
	// no_repeat_ngram_size 2: after "5 6 ... 5", 6 is banned.
	if got := bannedNgram([]int32{5, 6, 7, 5}, 2); len(got) != 1 || got[0] != 6 {
		t.Errorf("banned %v", got)
	}
	if got := bannedNgram([]int32{5}, 3); got != nil {
		t.Errorf("too short: banned %v", got)
	}
	c = Config{RepetitionPenalty: 1, EOS: []int32{3}, BadWordsIDs: [][]int32{{1}, {3}, {4, 2}}, MinNewTokens: 2}
	s = []float32{0, 0, 0, 0, 0}
	c.process(s, []int32{9, 4}, 1)
	// 1 banned always, [3] ignored (an end id) but eos banned by
	// min_new_tokens (1 new token < 2), 2 banned after 4.
	if got := finite(s); !sameInts(got, []int{0, 4}) {
		t.Errorf("bad words and min_new_tokens kept %v", got)
	}
}

// Sampling is reproducible from its seed and follows the probabilities.
func TestMultinomial(t *testing.T) {
	scores := []float32{float32(math.Log(0.7)), float32(math.Log(0.2)), float32(math.Log(0.1)), negInf}
	count := make([]int, 4)
	rng := tensor.NewRNG(1)
	for i := 0; i < 20000; i++ {
		count[multinomial(scores, rng)]++
	}
	if count[3] != 0 || math.Abs(float64(count[0])/20000-0.7) > 0.02 || math.Abs(float64(count[2])/20000-0.1) > 0.01 {
		t.Errorf("counts %v", count)
	}
	a, b := tensor.NewRNG(5), tensor.NewRNG(5)
	for i := 0; i < 50; i++ {
		if multinomial(scores, a) != multinomial(scores, b) {
			t.Fatal("the same seed drew differently")
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{},
		{MaxNewTokens: 5, TopP: 0, NumBeams: 1, NumReturnSequences: 1, RepetitionPenalty: 1},
		{MaxNewTokens: 5, TopP: 1, NumBeams: 2, NumReturnSequences: 3, RepetitionPenalty: 1},
		{MaxNewTokens: 5, TopP: 1, NumBeams: 1, NumReturnSequences: 2, RepetitionPenalty: 1},
		{MaxNewTokens: 5, TopP: 1, NumBeams: 1, NumReturnSequences: 1, RepetitionPenalty: 1, EarlyStopping: "maybe"},
		{MaxNewTokens: 5, TopP: 1, NumBeams: 1, NumReturnSequences: 1, RepetitionPenalty: 1, DoSample: true, Temperature: 0},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	d := DefaultConfig()
	if err := d.Validate(); err != nil {
		t.Error(err)
	}
}
