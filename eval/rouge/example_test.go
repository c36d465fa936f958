package rouge_test

import (
	"fmt"

	"github.com/vlmtune/vlmtune/eval/rouge"
)

func Example() {
	s, err := rouge.New(rouge.Options{Stem: true})
	if err != nil {
		panic(err)
	}
	sc := s.Score("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.")
	for _, typ := range s.Types() {
		fmt.Printf("%s P %.4f R %.4f F %.4f\n", typ, sc[typ].Precision, sc[typ].Recall, sc[typ].F)
	}
	// Output:
	// rouge1 P 0.7500 R 0.6667 F 0.7059
	// rouge2 P 0.2857 R 0.2500 F 0.2667
	// rougeL P 0.6250 R 0.5556 F 0.5882
	// rougeLsum P 0.6250 R 0.5556 F 0.5882
}
