package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vlmtune/vlmtune/eval/job"
)

func init() {
	var o job.Options
	var out string
	cmd := &cobra.Command{
		Use:   "eval --model DIR --data FILE --task retrieval|zeroshot|caption|vqa [--labels FILE --label-field F] [--robustness] [--group-by FIELD] [--out report.json]",
		Short: "Evaluate a model on a data set and write a report",
		Long: `eval runs a model on an image-text data set and prints its metrics:
retrieval (Recall@1/5/10 both ways, mean and median rank) or zeroshot
(top-1/top-5 accuracy over the classes of --labels, with each example's
class read from the metadata field --label-field). --robustness repeats
the main metric under brightness, occlusion, blur, noise, JPEG and rotation
perturbations at five severities; --group-by breaks it down by a metadata
field with the gap between the best and worst group and the
disparate-impact ratio. --out writes the report as JSON and, next to it, as
an HTML page with example thumbnails. caption and vqa need generative
models (BLIP, LLaVA), which vlmtune does not run yet; they fail clearly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := job.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			keys := make([]string, 0, len(res.Metrics))
			for k := range res.Metrics {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintf(w, "%s on %s (%d examples, %d records skipped)\n", o.Task, strings.Join(o.Data, ", "), exampleCount(res), res.Skipped)
			for _, k := range keys {
				fmt.Fprintf(w, "  %-18s %8.2f\n", k, res.Metrics[k])
			}
			if g := res.Groups; g != nil {
				fmt.Fprintf(w, "by %s:\n", g.Field)
				for _, gr := range g.Groups {
					fmt.Fprintf(w, "  %-18s %8.2f  (n=%d)\n", gr.Value, gr.Mean, gr.Count)
				}
				fmt.Fprintf(w, "  gap %.2f points (best %s, worst %s)", g.Gap, g.Best, g.Worst)
				if g.DisparateImpact != nil {
					fmt.Fprintf(w, ", disparate impact %.3f", *g.DisparateImpact)
				}
				fmt.Fprintln(w)
			}
			if rb := res.Robustness; rb != nil {
				fmt.Fprintf(w, "robustness (clean %.2f):\n", rb.Clean)
				for _, x := range rb.Results {
					fmt.Fprintf(w, "  %-15s severity %d  %8.2f  (drop %.2f)\n", x.Perturbation, x.Severity, x.Value, x.Drop)
				}
			}
			if out != "" {
				if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
					return err
				}
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				if err := res.Report.WriteJSON(f); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
				html := strings.TrimSuffix(out, filepath.Ext(out)) + ".html"
				hf, err := os.Create(html)
				if err != nil {
					return err
				}
				if err := res.Report.WriteHTML(hf); err != nil {
					hf.Close()
					return err
				}
				if err := hf.Close(); err != nil {
					return err
				}
				fmt.Fprintf(w, "report: %s, %s\n", out, html)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Model, "model", "", "model directory (required)")
	f.StringArrayVar(&o.Data, "data", nil, "data file (repeatable; JSON/JSONL/CSV/TSV/tar/Parquet)")
	f.StringVar(&o.Root, "root", "", "folder image paths are relative to (default: each data file's folder)")
	f.StringVar(&o.Task, "task", "retrieval", "retrieval, zeroshot, caption or vqa")
	f.StringVar(&o.Labels, "labels", "", "class names, one per line (zeroshot)")
	f.StringVar(&o.LabelField, "label-field", "label", "metadata field with each example's class (zeroshot)")
	f.StringArrayVar(&o.Templates, "template", []string{"a photo of a {}."}, "prompt template (repeatable; ensembled)")
	f.BoolVar(&o.Robustness, "robustness", false, "repeat the main metric under image perturbations")
	f.IntSliceVar(&o.Severities, "severities", nil, "perturbation severities (default 1,2,3,4,5)")
	f.StringVar(&o.GroupBy, "group-by", "", "metadata field to break the metric down by")
	f.IntVar(&o.MaxExamples, "max-examples", 0, "evaluate at most this many examples (0: all)")
	f.IntVar(&o.ShowExamples, "examples", 12, "examples shown with thumbnails in the HTML report")
	f.StringVar(&out, "out", "", "write the report as JSON here (and as HTML next to it)")
	cmd.MarkFlagRequired("model")
	cmd.MarkFlagRequired("data")
	rootCmd.AddCommand(cmd)
}

func exampleCount(res *job.Result) int {
	if res.Report != nil {
		if n, ok := res.Report.Meta["examples"]; ok {
			var k int
			fmt.Sscan(n, &k)
			return k
		}
	}
	return 0
}
