package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

// clipCases is the shape of ../shared/fixtures/tokenizers/clip/cases.json:
// ids from Hugging Face tokenizers 0.23.2 (hf_fast), from OpenAI's
// simple_tokenizer.py with ftfy 6.3.1 (openai) and from transformers'
// slow CLIPTokenizer (hf_slow_ftfy, with its decoded text).
type clipCases struct {
	Cases []struct {
		Text   string `json:"text"`
		HFFast struct {
			IDs    []int    `json:"ids"`
			Tokens []string `json:"tokens"`
		} `json:"hf_fast"`
		OpenAI struct {
			IDs []int `json:"ids"`
		} `json:"openai"`
		HFSlowFTFY struct {
			IDs         []int  `json:"ids"`
			Decoded     string `json:"decoded"`
			Truncated77 []int  `json:"ids_truncated_77"`
		} `json:"hf_slow_ftfy"`
	} `json:"cases"`
}

func readCLIPCases(t *testing.T) (string, clipCases) {
	t.Helper()
	dir := testutil.Fixture(t, "tokenizers", "clip")
	data, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c clipCases
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Cases) == 0 {
		t.Fatal("cases.json has no cases")
	}
	return dir, c
}

// mojibakeCases need ftfy's mojibake detection (fix_encoding), which
// WithOpenAICleaning does not reproduce: OpenAI's tokenizer repairs
// "schÃ¶n" to "schön" first.
var mojibakeCases = map[string]string{
	"mojibake: schÃ¶n": "needs ftfy.fix_encoding (UTF-8 read as Latin-1 repaired by the badness heuristic)",
}

func TestCLIPTokenizerJSONMatchesHFFast(t *testing.T) {
	dir, cases := readCLIPCases(t)
	tk, err := Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	if sp := tk.SpecialIDs(); sp.BOS != 49406 || sp.EOS != 49407 || sp.PAD != 49407 || tk.PadID() != 49407 || tk.VocabSize() != 49408 {
		t.Errorf("SpecialIDs %+v, PadID %d, VocabSize %d", sp, tk.PadID(), tk.VocabSize())
	}
	for _, c := range cases.Cases {
		enc := tk.Encode(c.Text)
		if !slices.Equal(enc.IDs, c.HFFast.IDs) {
			t.Errorf("%q: ids\n got %v\nwant %v", c.Text, enc.IDs, c.HFFast.IDs)
		}
		if !slices.Equal(enc.Tokens, c.HFFast.Tokens) {
			t.Errorf("%q: tokens\n got %q\nwant %q", c.Text, enc.Tokens, c.HFFast.Tokens)
		}
	}
	// The CLIP convention: 77 tokens, truncated keeping <|endoftext|>,
	// padded with <|endoftext|>.
	long := cases.Cases[len(cases.Cases)-1]
	e := tk.EncodeBatch([]string{long.Text, "a cat"}, EncodeOptions{MaxLength: 77, Truncation: true, Padding: PadMaxLength, AddSpecialTokens: true})
	if want := long.HFSlowFTFY.Truncated77; len(want) != 77 || !slices.Equal(e[0].IDs, want) {
		t.Errorf("truncated to 77:\n got %v\nwant %v", e[0].IDs, want)
	}
	if len(e[1].IDs) != 77 || e[1].IDs[76] != 49407 || e[1].AttentionMask[3] != 1 || e[1].AttentionMask[4] != 0 {
		t.Errorf("padded to 77: %v %v", e[1].IDs, e[1].AttentionMask)
	}
}

func TestCLIPVocabMergesMatchesHFFast(t *testing.T) {
	dir, cases := readCLIPCases(t)
	for _, src := range []string{"vocab.json", "bpe_simple_vocab_16e6.txt.gz"} {
		tk, err := Load(filepath.Join(dir, src))
		if err != nil {
			t.Fatal(err)
		}
		if tk.VocabSize() != 49408 {
			t.Errorf("%s: VocabSize %d, want 49408", src, tk.VocabSize())
		}
		for _, c := range cases.Cases {
			if got := tk.Encode(c.Text).IDs; !slices.Equal(got, c.HFFast.IDs) {
				t.Errorf("%s %q:\n got %v\nwant %v", src, c.Text, got, c.HFFast.IDs)
			}
		}
	}
}

func TestCLIPOpenAICleaningMatchesOpenAI(t *testing.T) {
	dir, cases := readCLIPCases(t)
	tk, err := Load(filepath.Join(dir, "tokenizer.json"), WithOpenAICleaning())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases.Cases {
		got := tk.Encode(c.Text).IDs
		if why, skip := mojibakeCases[c.Text]; skip {
			if slices.Equal(got, c.OpenAI.IDs) {
				t.Errorf("%q now matches OpenAI; drop it from mojibakeCases", c.Text)
			}
			t.Logf("%q differs from OpenAI by design: %s", c.Text, why)
			continue
		}
		if !slices.Equal(got, c.OpenAI.IDs) {
			t.Errorf("%q:\n got %v\nwant %v", c.Text, got, c.OpenAI.IDs)
		}
	}
}

func TestCLIPDecodeMatchesTransformers(t *testing.T) {
	dir, cases := readCLIPCases(t)
	tk, err := Load(filepath.Join(dir, "tokenizer.json"), WithCleanUpTokenizationSpaces(true))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases.Cases {
		if _, skip := mojibakeCases[c.Text]; skip {
			continue
		}
		if got := tk.Decode(c.HFSlowFTFY.IDs, true); got != c.HFSlowFTFY.Decoded {
			t.Errorf("Decode(%v):\n got %q\nwant %q", c.HFSlowFTFY.IDs, got, c.HFSlowFTFY.Decoded)
		}
	}
}
