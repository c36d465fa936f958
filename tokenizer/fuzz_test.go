package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vlmtune/vlmtune/tokenizer/sentencepiece"
)

// fuzzTokenizers are the testdata tokenizers the fuzz targets run text
// through; byte-level ones without a normalizer must round-trip exactly.
var fuzzTokenizers = []struct {
	file      string
	roundTrip bool
}{
	{"hf/gpt2.json", true}, {"hf/llama3.json", true}, {"hf/qwen2.json", false},
	{"hf/llama2.json", false}, {"hf/bert.json", false}, {"hf/t5.json", false},
	{"hf/siglip.json", false}, {"hf/zoo.json", false}, {"hf/zoo2.json", false}, {"hf/zoo3.json", false},
	{"hf/metaspace_first.json", false},
	{"spm/unigram_rules.model", false}, {"spm/bpe_rules.model", false}, {"spm/unigram_user.model", false},
	{"spm/bpe_plain.model", false},
}

func FuzzEncode(f *testing.F) {
	for _, s := range matcherTexts {
		f.Add(s)
	}
	f.Add("<|endoftext|> <s>[INST] ꙮ [CLS] x<MASK>y")
	var tks []*Tokenizer
	for _, ft := range fuzzTokenizers {
		tk, err := Load(filepath.Join("testdata", ft.file))
		if err != nil {
			f.Fatal(err)
		}
		tks = append(tks, tk)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, tk := range tks {
			e := tk.Encode(s)
			if len(e.Tokens) != len(e.IDs) || len(e.AttentionMask) != len(e.IDs) || len(e.TypeIDs) != len(e.IDs) {
				t.Fatalf("%s: inconsistent lengths on %q", fuzzTokenizers[i].file, s)
			}
			if again := tk.Encode(s); !slices.Equal(again.IDs, e.IDs) {
				t.Fatalf("%s: not deterministic on %q", fuzzTokenizers[i].file, s)
			}
			for _, id := range e.IDs {
				if id < 0 || id >= tk.VocabSize() {
					t.Fatalf("%s: id %d outside [0, %d) on %q", fuzzTokenizers[i].file, id, tk.VocabSize(), s)
				}
			}
			dec := tk.Decode(e.IDs, false)
			if fuzzTokenizers[i].roundTrip && dec != validUTF8(s) && !slices.Contains(e.Tokens, "<|begin_of_text|>") {
				t.Fatalf("%s: %q decodes to %q", fuzzTokenizers[i].file, s, dec)
			}
			tk.Decode(e.IDs, true)
		}
	})
}

// FuzzLoadTokenizerJSON feeds mutated tokenizer.json files to the parser:
// it must return a tokenizer or an error, never panic.
func FuzzLoadTokenizerJSON(f *testing.F) {
	for _, name := range []string{"zoo.json", "zoo2.json", "zoo3.json", "bert_cased.json", "t5.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "hf", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tk, err := parseTokenizerJSON("fuzz.json", data)
		if err != nil {
			return
		}
		e := tk.Encode("Hello, world! 123 <mask> ꙮ")
		tk.Decode(e.IDs, false)
	})
}

// FuzzSentencePieceModel feeds mutated .model files to the protobuf
// reader and, when they parse, encodes a text with them.
func FuzzSentencePieceModel(f *testing.F) {
	for _, name := range []string{"unigram_user.model", "unigram_identity.model"} {
		data, err := os.ReadFile(filepath.Join("testdata", "spm", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sp, err := sentencepiece.Parse(data)
		if err != nil {
			return
		}
		tk, err := fromSentencePiece("fuzz.model", sp)
		if err != nil {
			return
		}
		tk.configure(&hfConfig{tokens: map[string]string{}}, loadOptions{})
		e := tk.Encode("Hello, world! 123 ꙮ <sep>")
		tk.Decode(e.IDs, false)
	})
}
