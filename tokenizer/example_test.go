package tokenizer_test

import (
	"fmt"

	"github.com/vlmtune/vlmtune/tokenizer"
)

// Encode a batch for a text encoder (testdata/hf/bert.json is a tiny
// WordPiece vocabulary, hence "t ##w ##o"): special tokens, truncation and
// padding to a fixed length, then decode the ids back.
func Example() {
	tk, err := tokenizer.Load("testdata/hf/bert.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	encs := tk.EncodeBatch([]string{"A photo of a cat.", "Two dogs"}, tokenizer.EncodeOptions{
		MaxLength: 8, Truncation: true, Padding: tokenizer.PadMaxLength, AddSpecialTokens: true,
	})
	for _, e := range encs {
		fmt.Println(e.Tokens, e.AttentionMask)
	}
	fmt.Printf("%q\n", tk.Decode(encs[0].IDs, true))
	// Output:
	// [[CLS] a photo of a cat . [SEP]] [1 1 1 1 1 1 1 1]
	// [[CLS] t ##w ##o dogs [SEP] [PAD] [PAD]] [1 1 1 1 1 1 0 0]
	// "a photo of a cat."
}
