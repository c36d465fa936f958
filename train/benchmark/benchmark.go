// Package benchmark times training steps and embedding throughput of
// real-size architectures with random weights, for `vlmtune bench train`
// and `vlmtune embed --bench`: the numbers BENCHMARKS.md compares with
// PyTorch on the same machine.
package benchmark

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/models/clip"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/train/optim"
)

// Archs lists the architectures that can be benchmarked.
var Archs = []string{"clip-vit-b-32", "clip-vit-b-16", "clip-tiny"}

// ArchConfig returns the configuration of a named architecture.
func ArchConfig(arch string) (clip.Config, error) {
	cfg := clip.DefaultConfig() // openai/clip-vit-base-patch32
	switch arch {
	case "clip-vit-b-32":
	case "clip-vit-b-16":
		cfg.VisionConfig.PatchSize = 16
	case "clip-tiny":
		cfg.ProjectionDim = 64
		cfg.TextConfig.HiddenSize, cfg.TextConfig.IntermediateSize, cfg.TextConfig.NumHiddenLayers, cfg.TextConfig.NumAttentionHeads = 128, 512, 2, 4
		cfg.VisionConfig.HiddenSize, cfg.VisionConfig.IntermediateSize, cfg.VisionConfig.NumHiddenLayers, cfg.VisionConfig.NumAttentionHeads = 128, 512, 2, 4
		cfg.VisionConfig.ImageSize = 64
		cfg.VisionConfig.PatchSize = 16
	default:
		return cfg, fmt.Errorf("unknown architecture %q (known: %s)", arch, strings.Join(Archs, ", "))
	}
	return cfg, nil
}

// TrainOptions configure a training benchmark.
type TrainOptions struct {
	Arch   string
	Method string // "full" or "lora"
	Batch  int
	Steps  int // timed steps after one warm-up step
	// LoRARank applies to method lora (r, alpha = 2r, on q_proj and v_proj).
	LoRARank int
	// Checkpointing turns gradient checkpointing on.
	Checkpointing bool
	// AllTokens computes every position of both towers (77 text tokens
	// per row, every token of the last layers: the work transformers and
	// the PyTorch peer do) instead of only what the embeddings depend on,
	// which is the trainer's default (models.PairBatch.AllTokens).
	AllTokens bool
	Seed      uint64
}

// TrainResult is what `vlmtune bench train --json` prints.
type TrainResult struct {
	Arch            string  `json:"arch"`
	Method          string  `json:"method"`
	Batch           int     `json:"batch"`
	Steps           int     `json:"steps"`
	Threads         int     `json:"threads"`
	SamplesPerS     float64 `json:"samples_per_s"`
	SecPerStep      float64 `json:"sec_per_step"`
	PeakRSSBytes    int64   `json:"peak_rss_bytes"`
	TrainableParams int64   `json:"trainable_params"`
	TotalParams     int64   `json:"total_params"`
	Loss            float64 `json:"loss"`
	AllTokens       bool    `json:"all_tokens"`
}

// randomBatch draws pixels N(0,1) and token ids with an EOS at a random
// position per row (the rest padding), as a data pipeline would produce.
func randomBatch(cfg clip.Config, b int, rng *tensor.RNG) models.PairBatch {
	t := cfg.TextConfig.MaxPositionEmbeddings
	ids := make([]int32, b*t)
	mask := make([]int32, b*t)
	eos := int32(cfg.TextConfig.EosTokenID)
	for r := 0; r < b; r++ {
		n := 5 + rng.Intn(t-5)
		for j := 0; j < t; j++ {
			switch {
			case j == 0:
				ids[r*t+j], mask[r*t+j] = int32(cfg.TextConfig.BosTokenID), 1
			case j < n-1:
				ids[r*t+j], mask[r*t+j] = int32(rng.Intn(int(eos)-1)), 1
			default:
				ids[r*t+j] = eos
				if j == n-1 {
					mask[r*t+j] = 1
				}
			}
		}
	}
	s := cfg.VisionConfig.ImageSize
	return models.PairBatch{IDs: ids, Mask: mask, B: b, T: t, Pixels: tensor.RandN(rng, 0, 1, b, 3, s, s)}
}

