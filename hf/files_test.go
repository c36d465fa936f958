package hf

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

func TestTokenizerAndAuxFiles(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	tok, err := TokenizerFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := baseNames(tok); !slices.Equal(got, []string{"merges.txt", "special_tokens_map.json", "tokenizer_config.json", "vocab.json"}) {
		t.Errorf("tokenizer files %v", got)
	}
	aux, err := AuxFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := baseNames(aux); !slices.Equal(got, []string{"merges.txt", "preprocessor_config.json", "special_tokens_map.json", "tokenizer_config.json", "vocab.json"}) {
		t.Errorf("aux files %v", got)
	}
	for _, c := range []struct {
		name string
		want bool
	}{{"tokenizer.model", true}, {"spiece.model", true}, {".model", false}, {"vocab.txt", true}, {"added_tokens.json", true}, {"config.json", false}, {"model.safetensors", false}} {
		if IsTokenizerFile(c.name) != c.want {
			t.Errorf("IsTokenizerFile(%q) = %v", c.name, !c.want)
		}
	}
	if _, err := TokenizerFiles(filepath.Join(dir, "nope")); err == nil {
		t.Error("listing a missing directory succeeded")
	}
}

func TestCopyFiles(t *testing.T) {
	src := t.TempDir()
	dst := t.TempDir()
	a := filepath.Join(src, "tokenizer.json")
	os.WriteFile(a, []byte(`{"v":1}`), 0o600)
	if err := CopyFiles(dst, []string{a}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "tokenizer.json")); string(b) != `{"v":1}` {
		t.Errorf("copied %q", b)
	}
	// Copying a file onto itself leaves it intact.
	if err := CopyFiles(src, []string{a}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(a); string(b) != `{"v":1}` {
		t.Errorf("self-copy left %q", b)
	}
	if err := CopyFiles(dst, []string{src}); err == nil {
		t.Error("copying a directory succeeded")
	}
}
