package benchmark

import (
	"strings"
	"testing"
)

// The benchmark runs end to end on a small architecture and reports every
// field (speeds are not checked: they belong to BENCHMARKS.md).
func TestRunSmallArch(t *testing.T) {
	res, err := Run(Options{Arch: "llama-tiny", PromptLen: 8, NewTokens: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.GeneratedTokensChecked != 4 || res.Params <= 0 || res.PrefillTokensPerS <= 0 || res.DecodeTokensPerS <= 0 ||
		res.PeakRSSBytes <= 0 || res.BandwidthBytesPerS <= 0 || res.WeightBytesPerToken <= 0 || res.DecodeBoundTokensPerS <= 0 {
		t.Errorf("incomplete result %+v", res)
	}
	// Every weight but the input embeddings (256×64), plus the cache.
	if min := 4 * (res.Params - 256*64); res.WeightBytesPerToken < min {
		t.Errorf("weight bytes per token %d < %d", res.WeightBytesPerToken, min)
	}
}

func TestRunRefusesBadOptions(t *testing.T) {
	if _, err := Run(Options{Arch: "nope", PromptLen: 8, NewTokens: 4}); err == nil || !strings.Contains(err.Error(), "tinyllama-1.1b") {
		t.Errorf("unknown arch: %v", err)
	}
	if _, err := Run(Options{Arch: "llama-tiny", PromptLen: 500, NewTokens: 100}); err == nil || !strings.Contains(err.Error(), "max_position_embeddings") {
		t.Errorf("too long: %v", err)
	}
}
