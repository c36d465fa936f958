package imageproc

import (
	"math/rand/v2"

	"github.com/vlmtune/vlmtune/internal/streamrng"
)

// NewRNG returns the random source for one example: a PCG generator whose
// state is a hash of (seed, epoch, index) and of the "image" stream name.
// Results therefore depend only on the example, never on the worker that
// processes it or on the order of processing.
func NewRNG(seed uint64, epoch, index int) *rand.Rand {
	return streamrng.New(seed, "image", uint64(epoch), uint64(index))
}

// DeriveSeed hashes a seed, a stream name and integers into a new 64-bit
// seed (splitmix64 steps over FNV-1a of the name), so that independent
// streams can be drawn from one user seed.
func DeriveSeed(seed uint64, stream string, parts ...uint64) uint64 {
	return streamrng.Derive(seed, stream, parts...)
}
