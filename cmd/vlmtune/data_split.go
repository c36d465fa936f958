package main

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/data/split"
)

type dataSplitFlags struct {
	dataReaderFlags
	val      float64
	seed     uint64
	stratify string
	out      string
}

func init() {
	var f dataSplitFlags
	cmd := &cobra.Command{
		Use:   "split FILE --val 0.1 --seed S [--stratify source] [--out PREFIX]",
		Short: "Split a data file into NAME.train and NAME.val files, deterministically by seed",
		Long: `Split writes PREFIX.train.EXT and PREFIX.val.EXT (PREFIX defaults to the input
path without its extension). Records are copied verbatim and in input order;
none is lost: records that do not parse are carried along and counted. The
validation share is round(val × records); with --stratify FIELD (a metadata
field such as source or language) each value of the field gets its share.
JSONL and JSON arrays give .jsonl files, CSV and TSV keep their format and
header.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ropts, err := f.options()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("val") {
				return fmt.Errorf("--val is required (the validation fraction, such as 0.1)")
			}
			res, err := split.Split(cmd.Context(), args[0], ropts, split.Options{Val: f.val, Seed: f.seed, Stratify: f.stratify, Out: f.out})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "train: %s (%d records)\nval:   %s (%d records)\n", res.TrainPath, res.Train, res.ValPath, res.Val)
			if res.Invalid > 0 {
				fmt.Fprintf(w, "note: %d records do not parse; they were copied along (run `vlmtune data validate`)\n", res.Invalid)
			}
			if f.stratify != "" {
				keys := make([]string, 0, len(res.Strata))
				for k := range res.Strata {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				fmt.Fprintf(w, "by %s (train / val):\n", f.stratify)
				for _, k := range keys {
					fmt.Fprintf(w, "  %-20s %8d / %d\n", k, res.Strata[k][0], res.Strata[k][1])
				}
			}
			return nil
		},
	}
	f.dataReaderFlags.add(cmd)
	cmd.Flags().Float64Var(&f.val, "val", 0.1, "fraction of records for validation, between 0 and 1")
	cmd.Flags().Uint64Var(&f.seed, "seed", 0, "random seed; the same seed gives the same split")
	cmd.Flags().StringVar(&f.stratify, "stratify", "", "metadata field whose values each get the validation fraction (source, language, ...)")
	cmd.Flags().StringVar(&f.out, "out", "", "output prefix (default: the input path without its extension)")
	dataCmd.AddCommand(cmd)
}
