package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/synth"
)

func init() {
	var (
		cfg     synth.Config
		out     string
		workers int
		force   bool
	)
	cmd := &cobra.Command{
		Use:   "synth --kind shapes --n N --seed S --out DIR",
		Short: "Generate a synthetic image-text data set of coloured shapes",
		Long: `Synth draws images of coloured shapes (several shapes, colours, sizes,
positions, counts and textures) and writes, into DIR:

  images/NNNNNN.png    the images (PNG, --size pixels square)
  pairs.jsonl          image-text pairs: image_path, caption, captions
                       (paraphrases) and metadata (source, quality_score,
                       language, label, shape, color, count, size, texture,
                       position, background, domain, split, noisy_label)
  conversations.json   LLaVA-style multi-turn questions and answers about
                       colour, shape, count, position, texture and size
  labels.txt           the "<colour> <shape>" class names, for zero-shot
  synth.json           the parameters

--domain a (the default) and --domain b use disjoint shapes, colours,
textures and backgrounds, so that a model trained on a meets unseen
classes on b; ab mixes both. --split names the split and changes the
draws, so train and val made with the same seed differ. The same
parameters always give byte-identical files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required (the folder to write the data set into)")
			}
			if !cmd.Flags().Changed("n") {
				return fmt.Errorf("--n is required (the number of examples)")
			}
			start := time.Now()
			sum, err := synth.Generate(cmd.Context(), cfg, out, workers, force)
			if err != nil {
				return err
			}
			secs := time.Since(start).Seconds()
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d examples (%d classes) to %s in %.2fs (%.0f images/s)\n",
				sum.Examples, sum.Labels, sum.Dir, secs, float64(sum.Examples)/secs)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Kind, "kind", "shapes", "kind of data set (shapes)")
	f.IntVar(&cfg.N, "n", 0, "number of examples")
	f.Uint64Var(&cfg.Seed, "seed", 0, "random seed; the same seed gives the same files")
	f.StringVar(&out, "out", "", "output folder (created; must be empty unless --force)")
	f.IntVar(&cfg.Size, "size", 64, "image side in pixels (16..1024)")
	f.StringVar(&cfg.Domain, "domain", "a", "domain: a, b (shapes, colours, textures and backgrounds unseen in a) or ab")
	f.StringVar(&cfg.Split, "split", "train", "split name, recorded in the metadata and mixed into the seed")
	f.IntVar(&cfg.MaxObjects, "max-objects", 1, "largest number of objects per image (1..9); above 1, captions and questions count them")
	f.Float64Var(&cfg.LabelNoise, "label-noise", 0, "fraction of examples whose captions name a wrong shape or colour (they get a low quality_score)")
	f.IntVar(&workers, "workers", 0, "parallel workers (0: one per CPU); the output does not depend on it")
	f.BoolVar(&force, "force", false, "replace a data set previously written into --out")
	dataCmd.AddCommand(cmd)
}
