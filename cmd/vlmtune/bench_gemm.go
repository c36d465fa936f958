package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/bench/gemmbench"
	"github.com/vlmtune/vlmtune/internal/kernels"
)

func init() {
	var (
		shapes  string
		threads int
		asJSON  bool
		batch   int
		minTime time.Duration
		list    bool
	)
	cmd := &cobra.Command{
		Use:   "gemm",
		Short: "Measure float32 GEMM throughput against this machine's measured FMA peak",
		Long: `Measures kernels.Gemm at each shape and prints GFLOP/s, the FMA peak that
an assembly probe measured on the same threads just before, and the fraction
of it. Shapes are MxKxN with an optional transpose suffix (:nn, :nt, :tn, :tt):
C[MxN] = op(A)[MxK] op(B)[KxN]. The default is 1024x1024x1024 and the GEMMs
of a CLIP ViT-B/32 training step (forward, dX and dW of every linear layer).
The kernel path can be forced lower with VLMTUNE_CPU=avx2 or generic.`,
		Example: `  vlmtune bench gemm
  vlmtune bench gemm --shapes 1024x1024x1024,1600x768x3072:nt --threads 2 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var shapesList []gemmbench.Shape
			switch {
			case shapes != "":
				var err error
				if shapesList, err = gemmbench.ParseShapes(shapes); err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--shapes: %w", err)}
				}
			case batch != gemmbench.DefaultBatch:
				if batch < 1 || batch > 4096 {
					return &exitError{code: 2, err: fmt.Errorf("--batch %d: want 1 to 4096", batch)}
				}
				shapesList = append([]gemmbench.Shape{{Name: "cube", M: 1024, K: 1024, N: 1024}}, gemmbench.ViTB32Shapes(batch)...)
			default:
				shapesList = gemmbench.DefaultShapes()
			}
			if list {
				for _, s := range shapesList {
					fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", s, s.Name)
				}
				return nil
			}
			if threads < 0 {
				return &exitError{code: 2, err: fmt.Errorf("--threads %d: want 0 (all cores) or more", threads)}
			}
			if minTime <= 0 {
				return &exitError{code: 2, err: fmt.Errorf("--min-time %v: want a positive duration such as 300ms", minTime)}
			}
			kernels.SetWorkers(threads)
			return runBenchGemm(cmd.Context(), cmd.OutOrStdout(), shapesList, minTime, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&shapes, "shapes", "", "comma-separated MxKxN[:nn|nt|tn|tt] (default: 1024^3 and the ViT-B/32 training shapes)")
	f.IntVar(&threads, "threads", 0, "worker threads (0: all cores)")
	f.BoolVar(&asJSON, "json", false, "print one JSON object per shape")
	f.IntVar(&batch, "batch", gemmbench.DefaultBatch, "batch size of the default ViT-B/32 shapes (tokens = batch x 50 or x 77)")
	f.DurationVar(&minTime, "min-time", 300*time.Millisecond, "time spent measuring each shape")
	f.BoolVar(&list, "list-shapes", false, "print the shapes (MxKxN:op and name, tab-separated) without measuring")
	benchCmd.AddCommand(cmd)
}

// gemmRow is the JSON form of one measurement.
type gemmRow struct {
	Name       string  `json:"name"`
	M          int     `json:"m"`
	K          int     `json:"k"`
	N          int     `json:"n"`
	Trans      string  `json:"trans"`
	GFLOPS     float64 `json:"gflops"`
	BestGFLOPS float64 `json:"best_gflops"`
	PeakGFLOPS float64 `json:"peak_gflops"`
	Fraction   float64 `json:"fraction_of_peak"`
	Threads    int     `json:"threads"`
	Path       string  `json:"path"`
}

func runBenchGemm(ctx context.Context, w io.Writer, list []gemmbench.Shape, minTime time.Duration, asJSON bool) error {
	threads := kernels.Workers()
	peak := kernels.PeakGFLOPS(threads)
	var tw *tabwriter.Writer
	enc := json.NewEncoder(w)
	if !asJSON {
		fmt.Fprintf(w, "kernel path %s, %d threads, measured FMA peak %.1f GFLOP/s\n", kernels.CPUPath(), threads, peak)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "name\tM×K×N\top\tGFLOP/s\tbest\t% of peak\t")
	}
	for _, s := range list {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := gemmbench.Measure(s, minTime)
		row := gemmRow{Name: s.Name, M: s.M, K: s.K, N: s.N, Trans: s.Trans(),
			GFLOPS: r.GFLOPS, BestGFLOPS: r.BestGFLOPS, PeakGFLOPS: peak,
			Threads: threads, Path: kernels.CPUPath()}
		if peak > 0 {
			row.Fraction = r.GFLOPS / peak
		}
		if asJSON {
			if err := enc.Encode(row); err != nil {
				return fmt.Errorf("writing results: %w", err)
			}
			continue
		}
		frac := "n/a"
		if peak > 0 {
			frac = fmt.Sprintf("%.0f%%", 100*row.Fraction)
		}
		fmt.Fprintf(tw, "%s\t%dx%dx%d\t%s\t%.1f\t%.1f\t%s\t\n", s.Name, s.M, s.K, s.N, s.Trans(), r.GFLOPS, r.BestGFLOPS, frac)
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}
