package hf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vlmtune/vlmtune/hf/internal/atomicfile"
)

// tokenizerNames are the tokenizer files transformers saves next to a
// model (fast and slow tokenizers: BPE vocab+merges, WordPiece vocab.txt,
// SentencePiece *.model).
var tokenizerNames = []string{
	"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
	"added_tokens.json", "vocab.json", "vocab.txt", "merges.txt",
}

// processorNames are the non-tokenizer files a processor or a generating
// model needs.
var processorNames = []string{
	PreprocessorConfigFile, "processor_config.json", GenerationConfigFile,
	"chat_template.json", "chat_template.jinja",
}

// IsTokenizerFile reports whether the base name is a tokenizer file:
// tokenizer.json, tokenizer_config.json, special_tokens_map.json,
// added_tokens.json, vocab.json, vocab.txt, merges.txt or a SentencePiece
// *.model file.
func IsTokenizerFile(name string) bool {
	return slices.Contains(tokenizerNames, name) || (strings.HasSuffix(name, ".model") && name != ".model")
}

// TokenizerFiles returns the paths of the tokenizer files in dir, sorted.
func TokenizerFiles(dir string) ([]string, error) {
	return listFiles(dir, IsTokenizerFile)
}

// AuxFiles returns the paths of every file in dir that a copy of the model
// needs besides config.json and the weights: tokenizer files,
// preprocessor_config.json, processor_config.json, generation_config.json
// and chat templates. Pass them as WriteOptions.ExtraFiles to keep them
// with a fine-tuned model.
func AuxFiles(dir string) ([]string, error) {
	return listFiles(dir, func(name string) bool {
		return IsTokenizerFile(name) || slices.Contains(processorNames, name)
	})
}

func listFiles(dir string, keep func(string) bool) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("hf: %w", err)
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && keep(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// CopyFiles copies each file into dstDir under its base name, atomically.
// A file that already is the destination is left alone.
func CopyFiles(dstDir string, paths []string) error {
	for _, src := range paths {
		dst := filepath.Join(dstDir, filepath.Base(src))
		if same, err := sameFile(src, dst); err != nil {
			return fmt.Errorf("hf: copying %s: %w", src, err)
		} else if same {
			continue
		}
		if err := atomicfile.Copy(dst, src); err != nil {
			return fmt.Errorf("hf: copying %s: %w", src, err)
		}
	}
	return nil
}

func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	if !sa.Mode().IsRegular() {
		return false, fmt.Errorf("%s is not a regular file", a)
	}
	sb, err := os.Stat(b)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}
