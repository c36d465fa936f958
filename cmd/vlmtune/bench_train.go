package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
	"github.com/vlmtune/vlmtune/train/benchmark"
)

func init() {
	var opt benchmark.TrainOptions
	var asJSON bool
	var profile string
	cmd := &cobra.Command{
		Use:   "train --arch clip-vit-b-32 --method full|lora --batch 16 [--steps N] [--json]",
		Short: "Time training steps of a real-size architecture with random weights",
		Long: `bench train builds the architecture with random weights, applies the
method (full fine-tuning, or LoRA r=16 on q_proj and v_proj), runs one
warm-up step on random inputs (224-pixel images, 77-token texts for
CLIP ViT-B/32, each ending at a random length from 5 to 76 tokens, then
padding) and times the following steps of forward, backward and AdamW.
Like the trainer, it computes only what the embeddings depend on: text
rows packed up to their end-of-text tokens and, in the last layer of each
tower, only the pooled tokens (the same loss and gradients with less
work). --all-tokens computes every position instead (77 per text row),
the work transformers and the PyTorch peer in bench/train do.
It prints samples/s and the peak resident memory; --json prints one object
with samples_per_s, peak_rss_bytes, trainable_params and total_params.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if profile != "" {
				f, err := os.Create(profile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			res, err := benchmark.Train(opt)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s batch %d, %d threads: %.2f samples/s (%.2f s/step), peak RSS %.0f MiB, %d of %d parameters trainable\n",
				res.Arch, res.Method, res.Batch, res.Threads, res.SamplesPerS, res.SecPerStep, float64(res.PeakRSSBytes)/(1<<20), res.TrainableParams, res.TotalParams)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Arch, "arch", "clip-vit-b-32", "architecture: clip-vit-b-32, clip-vit-b-16 or clip-tiny")
	f.StringVar(&opt.Method, "method", "full", "full or lora")
	f.IntVar(&opt.Batch, "batch", 16, "batch size")
	f.IntVar(&opt.Steps, "steps", 3, "timed steps after the warm-up step")
	f.IntVar(&opt.LoRARank, "lora-rank", 16, "LoRA rank (alpha = 2·rank) for --method lora")
	f.BoolVar(&opt.Checkpointing, "checkpointing", false, "gradient checkpointing")
	f.BoolVar(&opt.AllTokens, "all-tokens", false, "compute every position of both towers, as transformers does (77 per text row)")
	f.Uint64Var(&opt.Seed, "seed", 0, "seed of the random weights and inputs")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	f.StringVar(&profile, "cpuprofile", "", "write a Go CPU profile (go tool pprof) to this file")
	benchCmd.AddCommand(cmd)
}
