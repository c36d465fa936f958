package tokenizer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMalformedFilesGiveClearErrors(t *testing.T) {
	model := `"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}`
	cases := []struct {
		name, json string
		want       []string // substrings of the error
	}{
		{"unknown model type", `{"model": {"type": "Magic", "vocab": {}}}`,
			[]string{"model.type", `unknown model type "Magic"`, "BPE, WordPiece, WordLevel, Unigram"}},
		{"no model", `{"normalizer": null}`, []string{"model: missing"}},
		{"syntax error", "{\n  \"model\": {\n    \"type\": \"BPE\",,\n}", []string{"line 3 column", "invalid JSON"}},
		{"not an object", `[1, 2]`, []string{"invalid JSON"}},
		{"unknown normalizer", `{"normalizer": {"type": "Upcase"}, ` + model + `}`,
			[]string{"normalizer.type", `unknown normalizer type "Upcase"`}},
		{"nested unknown pre-tokenizer", `{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"}, {"type": "Nope"}]}, ` + model + `}`,
			[]string{"pre_tokenizer.pretokenizers[1].type", `"Nope"`}},
		{"unknown decoder", `{"decoder": {"type": "Reverse"}, ` + model + `}`, []string{"decoder.type", "Reverse"}},
		{"unknown post-processor", `{"post_processor": {"type": "Wrap"}, ` + model + `}`, []string{"post_processor.type", "Wrap"}},
		{"bad merge line", `{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b c"]}}`, []string{"model.merges[0]", `"a b c"`}},
		{"merge outside vocabulary", `{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}`,
			[]string{"model", `merged token "ab" is not in the vocabulary`}},
		{"vocab wrong type", `{"model": {"type": "BPE", "vocab": ["a"], "merges": []}}`, []string{"model.vocab", "expected an object"}},
		{"unk not in vocab", `{"model": {"type": "WordPiece", "vocab": {"a": 0}, "unk_token": "[UNK]"}}`,
			[]string{"model.unk_token", `"[UNK]" is not in the vocabulary`}},
		{"bad regex", `{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false}, ` + model + `}`,
			[]string{"pre_tokenizer.pattern.Regex", "invalid regular expression"}},
		{"bad behavior", `{"pre_tokenizer": {"type": "Split", "pattern": {"String": "x"}, "behavior": "Sideways", "invert": false}, ` + model + `}`,
			[]string{"pre_tokenizer.behavior", `"Sideways"`}},
		{"bad charsmap", `{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "!!notbase64"}, ` + model + `}`,
			[]string{"normalizer.precompiled_charsmap", "base64"}},
		{"short charsmap", `{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "AQID"}, ` + model + `}`,
			[]string{"normalizer.precompiled_charsmap", "shorter than"}},
		{"template without special", `{"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}], "special_tokens": {}}, ` + model + `}`,
			[]string{"post_processor.single[0].SpecialToken.id", `"[CLS]" is not listed`}},
		{"unigram bad entry", `{"model": {"type": "Unigram", "unk_id": 0, "vocab": [["a", "x"]]}}`, []string{"model.vocab[0]", `["piece", score]`}},
		{"unigram unk outside", `{"model": {"type": "Unigram", "unk_id": 5, "vocab": [["a", -1]]}}`, []string{"model.vocab", "unk_id 5"}},
		{"metaspace replacement", `{"pre_tokenizer": {"type": "Metaspace", "replacement": "ab"}, ` + model + `}`,
			[]string{"pre_tokenizer.replacement", "single character"}},
		{"added token without content", `{"added_tokens": [{"id": 3}], ` + model + `}`, []string{"added_tokens[0].content: missing"}},
		{"bad padding strategy", `{"padding": {"strategy": "Sometimes"}, ` + model + `}`, []string{"padding.strategy"}},
		{"truncation without length", `{"truncation": {"direction": "Right"}, ` + model + `}`, []string{"truncation.max_length: missing"}},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "tokenizer.json")
			if err := os.WriteFile(path, []byte(c.json), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FormatError", err)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "has no tokenizer.json") {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing path: no error")
	}
	bad := filepath.Join(dir, "broken.model")
	if err := os.WriteFile(bad, []byte("\x0a\x05hello\xff\xff"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("broken .model: %v", err)
	}
	junk := filepath.Join(dir, "tokenizer.bin")
	if err := os.WriteFile(junk, []byte("not a tokenizer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(junk); err == nil || !strings.Contains(err.Error(), "not a tokenizer.json") {
		t.Errorf("junk file: %v", err)
	}
	vm := filepath.Join(dir, "vm")
	os.Mkdir(vm, 0o755)
	os.WriteFile(filepath.Join(vm, "vocab.json"), []byte(`{"a": 0, "b": 1}`), 0o644)
	os.WriteFile(filepath.Join(vm, "merges.txt"), []byte("#version: 0.2\na b\n"), 0o644)
	if _, err := Load(vm); err == nil || !strings.Contains(err.Error(), `"ab"`) {
		t.Errorf("merges.txt with an unknown merge result: %v", err)
	}
	os.WriteFile(filepath.Join(vm, "merges.txt"), []byte("#version: 0.2\na b c\n"), 0o644)
	if _, err := Load(vm); err == nil || !strings.Contains(err.Error(), "merges.txt: line 2") {
		t.Errorf("malformed merges.txt: %v", err)
	}
	os.WriteFile(filepath.Join(vm, "tokenizer_config.json"), []byte(`{"model_max_length": "long"}`), 0o644)
	if _, err := Load(vm); err == nil || !strings.Contains(err.Error(), "tokenizer_config.json: model_max_length") {
		t.Errorf("bad tokenizer_config.json: %v", err)
	}
}
