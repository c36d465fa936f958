// Package loader turns examples into batches with a pool of decoding
// goroutines: bounded prefetch and memory, deterministic order for a seed
// whatever the number of workers, per-epoch shuffling (through a
// sample.Sampler), a resumable Position, and a skip-or-fail policy for bad
// examples found at any stage, so that nothing crashes mid-epoch.
//
// The loader does not know about images or tokenizers: a Transform turns an
// Example into a Sample (pixels and token ids), and the loader stacks
// Samples into a Batch of plain slices. Each Transform call gets a random
// source seeded by (seed, epoch, position in the epoch) only.
package loader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/sample"
)

// IgnoreIndex pads Labels (PyTorch's cross-entropy ignore_index).
const IgnoreIndex = -100

// Sample is one transformed example.
type Sample struct {
	// Pixels holds the image as [C, H, W] floats; nil for text-only
	// examples.
	Pixels  []float32
	C, H, W int
	// InputIDs are the token ids.
	InputIDs []int32
	// Labels, when not nil, has one label per input id (IgnoreIndex where
	// no loss is taken).
	Labels []int32
}

// Transform turns an example into a sample. It must depend only on ex and
// rng, and be safe to call from several goroutines. An error skips or fails
// the example according to the Policy.
type Transform func(ctx context.Context, ex *data.Example, rng *rand.Rand) (Sample, error)

// Policy says what to do with a bad example.
type Policy int

const (
	// Skip drops bad examples, counts them and logs each one.
	Skip Policy = iota
	// Fail stops the iteration with the first bad example's error.
	Fail
)

// ParsePolicy reads "skip" or "fail".
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "skip":
		return Skip, nil
	case "fail":
		return Fail, nil
	}
	return 0, fmt.Errorf("bad-record policy %q: use skip or fail", s)
}

// Position is where an iteration stands: Index examples of epoch Epoch's
// order have been consumed. Batch.Next is the position to resume from.
type Position struct {
	Epoch int `json:"epoch"`
	Index int `json:"index"`
}

// Config configures a Loader.
type Config struct {
	// BatchSize is the number of samples per batch (required).
	BatchSize int
	// Epochs is the number of epochs an iteration runs (required).
	Epochs int
	// Workers is the number of decoding goroutines (0: GOMAXPROCS).
	Workers int
	// Prefetch is the number of ready batches buffered ahead (0: 2).
	Prefetch int
	// Seed seeds the default sampler and every Transform's random source.
	Seed uint64
	// Sampler gives each epoch's order (nil: sample.Shuffle over all
	// examples with Seed). A sample.BatchSampler's batches are kept whole.
	Sampler sample.Sampler
	// Check runs before the Transform (for instance
	// validate.Checker.CheckErr); an error is handled by Policy.
	Check func(*data.Example) error
	// Policy handles Check and Transform errors (and Transform panics).
	Policy Policy
	// OnSkip, when set, is called for each skipped example, in order.
	OnSkip func(ex *data.Example, err error)
	// Logger logs skipped examples (Warn) and epoch ends (Info); nil is
	// silent.
	Logger *slog.Logger
	// DropLast drops an epoch's last batch when it is short.
	DropLast bool
	// PadID pads InputIDs.
	PadID int32
	// PadTo, when > 0, pads (never truncates) token rows to this length;
	// otherwise to the longest row of the batch.
	PadTo int
}

// Loader makes batches from examples.
type Loader struct {
	examples  []*data.Example
	transform Transform
	cfg       Config
}

// New checks the configuration and returns a Loader.
func New(examples []*data.Example, transform Transform, cfg Config) (*Loader, error) {
	if transform == nil {
		return nil, errors.New("loader: no transform")
	}
	if cfg.BatchSize < 1 {
		return nil, fmt.Errorf("loader: batch size %d must be at least 1", cfg.BatchSize)
	}
	if cfg.Epochs < 1 {
		return nil, fmt.Errorf("loader: epochs %d must be at least 1", cfg.Epochs)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = 2
	}
	if cfg.Sampler == nil {
		cfg.Sampler = sample.Shuffle{Indices: sample.All(len(examples)), Seed: cfg.Seed}
	}
	return &Loader{examples: examples, transform: transform, cfg: cfg}, nil
}

// exampleRand returns the random source of the example at position k of
// epoch's order.
func exampleRand(seed uint64, epoch, k int) *rand.Rand {
	return rand.New(rand.NewPCG(sample.Mix(seed, uint64(epoch)), sample.Mix(uint64(k), 0xda7a)))
}
