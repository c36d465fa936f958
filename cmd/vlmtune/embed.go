package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/vlmtune/vlmtune/infer"
	"github.com/vlmtune/vlmtune/train/benchmark"
)

func init() {
	var modelDir, arch string
	var images, texts []string
	var bench bool
	var batch, count int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "embed --model DIR (--image FILE... | --text STRING...)",
		Short: "Print normalised image or text embeddings of a model",
		Long: `embed prints one JSON object per input, {"image": FILE, "embedding": [...]}
or {"text": STRING, "embedding": [...]}, with L2-normalised embeddings in the
model's shared space (the ones CLIP compares by dot product).

With --bench it instead measures image-embedding throughput of a real-size
architecture with random weights (--arch, --batch) and prints images/s.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if bench {
				res, err := benchmark.Embed(arch, batch, count, 0)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(out).Encode(res)
				}
				fmt.Fprintf(out, "%s: %.2f images/s (batch %d, %d threads, %d images), peak RSS %.0f MiB\n", res.Arch, res.ImagesPerS, res.Batch, res.Threads, res.Images, float64(res.PeakRSSBytes)/(1<<20))
				return nil
			}
			if modelDir == "" {
				return errors.New("--model is required (or --bench)")
			}
			if (len(images) == 0) == (len(texts) == 0) {
				return errors.New("give either --image FILE... or --text STRING...")
			}
			sess, err := infer.Load(modelDir)
			if err != nil {
				return err
			}
			m, err := sess.Dual()
			if err != nil {
				return err
			}
			enc := json.NewEncoder(out)
			if len(images) > 0 {
				e, err := m.ImageFiles(images)
				if err != nil {
					return err
				}
				d := e.Dim(1)
				for i, p := range images {
					if err := enc.Encode(map[string]any{"image": p, "embedding": e.Data()[i*d : (i+1)*d]}); err != nil {
						return err
					}
				}
				return nil
			}
			e := m.Texts(texts)
			d := e.Dim(1)
			for i, s := range texts {
				if err := enc.Encode(map[string]any{"text": s, "embedding": e.Data()[i*d : (i+1)*d]}); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelDir, "model", "", "model directory (Hugging Face checkpoint or a vlmtune best/ folder)")
	f.StringArrayVar(&images, "image", nil, "image file (repeatable)")
	f.StringArrayVar(&texts, "text", nil, "text (repeatable)")
	f.BoolVar(&bench, "bench", false, "measure image-embedding throughput with random weights instead")
	f.StringVar(&arch, "arch", "clip-vit-b-32", "architecture for --bench")
	f.IntVar(&batch, "batch", 32, "batch size for --bench")
	f.IntVar(&count, "images", 128, "images to time for --bench")
	f.BoolVar(&asJSON, "json", false, "with --bench, print one JSON object")
	rootCmd.AddCommand(cmd)
}
