package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/vlmtune/vlmtune/builtin"
)

func init() {
	var opt builtin.BuildOptions
	build := &cobra.Command{
		Use:   "build --work DIR --out DIR",
		Short: "Re-create the built-in model by pre-training it on domain a of the synthetic shapes data",
		Long: `build generates domain "a" of the synthetic shapes data set, initialises the
built-in CLIP (with a tokenizer learned from the synthetic captions) and
trains every parameter with the CLIP loss, keeping the checkpoint with the
best zero-shot accuracy. The result in --out is what vlmtune embeds as its
built-in model (builtin/model in the source tree). The same options and
seed give the same model.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := builtin.Build(cmd.Context(), opt, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "built-in model written to %s after %d steps (%s); best zero-shot top-1 %.2f%%, validation: before %v, after %v\n",
				opt.Out, res.Steps, res.Duration.Round(1e9), res.Best, res.Before, res.After)
			return nil
		},
	}
	f := build.Flags()
	f.StringVar(&opt.Work, "work", "", "working folder for the data, the initial model and the run (required)")
	f.StringVar(&opt.Out, "out", "", "folder to write the model files to (required)")
	f.IntVar(&opt.Train, "train", 0, "training examples (default 6000)")
	f.IntVar(&opt.Val, "val", 0, "validation examples (default 500)")
	f.IntVar(&opt.Epochs, "epochs", 0, "epochs (default 12)")
	f.IntVar(&opt.BatchSize, "batch", 0, "batch size (default 64)")
	f.Float64Var(&opt.LR, "lr", 0, "peak learning rate (default 1e-3)")
	f.Uint64Var(&opt.Seed, "seed", 0, "seed")
	f.IntVar(&opt.Threads, "threads", 0, "threads (0: all CPUs)")
	build.MarkFlagRequired("work")
	build.MarkFlagRequired("out")
	group := &cobra.Command{Use: "builtin", Short: "Work with vlmtune's built-in model"}
	group.AddCommand(build)
	rootCmd.AddCommand(group)
}
