package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/generate/benchmark"
)

func init() {
	var opt benchmark.Options
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "generate --arch tinyllama-1.1b --prompt-len 128 --new-tokens 128 [--json]",
		Short: "Time text generation (prefill and decode) of a real-size language model with random weights",
		Long: `bench generate builds the architecture with random weights (float32),
feeds it a random prompt and generates --new-tokens greedily with the key/value
cache, batch 1, on GOMAXPROCS threads. It reports the prompt's prefill speed
(prompt tokens per second of the first forward pass) and the decode speed
(new tokens per second after the first), the peak resident memory, and the
bound memory bandwidth puts on decoding: every step reads every weight, so
it cannot go faster than the read bandwidth measured in the same run divided
by the weight bytes per token. --json prints one JSON object with
prefill_tokens_per_s, decode_tokens_per_s, peak_rss_bytes and
decode_bound_tokens_per_s. Architectures: ` + strings.Join(benchmark.ArchNames(), ", ") + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			inferenceGC()
			res, err := benchmark.Run(opt)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s, prompt %d, %d new tokens, %d threads: prefill %.1f tokens/s, decode %.2f tokens/s (%.0f%% of the %.2f tokens/s bandwidth bound: %.1f GB/s ÷ %.2f GB per token), peak RSS %.0f MiB\n",
				res.Arch, res.PromptLen, res.NewTokens, res.Threads, res.PrefillTokensPerS, res.DecodeTokensPerS, 100*res.DecodeFractionOfBound,
				res.DecodeBoundTokensPerS, res.BandwidthBytesPerS/1e9, float64(res.WeightBytesPerToken)/1e9, float64(res.PeakRSSBytes)/(1<<20))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Arch, "arch", "tinyllama-1.1b", "architecture: "+strings.Join(benchmark.ArchNames(), ", "))
	f.IntVar(&opt.PromptLen, "prompt-len", 128, "prompt tokens")
	f.IntVar(&opt.NewTokens, "new-tokens", 128, "tokens to generate")
	f.Uint64Var(&opt.Seed, "seed", 0, "seed of the weights and the prompt")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	benchCmd.AddCommand(cmd)
}
