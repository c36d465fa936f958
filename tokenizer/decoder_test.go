package tokenizer

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestDecodersMatchHuggingFace runs each decoder of hf_cases.json
// ("decoders", recorded with the reference library's Decoder.decode) on the
// same token lists.
func TestDecodersMatchHuggingFace(t *testing.T) {
	data, err := os.ReadFile("testdata/hf_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var all struct {
		Decoders []struct {
			Decoder json.RawMessage      `json:"decoder"`
			Raw     [][2]json.RawMessage `json:"cases"`
		} `json:"decoders"`
	}
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Decoders) < 10 {
		t.Fatalf("only %d decoders", len(all.Decoders))
	}
	for _, d := range all.Decoders {
		o, err := parseObj("hf_cases.json", "decoder", d.Decoder)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := parseDecoder(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Raw {
			var toks []string
			var want string
			if err := json.Unmarshal(c[0], &toks); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(c[1], &want); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(dec.decodeChain(toks), ""); got != want {
				t.Errorf("%s on %q:\n got %q\nwant %q", d.Decoder, toks, got, want)
			}
		}
	}
}
