// Package sample decides which examples a training epoch sees and in what
// order: filters (minimum quality score, languages), seeded per-epoch
// shuffling, balanced sampling by a metadata field, curriculum ordering
// with a pacing schedule, and hard-negative batches built from embeddings.
//
// Indices are positions in the []*data.Example slice given to the
// constructors (the same slice the loader is given). Every sampler is
// deterministic: its order for an epoch depends only on its seed and the
// epoch number.
package sample

import (
	"math/rand/v2"
	"slices"

	"github.com/vlmtune/vlmtune/data"
)

// Sampler gives the order of example indices for an epoch.
type Sampler interface {
	// Order returns the indices the epoch visits, in order. It may repeat
	// indices (sampling with replacement) or leave some out (filters,
	// curricula).
	Order(epoch int) []int
}

// BatchSampler is a Sampler whose order comes in fixed batches (hard
// negatives): the loader then never mixes two groups in one batch.
type BatchSampler interface {
	Sampler
	// Batches returns the epoch's batches; their concatenation is Order.
	Batches(epoch int) [][]int
}

// Filter selects examples by metadata.
type Filter struct {
	// MinQuality drops examples whose quality_score is below it. When it is
	// above 0, examples without a score are dropped too, unless
	// KeepUnscored is set.
	MinQuality   float64
	KeepUnscored bool
	// Languages keeps only examples whose language is in the list (empty:
	// all languages).
	Languages []string
}

// Keep tells whether the filter keeps an example.
func (f Filter) Keep(ex *data.Example) bool {
	if f.MinQuality > 0 {
		if !ex.Meta.HasQuality {
			if !f.KeepUnscored {
				return false
			}
		} else if ex.Meta.QualityScore < f.MinQuality {
			return false
		}
	}
	if len(f.Languages) > 0 && !slices.Contains(f.Languages, ex.Meta.Language) {
		return false
	}
	return true
}

// Select returns the indices of the examples the filter keeps, in order.
func Select(examples []*data.Example, f Filter) []int {
	var out []int
	for i, ex := range examples {
		if f.Keep(ex) {
			out = append(out, i)
		}
	}
	return out
}

// All returns 0, 1, ..., n-1.
func All(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// Shuffle visits every index once per epoch, in a permutation seeded by
// (Seed, epoch); with Sequential set, in the given order.
type Shuffle struct {
	Indices    []int
	Seed       uint64
	Sequential bool
}

// Order returns the epoch's permutation of Indices.
func (s Shuffle) Order(epoch int) []int {
	out := slices.Clone(s.Indices)
	if !s.Sequential {
		r := EpochRand(s.Seed, epoch)
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// EpochRand returns the random source for (seed, epoch).
func EpochRand(seed uint64, epoch int) *rand.Rand {
	return rand.New(rand.NewPCG(Mix(seed, 0x5e1ec7ed), Mix(uint64(epoch), seed)))
}

// Mix combines two values into a well-spread 64-bit seed (SplitMix64 of
// their combination).
func Mix(a, b uint64) uint64 {
	z := a*0x9e3779b97f4a7c15 + b + 0x632be59bd9b4e019
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
