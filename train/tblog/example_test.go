package tblog_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/vlmtune/vlmtune/train/tblog"
)

func Example() {
	dir, err := os.MkdirTemp("", "tblog-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	w, err := tblog.Create(dir)
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	for step := int64(1); step <= 3; step++ {
		if err := w.Scalar("train/loss", step, 1/float64(step), start.Add(time.Duration(step)*time.Second)); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	scalars, err := tblog.ReadScalars(w.Path())
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range scalars {
		fmt.Printf("%s step %d = %.4f\n", s.Tag, s.Step, s.Value)
	}
	// Output:
	// train/loss step 1 = 1.0000
	// train/loss step 2 = 0.5000
	// train/loss step 3 = 0.3333
}