// Train builds the architecture with random weights, applies the method,
// runs one warm-up step and times opt.Steps AdamW steps.
func Train(opt TrainOptions) (*TrainResult, error) {
	cfg, err := ArchConfig(opt.Arch)
	if err != nil {
		return nil, err
	}
	if opt.Batch < 2 || opt.Steps < 1 {
		return nil, fmt.Errorf("batch (%d) must be ≥ 2 and steps (%d) ≥ 1", opt.Batch, opt.Steps)
	}
	rng := tensor.NewRNG(opt.Seed)
	cm, err := clip.New(cfg)
	if err != nil {
		return nil, err
	}
	cm.Init(rng)
	m := cm
	m.SetCheckpointing(opt.Checkpointing)
	spec := peft.Spec{Method: opt.Method}
	switch opt.Method {
	case "full":
	case "lora":
		r := opt.LoRARank
		if r == 0 {
			r = 16
		}
		spec.LoRA.R, spec.LoRA.Alpha, spec.LoRA.TargetModules = r, float64(2*r), []string{"q_proj", "v_proj"}
	default:
		return nil, fmt.Errorf("method %q: benchmark full or lora", opt.Method)
	}
	if _, err := peft.Apply(m, spec, rng); err != nil {
		return nil, err
	}
	trainable, total := nn.CountParams(m)
	params := optim.Collect(nn.Params(m), false)
	o := optim.NewAdamW(params, 0.9, 0.98, 1e-6, 0.1)
	batch := randomBatch(cfg, opt.Batch, rng)
	batch.AllTokens = opt.AllTokens
	sc := tensor.NewScope()
	step := func() float64 {
		optim.ZeroGrad(params)
		out := m.Contrast(sc, batch, true, nil)
		out.Loss.Backward()
		o.Step(1e-5)
		m.AfterStep()
		return float64(out.Loss.Item())
	}
	step() // warm-up: first-touch allocations, packing buffers
	runtime.GC()
	start := time.Now()
	var loss float64
	for i := 0; i < opt.Steps; i++ {
		loss = step()
	}
	el := time.Since(start).Seconds()
	return &TrainResult{
		Arch: opt.Arch, Method: opt.Method, Batch: opt.Batch, Steps: opt.Steps, Threads: runtime.GOMAXPROCS(0),
		SamplesPerS: float64(opt.Batch*opt.Steps) / el, SecPerStep: el / float64(opt.Steps),
		PeakRSSBytes: PeakRSS(), TrainableParams: trainable, TotalParams: total, Loss: loss, AllTokens: opt.AllTokens,
	}, nil
}

// PeakRSS returns the process's peak resident set size in bytes (VmHWM,
// or getrusage's ru_maxrss).
func PeakRSS() int64 {
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				f := strings.Fields(line)
				if len(f) >= 2 {
					if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
						return kb * 1024
					}
				}
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		return ru.Maxrss * 1024
	}
	return 0
}

// EmbedResult is what `vlmtune embed --bench --json` prints.
type EmbedResult struct {
	Arch         string  `json:"arch"`
	Batch        int     `json:"batch"`
	Images       int     `json:"images"`
	Threads      int     `json:"threads"`
	ImagesPerS   float64 `json:"images_per_s"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
}

// Embed times image embedding (vision tower + projection, no gradient) on
// random pixels: one warm-up batch, then batches until at least images
// images are done.
func Embed(arch string, batch, images int, seed uint64) (*EmbedResult, error) {
	cfg, err := ArchConfig(arch)
	if err != nil {
		return nil, err
	}
	if batch < 1 || images < 1 {
		return nil, fmt.Errorf("batch (%d) and images (%d) must be positive", batch, images)
	}
	rng := tensor.NewRNG(seed)
	cm, err := clip.New(cfg)
	if err != nil {
		return nil, err
	}
	cm.Init(rng)
	m := cm
	s := cfg.VisionConfig.ImageSize
	pixels := tensor.RandN(rng, 0, 1, batch, 3, s, s)
	sc := tensor.NewInferenceScope()
	m.EncodeImage(sc, pixels)
	start := time.Now()
	done := 0
	for done < images {
		m.EncodeImage(sc, pixels)
		done += batch
	}
	el := time.Since(start).Seconds()
	return &EmbedResult{Arch: arch, Batch: batch, Images: done, Threads: runtime.GOMAXPROCS(0), ImagesPerS: float64(done) / el, PeakRSSBytes: PeakRSS()}, nil
}
