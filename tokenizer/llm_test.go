package tokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The language-model tokenizers decode what they encode back to the text
// (mixed scripts, emoji, runs of white space, special tokens).
func TestLLMTokenizersRoundTrip(t *testing.T) {
	texts := []string{
		"Hello, world! How are you doing today?",
		"café naïve résumé Straße ÜBER İstanbul ΟΔΟΣ",
		"日本語のテキスト、カタカナ 中文 한국어",
		"🇯🇵 flag and ❤️ heart 👍🏽 😀",
		"tabs\tand\nnewlines\r\nmixed  double  spaces   ",
		"Ελληνικά и русский, العربية, עברית.",
		"   leading spaces and trailing   ",
	}
	for _, name := range []string{"llama2", "llama3", "qwen2", "gpt2"} {
		tk, err := Load(filepath.Join("testdata", "hf", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range texts {
			ids := tk.Encode(text).IDs
			if got := tk.Decode(ids, true); got != text {
				t.Errorf("%s: %q decodes to %q", name, text, got)
			}
		}
	}
}

// Special tokens written inside the text are matched as added tokens, as
// transformers does unless split_special_tokens is set.
func TestLLMSpecialTokensInsideText(t *testing.T) {
	tk, err := Load(filepath.Join("testdata", "hf", "llama2.json"))
	if err != nil {
		t.Fatal(err)
	}
	eos := tk.SpecialIDs().EOS
	ids := tk.Encode("a </s> b").IDs
	found := false
	for _, id := range ids {
		found = found || id == eos
	}
	if !found {
		t.Errorf("</s> inside the text is not the end token %d: %v", eos, ids)
	}
	if got := tk.Decode(ids, true); strings.Contains(got, "</s>") || !strings.HasPrefix(got, "a ") || !strings.HasSuffix(got, " b") {
		t.Errorf("decoding without specials gives %q", got)
	}
	if got := tk.Decode(ids, false); !strings.Contains(got, "</s>") {
		t.Errorf("decoding with specials gives %q", got)
	}
}

// A Llama tokenizer's template follows add_bos_token and add_eos_token in
// tokenizer_config.json, as transformers' LlamaTokenizerFast rebuilds it.
func TestLlamaAddBOSAndEOS(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "hf", "llama2.json"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Load(filepath.Join("testdata", "hf", "llama2.json"))
	if err != nil {
		t.Fatal(err)
	}
	body := plain.Encode("hello").IDs
	bos, eos := plain.SpecialIDs().BOS, plain.SpecialIDs().EOS
	if body[0] == bos {
		body = body[1:]
	}
	for _, c := range []struct {
		config     string
		first, end bool
	}{
		{`{"tokenizer_class": "LlamaTokenizer"}`, true, false},
		{`{"tokenizer_class": "LlamaTokenizerFast", "add_eos_token": true}`, true, true},
		{`{"tokenizer_class": "LlamaTokenizer", "add_bos_token": false, "add_eos_token": true}`, false, true},
		{`{"tokenizer_class": "LlamaTokenizer", "add_bos_token": false}`, false, false},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(c.config), 0o644); err != nil {
			t.Fatal(err)
		}
		tk, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		ids := tk.Encode("hello").IDs
		want := append([]int(nil), body...)
		if c.first {
			want = append([]int{bos}, want...)
		}
		if c.end {
			want = append(want, eos)
		}
		if len(ids) != len(want) {
			t.Errorf("%s: %v, want %v", c.config, ids, want)
			continue
		}
		for i := range ids {
			if ids[i] != want[i] {
				t.Errorf("%s: %v, want %v", c.config, ids, want)
				break
			}
		}
	}
}
