package report_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/vlmtune/vlmtune/train/report"
)

func Example() {
	dir, err := os.MkdirTemp("", "report-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	run := report.Run{
		Title: "CLIP ViT-B/32, LoRA r=8",
		Meta: [][2]string{
			{"method", "lora"},
			{"trainable / total parameters", report.FormatParams(1_179_648, 151_277_313)},
			{"duration", "12m31s"},
		},
		Charts: []report.Chart{{
			Title:  "Training loss",
			YLabel: "loss",
			Series: []report.Series{{Name: "train", Points: []report.Point{{Step: 1, Value: 2.3}, {Step: 2, Value: 1.7}, {Step: 3, Value: 1.4}}}},
		}},
		Metrics: []report.Metric{{Name: "image→text R@1", Before: 0.3125, After: 0.4375}},
	}
	path := filepath.Join(dir, "report.html")
	if err := report.Write(path, run); err != nil {
		log.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(path), fi.Size() > 0)
	// Output: report.html true
}
