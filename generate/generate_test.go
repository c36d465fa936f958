package generate_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/vlmtune/vlmtune/generate"
	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models"
	_ "github.com/vlmtune/vlmtune/models/all"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/tensor"
)

// fixtureLM loads a *_gen_tiny fixture with its prompts.
func fixtureLM(t *testing.T, name string) (models.CausalLM, generate.Prompt, string) {
	t.Helper()
	dir := testutil.Fixture(t, "hf-parity", name)
	l, err := models.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref := parity.Open(t, filepath.Join(dir, "reference.safetensors"))
	ids := parity.I32(t, ref, "input_ids")
	info, _ := ref.Info("input_ids")
	return l.Model.(models.CausalLM), generate.Prompt{IDs: ids, Mask: parity.I32(t, ref, "attention_mask"), B: info.Shape[0], T: info.Shape[1]}, dir
}

func sameIDs(t *testing.T, name string, got [][]int32, want []int32) {
	t.Helper()
	var flat []int32
	for _, r := range got {
		flat = append(flat, r...)
	}
	if fmt.Sprint(flat) != fmt.Sprint(want) {
		t.Errorf("%s:\n got %v\nwant %v", name, got, want)
	}
}

// scoresTensor stacks per-step scores [rows·V] into [steps, rows, V].
func scoresTensor(s [][]float32, rows int) *tensor.Tensor {
	var all []float32
	for _, x := range s {
		all = append(all, x...)
	}
	return tensor.Wrap(all, len(s), rows, len(s[0])/rows)
}

// Every generation setting llama_gen_tiny's manifest records gives
// transformers' ids token for token, and its scores.
func TestLlamaGenerationMatchesTransformers(t *testing.T) {
	lm, p, dir := fixtureLM(t, "llama_gen_tiny")
	ref := parity.Open(t, filepath.Join(dir, "reference.safetensors"))
	base := generate.DefaultConfig()
	base.MaxNewTokens = 10
	base.EOS = []int32{2}
	pad := int32(0)
	base.Pad = &pad
	cases := []struct {
		name   string
		edit   func(*generate.Config)
		scores string
	}{
		{"generate_greedy", func(*generate.Config) {}, "generate_greedy_scores"},
		{"generate_beam", func(c *generate.Config) { c.NumBeams, c.EarlyStopping = 3, "true" }, ""},
		{"generate_reppen", func(c *generate.Config) { c.RepetitionPenalty = 1.3 }, "generate_reppen_scores"},
		{"generate_norepeat", func(c *generate.Config) { c.NoRepeatNgramSize = 2 }, ""},
		{"generate_eos_custom", func(c *generate.Config) { c.EOS = []int32{38} }, ""},
		{"generate_min_new_tokens", func(c *generate.Config) { c.EOS, c.MinNewTokens = []int32{38}, 5 }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			c.edit(&cfg)
			out, err := generate.Generate(lm, p, cfg, generate.Options{OutputScores: true})
			if err != nil {
				t.Fatal(err)
			}
			sameIDs(t, c.name, out.Sequences, parity.I32(t, ref, c.name))
			if c.scores != "" {
				parity.Check(t, c.scores, scoresTensor(out.Scores, p.B), parity.F32(t, ref, c.scores))
			}
			if c.name == "generate_beam" {
				parity.Check(t, "generate_beam_sequences_scores", tensor.FromSlice(out.SequenceScores, len(out.SequenceScores)), parity.F32(t, ref, "generate_beam_sequences_scores"))
			}
		})
	}
}

func TestQwen2GreedyMatchesTransformers(t *testing.T) {
	lm, p, dir := fixtureLM(t, "qwen2_gen_tiny")
	ref := parity.Open(t, filepath.Join(dir, "reference.safetensors"))
	cfg := generate.DefaultConfig()
	cfg.MaxNewTokens = 10
	cfg.EOS = []int32{2}
	pad := int32(0)
	cfg.Pad = &pad
	out, err := generate.Generate(lm, p, cfg, generate.Options{OutputScores: true})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "generate_greedy", out.Sequences, parity.I32(t, ref, "generate_greedy"))
	parity.Check(t, "generate_greedy_scores", scoresTensor(out.Scores, p.B), parity.F32(t, ref, "generate_greedy_scores"))
}
