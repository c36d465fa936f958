package bleu_test

import (
	"fmt"

	"github.com/vlmtune/vlmtune/eval/bleu"
)

func Example() {
	hyps := []string{"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."}
	refs := [][]string{ // refs[i]: the references of example i
		{"The dog bit the man.", "The dog had bit the man."},
		{"It was not unexpected.", "No one was surprised."},
		{"The man bit him first.", "The man had bitten the dog."},
	}
	sc, err := bleu.CorpusBLEU(hyps, refs, bleu.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("BLEU %.2f bp %.3f counts %v totals %v\n", sc.Score, sc.BP, sc.Counts, sc.Totals)
	// Output: BLEU 48.53 bp 0.943 counts [14 7 5 3] totals [17 14 11 8]
}
