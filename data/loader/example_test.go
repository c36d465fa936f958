package loader_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/loader"
)

// A loader over in-memory examples with a transform that only tokenizes:
// batches come in a seeded order, and Batch.Next is where to resume.
func Example() {
	var exs []*data.Example
	for i := 0; i < 5; i++ {
		exs = append(exs, &data.Example{ID: fmt.Sprint("ex", i), Captions: []string{fmt.Sprint("caption ", i)}})
	}
	tokenize := func(ctx context.Context, ex *data.Example, rng *rand.Rand) (loader.Sample, error) {
		var s loader.Sample
		for _, b := range []byte(ex.Text()) {
			s.InputIDs = append(s.InputIDs, int32(b))
		}
		return s, nil
	}
	l, err := loader.New(exs, tokenize, loader.Config{BatchSize: 2, Epochs: 1, Workers: 2, Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	it, err := l.Iterate(context.Background(), loader.Position{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer it.Close()
	for {
		b, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(b.Size, "examples, T =", b.T, "next", b.Next)
	}
	// Output:
	// 2 examples, T = 9 next {0 2}
	// 2 examples, T = 9 next {0 4}
	// 1 examples, T = 9 next {1 0}
}
