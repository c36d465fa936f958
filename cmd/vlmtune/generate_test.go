package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/internal/testutil"
)

// genArgs is a generate command line (runCLI resets the other flags).
func genArgs(extra ...string) []string { return append([]string{"generate"}, extra...) }

// generate --inputs reproduces every generation setting of llama_gen_tiny
// (greedy with its scores, beam search, repetition penalty, no-repeat
// n-grams, a custom end id, min_new_tokens) token for token.
func TestGenerateInputsMatchesTransformers(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "llama_gen_tiny")
	ref, err := safetensors.Open(filepath.Join(dir, "reference.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	ints := func(name string) []int64 {
		v, err := ref.Int64s(name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tmp := t.TempDir()
	in := filepath.Join(tmp, "in.safetensors")
	writeIntInputs(t, ref, in, "input_ids", "attention_mask")
	for _, c := range []struct {
		ref   string
		flags []string
	}{
		{"generate_greedy", nil},
		{"generate_beam", []string{"--num-beams", "3", "--early-stopping", "true"}},
		{"generate_reppen", []string{"--repetition-penalty", "1.3"}},
		{"generate_norepeat", []string{"--no-repeat-ngram-size", "2"}},
		{"generate_eos_custom", []string{"--eos-token-id", "38"}},
		{"generate_min_new_tokens", []string{"--eos-token-id", "38", "--min-new-tokens", "5"}},
	} {
		out := filepath.Join(tmp, c.ref+".safetensors")
		args := genArgs(append([]string{"--model", dir, "--inputs", in, "--max-new-tokens", "10", "--out", out, "--eos-token-id", "2"}, c.flags...)...)
		if _, err := runCLI(t, args...); err != nil {
			t.Fatalf("%s: %v", c.ref, err)
		}
		got, err := safetensors.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		seq, err := got.Int64s("sequences")
		if err != nil {
			t.Fatal(err)
		}
		want := ints(c.ref)
		if fmt.Sprint(seq) != fmt.Sprint(want) {
			t.Errorf("%s: sequences\n got %v\nwant %v", c.ref, seq, want)
		}
		if c.ref == "generate_beam" {
			// Beam search writes the processed log-probabilities of every
			// beam [steps, batch·beams, vocab] and the sequence scores.
			info, err := got.Info("scores")
			if err != nil || len(info.Shape) != 3 || info.Shape[1] != 9 || info.Shape[2] != 128 {
				t.Errorf("beam scores shape %v, want [steps, 9, 128]", info.Shape)
			}
			ss, err := got.Float32s("sequences_scores")
			if err != nil {
				t.Fatal(err)
			}
			want, _ := ref.Float32s("generate_beam_sequences_scores")
			if rel := testutil.RelL2(ss, want); rel > 1e-4 {
				t.Errorf("sequences_scores %v, want %v", ss, want)
			}
		}
		if c.ref == "generate_greedy" {
			scores, err := got.Float32s("scores")
			if err != nil {
				t.Fatal(err)
			}
			wantScores, _ := ref.Float32s("generate_greedy_scores")
			if len(scores) != len(wantScores) {
				t.Fatalf("scores: %d values, want %d", len(scores), len(wantScores))
			}
			if rel := testutil.RelL2(scores, wantScores); rel > 1e-4 {
				t.Errorf("greedy scores: relative L2 %g", rel)
			}
		}
		got.Close()
	}
}

// tinyLMDir copies llama_gen_tiny next to a character tokenizer of its 128
// ids and a chat template.
func tinyLMDir(t *testing.T) string {
	t.Helper()
	src := testutil.Fixture(t, "hf-parity", "llama_gen_tiny")
	dir := t.TempDir()
	for _, f := range []string{"config.json", "generation_config.json", "model.safetensors"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vocab := map[string]int{"<pad>": 0, "<s>": 1, "</s>": 2}
	for i := 3; i < 128; i++ {
		vocab[string(rune(' '+i-3))] = i // ' ' ... and the printable ASCII range onwards
	}
	tok := map[string]any{
		"version":        "1.0",
		"added_tokens":   []map[string]any{{"id": 0, "content": "<pad>", "special": true}, {"id": 1, "content": "<s>", "special": true}, {"id": 2, "content": "</s>", "special": true}},
		"normalizer":     nil,
		"pre_tokenizer":  nil,
		"post_processor": map[string]any{"type": "TemplateProcessing", "single": []any{map[string]any{"SpecialToken": map[string]any{"id": "<s>", "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}}}, "pair": []any{}, "special_tokens": map[string]any{"<s>": map[string]any{"id": "<s>", "ids": []int{1}, "tokens": []string{"<s>"}}}},
		"decoder":        map[string]any{"type": "Fuse"},
		"model":          map[string]any{"type": "BPE", "vocab": vocab, "merges": []string{}, "unk_token": nil},
	}
	data, _ := json.Marshal(tok)
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := `{"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>",
	  "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.role[0] }}:{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}a:{% endif %}"}`
	if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// generate --prompt streams the text of the ids that --inputs writes for
// the same tokens; --chat renders the chat template first.
func TestGeneratePromptAndChat(t *testing.T) {
	dir := tinyLMDir(t)
	tmp := t.TempDir()
	for _, c := range []struct {
		name, prompt string
		chat         []string
		ids          []int64
	}{
		{"plain", "Hi", nil, []int64{1, 43, 76}},
		{"chat", "Hi", []string{"--chat", "--system", "Be"}, append([]int64{1}, charIDs("s:Be\nu:Hi\na:")...)},
	} {
		args := genArgs(append([]string{"--model", dir, "--prompt", c.prompt, "--max-new-tokens", "8"}, c.chat...)...)
		out, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		in := filepath.Join(tmp, c.name+".safetensors")
		if err := safetensors.Write(in, []safetensors.Tensor{safetensors.Int64Tensor("input_ids", []int{1, len(c.ids)}, c.ids)}, nil); err != nil {
			t.Fatal(err)
		}
		res := filepath.Join(tmp, c.name+"-out.safetensors")
		if _, err := runCLI(t, genArgs("--model", dir, "--inputs", in, "--max-new-tokens", "8", "--out", res)...); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		f, err := safetensors.Open(res)
		if err != nil {
			t.Fatal(err)
		}
		seq, _ := f.Int64s("sequences")
		f.Close()
		var want strings.Builder
		for _, id := range seq[len(c.ids):] {
			if id >= 3 {
				want.WriteRune(rune(' ' + id - 3))
			}
		}
		if strings.TrimSuffix(out, "\n") != want.String() {
			t.Errorf("%s: streamed %q, want %q (ids %v)", c.name, out, want.String(), seq)
		}
	}
}

func charIDs(s string) []int64 {
	var out []int64
	for _, r := range s {
		if r == '\n' {
			continue
		}
		out = append(out, int64(r-' '+3))
	}
	return out
}

// Bad input: a model that does not generate, a prompt past the context, a
// bad end id, conflicting flags.
func TestGenerateRefusesBadInput(t *testing.T) {
	dir := tinyLMDir(t)
	_, err := runCLI(t, genArgs("--model", dir, "--prompt", strings.Repeat("x", 80), "--max-new-tokens", "4")...)
	wantErr(t, err, "81 tokens", "max_position_embeddings 64")
	_, err = runCLI(t, genArgs("--model", dir, "--prompt", "x", "--eos-token-id", "2,x")...)
	wantErr(t, err, "--eos-token-id")
	_, err = runCLI(t, genArgs("--model", dir, "--prompt", "x", "--system", "s")...)
	wantErr(t, err, "--system needs --chat")
	_, err = runCLI(t, genArgs("--model", dir, "--prompt", "0123456789012345678901234")...)
	wantErr(t, err, "max_length is 20", "--max-new-tokens")
	clip := testutil.Fixture(t, "hf-parity", "clip_tiny")
	_, err = runCLI(t, genArgs("--model", clip, "--prompt", "x", "--max-new-tokens", "2")...)
	wantErr(t, err, "clip", "llama", "mistral", "opt", "qwen2")
}
