package generate_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/generate"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// tinyLlama is a random 2-layer Llama (no fixture needed).
func tinyLlama(t *testing.T) models.CausalLM {
	t.Helper()
	m, err := models.New("config.json", []byte(`{"model_type": "llama", "vocab_size": 40, "hidden_size": 16, "intermediate_size": 32,
		"num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64, "pad_token_id": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	rng := tensor.NewRNG(4)
	nn.VisitParams(m, func(_ string, p **tensor.Tensor) {
		(*p).CopyFrom(tensor.RandN(rng, 0, 0.5, (*p).Shape()...))
	})
	return m.(models.CausalLM)
}

func prompt() generate.Prompt {
	return generate.Prompt{IDs: []int32{0, 1, 5, 7, 1, 9, 11, 13}, Mask: []int32{0, 1, 1, 1, 1, 1, 1, 1}, B: 2, T: 4}
}

func TestSamplingIsSeeded(t *testing.T) {
	lm := tinyLlama(t)
	cfg := generate.DefaultConfig()
	cfg.MaxNewTokens, cfg.DoSample, cfg.NumReturnSequences, cfg.TopK, cfg.Temperature, cfg.Seed = 6, true, 3, 10, 1.5, 42
	a, err := generate.Generate(lm, prompt(), cfg, generate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := generate.Generate(lm, prompt(), cfg, generate.Options{})
	if len(a.Sequences) != 6 || fmt.Sprint(a.Sequences) != fmt.Sprint(b.Sequences) {
		t.Fatalf("sequences %v and %v", a.Sequences, b.Sequences)
	}
	for i, s := range a.Sequences {
		if len(s) != 4+6 || fmt.Sprint(s[:4]) != fmt.Sprint(prompt().IDs[i/3*4:i/3*4+4]) {
			t.Fatalf("row %d %v does not start with its prompt", i, s)
		}
	}
	cfg.Seed = 43
	c, _ := generate.Generate(lm, prompt(), cfg, generate.Options{})
	if fmt.Sprint(a.Sequences) == fmt.Sprint(c.Sequences) {
		t.Fatal("another seed drew the same tokens")
	}
}

// Greedy search picks the argmax of the scores it reports, and streams
// each row's tokens until the row ends.
func TestGreedyStreamsAndStops(t *testing.T) {
	lm := tinyLlama(t)
	cfg := generate.DefaultConfig()
	cfg.MaxNewTokens = 8
	var streamed [2][]int32
	out, err := generate.Generate(lm, prompt(), cfg, generate.Options{OutputScores: true, Stream: func(r int, tok int32) { streamed[r] = append(streamed[r], tok) }})
	if err != nil {
		t.Fatal(err)
	}
	for r := 0; r < 2; r++ {
		if fmt.Sprint(streamed[r]) != fmt.Sprint(out.Sequences[r][4:]) {
			t.Errorf("row %d streamed %v, generated %v", r, streamed[r], out.Sequences[r][4:])
		}
		for step, s := range out.Scores {
			row := s[r*40 : (r+1)*40]
			best := 0
			for i, v := range row {
				if v > row[best] {
					best = i
				}
			}
			if int32(best) != out.Sequences[r][4+step] {
				t.Fatalf("row %d step %d chose %d, argmax %d", r, step, out.Sequences[r][4+step], best)
			}
		}
	}
	// Ending at the first token of row 0: that row is padded after it,
	// and nothing more is streamed for it.
	eos := out.Sequences[0][4]
	cfg.EOS = []int32{eos}
	pad := int32(39)
	cfg.Pad = &pad
	streamed = [2][]int32{}
	out2, _ := generate.Generate(lm, prompt(), cfg, generate.Options{Stream: func(r int, tok int32) { streamed[r] = append(streamed[r], tok) }})
	row := out2.Sequences[0]
	if row[4] != eos || len(streamed[0]) != 1 {
		t.Fatalf("row 0 %v, streamed %v", row, streamed[0])
	}
	for _, v := range row[5:] {
		if v != pad {
			t.Fatalf("row 0 %v not padded after its end", row)
		}
	}
}

// A stop string ends a row once the text of its tokens contains it.
func TestStopStrings(t *testing.T) {
	lm := tinyLlama(t)
	decode := func(ids []int32) string {
		var b strings.Builder
		for _, id := range ids {
			fmt.Fprintf(&b, "<%d>", id)
		}
		return b.String()
	}
	cfg := generate.DefaultConfig()
	cfg.MaxNewTokens = 8
	full, _ := generate.Generate(lm, prompt(), cfg, generate.Options{})
	third := full.Sequences[0][6]
	cfg.StopStrings = []string{fmt.Sprintf("%d>", third)}
	if _, err := generate.Generate(lm, prompt(), cfg, generate.Options{}); err == nil {
		t.Fatal("stop strings without a decoder: no error")
	}
	out, err := generate.Generate(lm, prompt(), cfg, generate.Options{Decode: decode})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(decode(out.Sequences[0][4:]), cfg.StopStrings[0]) {
		t.Fatalf("row 0 %v", out.Sequences[0])
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := generate.Generate(lm, prompt(), cfg, generate.Options{Context: ctx, Decode: decode}); err == nil {
		t.Fatal("a cancelled context: no error")
	}
}

// Beam search returns num_return_sequences per prompt, best first.
func TestBeamReturnsSeveral(t *testing.T) {
	lm := tinyLlama(t)
	cfg := generate.DefaultConfig()
	cfg.MaxNewTokens, cfg.NumBeams, cfg.NumReturnSequences = 5, 4, 2
	out, err := generate.Generate(lm, prompt(), cfg, generate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Sequences) != 4 || len(out.SequenceScores) != 4 {
		t.Fatalf("%d sequences, %d scores", len(out.Sequences), len(out.SequenceScores))
	}
	for b := 0; b < 2; b++ {
		if out.SequenceScores[2*b] < out.SequenceScores[2*b+1] {
			t.Errorf("prompt %d: scores %v not best first", b, out.SequenceScores[2*b:2*b+2])
		}
	}
	if _, err := generate.Generate(lm, generate.Prompt{IDs: []int32{1, 99}, B: 1, T: 2}, cfg, generate.Options{}); err == nil || !strings.Contains(err.Error(), "vocabulary") {
		t.Fatalf("an id outside the vocabulary: %v", err)
	}
}
