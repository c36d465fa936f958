package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// hfCases is testdata/hf_cases.json, written by testdata/gen_hf_cases.js
// with the Hugging Face tokenizers library (npm tokenizers 0.23.2): for
// each tokenizer.json under testdata/hf, the encodings of a list of texts
// with and without special tokens, their decodes, and the outputs of the
// normalizer and the pre-tokenizer alone.
type hfCases struct {
	Tokenizers map[string]struct {
		File      string `json:"file"`
		VocabSize int    `json:"vocab_size"`
		Cases     []struct {
			Text              string   `json:"text"`
			IDs               []int    `json:"ids"`
			Tokens            []string `json:"tokens"`
			AttentionMask     []int    `json:"attention_mask"`
			TypeIDs           []int    `json:"type_ids"`
			SpecialTokensMask []int    `json:"special_tokens_mask"`
			IDsPlain          []int    `json:"ids_plain"`
			TokensPlain       []string `json:"tokens_plain"`
			Decoded           string   `json:"decoded"`
			DecodedSkip       string   `json:"decoded_skip"`
			Normalized        *string  `json:"normalized"`
			PreTokens         []string `json:"pretokens"`
		} `json:"cases"`
	} `json:"tokenizers"`
}

func TestMatchesHuggingFaceTokenizers(t *testing.T) {
	data, err := os.ReadFile("testdata/hf_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var all hfCases
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Tokenizers) < 10 {
		t.Fatalf("only %d tokenizers in hf_cases.json", len(all.Tokenizers))
	}
	for name, tc := range all.Tokenizers {
		t.Run(name, func(t *testing.T) {
			tk, err := Load(filepath.Join("testdata", tc.File))
			if err != nil {
				t.Fatal(err)
			}
			if tk.VocabSize() != tc.VocabSize {
				t.Errorf("VocabSize %d, want %d", tk.VocabSize(), tc.VocabSize)
			}
			for _, c := range tc.Cases {
				e := tk.Encode(c.Text)
				check := func(what string, got, want any) {
					t.Helper()
					g, _ := json.Marshal(got)
					w, _ := json.Marshal(want)
					if string(g) != string(w) {
						t.Errorf("%q %s\n got %s\nwant %s", c.Text, what, g, w)
					}
				}
				check("ids", e.IDs, c.IDs)
				check("tokens", e.Tokens, c.Tokens)
				check("attention_mask", e.AttentionMask, c.AttentionMask)
				check("type_ids", e.TypeIDs, c.TypeIDs)
				check("special_tokens_mask", e.SpecialTokensMask, c.SpecialTokensMask)
				p := tk.encodeConfigured(c.Text, false)
				check("ids without special tokens", p.IDs, c.IDsPlain)
				check("tokens without special tokens", p.Tokens, c.TokensPlain)
				check("decode", tk.Decode(c.IDs, false), c.Decoded)
				check("decode skipping special tokens", tk.Decode(c.IDs, true), c.DecodedSkip)
				if c.Normalized != nil {
					check("normalizer", tk.normalizer.normalize(c.Text), *c.Normalized)
				}
				if c.PreTokens != nil {
					var got []string
					for _, w := range tk.preTok.split(nil, piece{c.Text, true}) {
						got = append(got, w.text)
					}
					if got == nil {
						got = []string{}
					}
					check("pre-tokenizer", got, c.PreTokens)
				}
				if len(c.IDs) > 0 && !slices.Equal(c.IDs, e.IDs) {
					return
				}
			}
		})
	}
}
