// Package benchmark times text generation of a real-size causal language
// model with random weights (vlmtune bench generate): the prompt's prefill
// and the one-token decode steps, with the bound memory bandwidth sets on
// decoding, measured on the machine in the same run.
package benchmark

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/vlmtune/vlmtune/generate"
	"github.com/vlmtune/vlmtune/internal/kernels"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/models/llama"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/train/benchmark"
)

// Archs are the architectures the benchmark builds, as config.json text.
var Archs = map[string]string{
	// TinyLlama-1.1B: 22 layers, hidden 2048, 32 heads, 4 key/value heads,
	// ffn 5632, vocabulary 32000.
	"tinyllama-1.1b": `{"model_type": "llama", "hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 22,
	  "num_attention_heads": 32, "num_key_value_heads": 4, "vocab_size": 32000, "max_position_embeddings": 2048,
	  "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": false}`,
	// A small one for tests.
	"llama-tiny": `{"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
	  "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 256, "max_position_embeddings": 512,
	  "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": false}`,
}

// ArchNames lists the architectures, sorted.
func ArchNames() []string {
	var out []string
	for k := range Archs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Options choose what to time.
type Options struct {
	Arch                 string
	PromptLen, NewTokens int
	Seed                 uint64
}

// Result is one run's measurements.
type Result struct {
	Arch      string `json:"arch"`
	PromptLen int    `json:"prompt_len"`
	NewTokens int    `json:"new_tokens"`
	Threads   int    `json:"threads"`
	Params    int64  `json:"params"`
	// PrefillTokensPerS is prompt tokens per second of the first forward
	// pass (through the first token's choice); DecodeTokensPerS the new
	// tokens per second after it.
	PrefillTokensPerS float64 `json:"prefill_tokens_per_s"`
	DecodeTokensPerS  float64 `json:"decode_tokens_per_s"`
	PeakRSSBytes      int64   `json:"peak_rss_bytes"`
	// BandwidthBytesPerS is the memory read bandwidth measured in this run
	// (the dot-product loop of the matrix-vector product over 256 MiB, the
	// best of 10, the same threads);
	// WeightBytesPerToken what one decode step reads at least (every
	// weight but the input embeddings, plus the key/value cache at half
	// the generation); their ratio is the bound decoding cannot pass.
	BandwidthBytesPerS     float64 `json:"bandwidth_bytes_per_s"`
	WeightBytesPerToken    int64   `json:"weight_bytes_per_token"`
	DecodeBoundTokensPerS  float64 `json:"decode_bound_tokens_per_s"`
	DecodeFractionOfBound  float64 `json:"decode_fraction_of_bound"`
	GeneratedTokensChecked int     `json:"generated_tokens"`
}

// Run builds the architecture with random weights, generates NewTokens
// greedily after a random prompt of PromptLen tokens (no end token, so
// every step runs) and times it.
func Run(opt Options) (*Result, error) {
	cfgJSON, ok := Archs[opt.Arch]
	if !ok {
		return nil, fmt.Errorf("unknown --arch %q: choose one of %s", opt.Arch, strings.Join(ArchNames(), ", "))
	}
	if opt.PromptLen < 1 || opt.NewTokens < 2 {
		return nil, fmt.Errorf("--prompt-len must be ≥ 1 and --new-tokens ≥ 2 (got %d and %d)", opt.PromptLen, opt.NewTokens)
	}
	cfg, err := llama.ParseConfig(opt.Arch, []byte(cfgJSON))
	if err != nil {
		return nil, err
	}
	if opt.PromptLen+opt.NewTokens > cfg.MaxPositionEmbeddings {
		return nil, fmt.Errorf("--prompt-len %d + --new-tokens %d exceed max_position_embeddings %d", opt.PromptLen, opt.NewTokens, cfg.MaxPositionEmbeddings)
	}
	// Bandwidth first, so that its buffer is gone before the weights
	// exist and does not raise the peak memory.
	bw := readBandwidth()
	runtime.GC()
	debug.FreeOSMemory()
	m, err := llama.New(*cfg)
	if err != nil {
		return nil, err
	}
	var lm models.CausalLM = m
	nn.SetTrainable(m, false)
	params := randomize(m, opt.Seed)

	rng := tensor.NewRNG(opt.Seed + 1)
	ids := make([]int32, opt.PromptLen)
	for i := range ids {
		ids[i] = int32(rng.Intn(cfg.VocabSize))
	}
	c := generate.DefaultConfig()
	c.MaxNewTokens, c.MaxLength = opt.NewTokens, 0
	c.EOS = nil
	var stamps []time.Time
	start := time.Now()
	out, err := generate.Generate(lm, generate.Prompt{IDs: ids, B: 1, T: len(ids)}, c, generate.Options{
		Context: context.Background(),
		Stream:  func(int, int32) { stamps = append(stamps, time.Now()) },
	})
	if err != nil {
		return nil, err
	}
	if len(stamps) != opt.NewTokens || len(out.Sequences[0]) != opt.PromptLen+opt.NewTokens {
		return nil, fmt.Errorf("generated %d tokens, want %d", len(stamps), opt.NewTokens)
	}
	prefill := stamps[0].Sub(start).Seconds()
	decode := stamps[len(stamps)-1].Sub(stamps[0]).Seconds()

	hidden := cfg.HiddenSize
	kvDim := 2 * cfg.NumKeyValueHeads * (hidden / cfg.NumAttentionHeads)
	weightBytes := 4 * (params - int64(cfg.VocabSize*hidden)) // the input embeddings are gathered, not read
	kvBytes := int64(4 * cfg.NumHiddenLayers * kvDim * (opt.PromptLen + opt.NewTokens/2))
	perToken := weightBytes + kvBytes
	bound := bw / float64(perToken)
	decodeRate := float64(opt.NewTokens-1) / decode
	return &Result{
		Arch: opt.Arch, PromptLen: opt.PromptLen, NewTokens: opt.NewTokens, Threads: kernels.Workers(), Params: params,
		PrefillTokensPerS: float64(opt.PromptLen) / prefill, DecodeTokensPerS: decodeRate,
		PeakRSSBytes: benchmark.PeakRSS(), BandwidthBytesPerS: bw, WeightBytesPerToken: perToken,
		DecodeBoundTokensPerS: bound, DecodeFractionOfBound: decodeRate / bound, GeneratedTokensChecked: len(stamps),
	}, nil
}

// randomize fills the weights with N(0, 0.02) (norm weights 1), as
// transformers initializes a Llama, and returns the parameter count.
func randomize(m nn.Module, seed uint64) int64 {
	var n int64
	params := nn.Params(m)
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		p := params[name]
		d := p.Data()
		n += int64(len(d))
		if strings.HasSuffix(name, "norm.weight") {
			kernels.Fill(d, 1)
			continue
		}
		// Independent streams per tensor, filled in parallel.
		base := seed*1000003 + uint64(i)
		kernels.ParallelChunks(len(d), 1<<20, func(chunk, lo, hi int) {
			r := tensor.NewRNG(base*65537 + uint64(chunk))
			for j := lo; j < hi; j++ {
				d[j] = float32(0.02 * r.Normal())
			}
		})
	}
	runtime.GC()
	return n
}

// readBandwidth measures how fast the machine reads memory: the dot-product
// loop of the matrix-vector product over a buffer far beyond the caches
// (256 MiB), the best of 10.
func readBandwidth() float64 { return kernels.ReadBandwidth(64<<20, 10) }
