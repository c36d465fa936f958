package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// writeSlowFiles writes the vocabulary (and merges) of a testdata
// tokenizer.json in the files of a slow transformers tokenizer.
func writeSlowFiles(t *testing.T, name string, config string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "hf", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Model struct {
			Vocab  map[string]int `json:"vocab"`
			Merges [][2]string    `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(file, body string) {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if spec.Model.Merges == nil {
		toks := make([]string, 0, len(spec.Model.Vocab))
		for tk := range spec.Model.Vocab {
			toks = append(toks, tk)
		}
		sort.Slice(toks, func(i, j int) bool { return spec.Model.Vocab[toks[i]] < spec.Model.Vocab[toks[j]] })
		write("vocab.txt", strings.Join(toks, "\n")+"\n")
	} else {
		v, _ := json.Marshal(spec.Model.Vocab)
		write("vocab.json", string(v))
		var m strings.Builder
		m.WriteString("#version: 0.2\n")
		for _, mg := range spec.Model.Merges {
			m.WriteString(mg[0] + " " + mg[1] + "\n")
		}
		write("merges.txt", m.String())
	}
	write("tokenizer_config.json", config)
	return dir
}

// TestSlowTokenizerFiles loads BERT's vocab.txt and GPT-2's vocab.json +
// merges.txt made from testdata tokenizers and expects the ids the
// reference library gave for the tokenizer.json versions.
func TestSlowTokenizerFiles(t *testing.T) {
	data, err := os.ReadFile("testdata/hf_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var all hfCases
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, config string }{
		{"bert", `{"do_lower_case": true, "tokenizer_class": "BertTokenizer"}`},
		{"bert_cased", `{"do_lower_case": false, "strip_accents": false, "tokenize_chinese_chars": false}`},
		{"gpt2", `{"tokenizer_class": "GPT2Tokenizer", "added_tokens_decoder": {"0": {"content": "<|endoftext|>", "special": true, "normalized": false}}}`},
	}
	for _, c := range cases {
		tk, err := Load(writeSlowFiles(t, c.name, c.config))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		n := 0
		for _, hc := range all.Tokenizers[c.name].Cases {
			e := tk.Encode(hc.Text)
			if !slices.Equal(e.IDs, hc.IDs) || !slices.Equal(e.Tokens, hc.Tokens) {
				t.Errorf("%s %q:\n got %v %q\nwant %v %q", c.name, hc.Text, e.IDs, e.Tokens, hc.IDs, hc.Tokens)
			}
			if got := tk.Decode(hc.IDs, true); got != hc.DecodedSkip {
				t.Errorf("%s %q: decode %q, want %q", c.name, hc.Text, got, hc.DecodedSkip)
			}
			n++
		}
		if n < 20 {
			t.Errorf("%s: only %d cases", c.name, n)
		}
	}
}
