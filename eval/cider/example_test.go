package cider_test

import (
	"fmt"

	"github.com/vlmtune/vlmtune/eval/cider"
)

func Example() {
	cands := []string{"A dog runs on the grass.", "Two cats sleeping on a sofa."}
	refs := [][]string{
		{"A dog running on grass.", "The brown dog runs outside."},
		{"Two cats sleep on a couch.", "A pair of cats asleep on the sofa."},
	}
	// PTB tokenization, n=4, sigma=6. pycocoevalcap gives 1.86934345 on the
	// same PTB-tokenized text.
	res, err := cider.Compute(cands, refs, cider.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(cider.PTBTokenize(cands[0]))
	fmt.Printf("CIDEr-D %.4f\n", res.Score)
	// Output:
	// a dog runs on the grass
	// CIDEr-D 1.8693
}
