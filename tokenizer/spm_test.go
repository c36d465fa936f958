package tokenizer

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/tokenizer/sentencepiece"
)

// spmCases is testdata/spm_cases.json, written by
// testdata/gen_spm_cases.py with Google's sentencepiece 0.1.97 (Debian
// python3-sentencepiece): EncodeAsIds, EncodeAsPieces and DecodeIds of
// tiny unigram and BPE models trained on a fixed corpus (identity and
// custom-table normalization, byte fallback, user-defined and control
// symbols, no dummy prefix).
type spmCases struct {
	Models map[string]struct {
		File      string `json:"file"`
		VocabSize int    `json:"vocab_size"`
		Cases     []struct {
			Text    string   `json:"text"`
			IDs     []int    `json:"ids"`
			Pieces  []string `json:"pieces"`
			Decoded string   `json:"decoded"`
		} `json:"cases"`
	} `json:"models"`
}

func TestMatchesSentencePiece(t *testing.T) {
	data, err := os.ReadFile("testdata/spm_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var all spmCases
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Models) < 5 {
		t.Fatalf("only %d models in spm_cases.json", len(all.Models))
	}
	for name, mc := range all.Models {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", mc.File)
			if strings.HasSuffix(path, ".gz") {
				path = gunzipTo(t, path)
			}
			tk, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if tk.VocabSize() != mc.VocabSize {
				t.Errorf("VocabSize %d, want %d", tk.VocabSize(), mc.VocabSize)
			}
			for _, c := range mc.Cases {
				e := tk.Encode(c.Text)
				if !slices.Equal(e.IDs, c.IDs) {
					t.Errorf("%q ids\n got %v\nwant %v", c.Text, e.IDs, c.IDs)
				}
				if !slices.Equal(e.Tokens, c.Pieces) {
					t.Errorf("%q pieces\n got %q\nwant %q", c.Text, e.Tokens, c.Pieces)
				}
				if got := tk.Decode(c.IDs, false); got != c.Decoded {
					t.Errorf("%q decode\n got %q\nwant %q", c.Text, got, c.Decoded)
				}
			}
		})
	}
}

// gunzipTo decompresses a .gz test file into a temporary directory.
func gunzipTo(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(path), ".gz"))
	if err := os.WriteFile(out, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPrecompiledNmtNFKC runs the Precompiled normalizer with
// SentencePiece's full nmt_nfkc map (from testdata/spm/
// unigram_nmt_nfkc.model.gz) against the outputs the Hugging Face library
// gave (hf_cases.json, precompiled_nmt_nfkc).
func TestPrecompiledNmtNFKC(t *testing.T) {
	data, err := os.ReadFile("testdata/hf_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Pairs [][2]string `json:"precompiled_nmt_nfkc"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Pairs) < 20 {
		t.Fatalf("only %d precompiled_nmt_nfkc cases", len(c.Pairs))
	}
	sp, err := sentencepiece.ReadFile(gunzipTo(t, "testdata/spm/unigram_nmt_nfkc.model.gz"))
	if err != nil {
		t.Fatal(err)
	}
	cm, err := parseCharsMap(sp.Normalizer.PrecompiledCharsmap)
	if err != nil {
		t.Fatal(err)
	}
	n := precompiledNormalizer{cm}
	for _, p := range c.Pairs {
		if got := n.normalize(p[0]); got != p[1] {
			t.Errorf("%q\n got %q\nwant %q", p[0], got, p[1])
		}
	}
}
