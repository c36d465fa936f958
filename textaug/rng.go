package textaug

import (
	"math/rand/v2"

	"github.com/vlmtune/vlmtune/internal/streamrng"
)

// NewRNG returns the random source for one example's text: a PCG generator
// whose state is a hash of (seed, epoch, index) and of the "text" stream
// name, so that the choices depend only on the example, never on the
// worker, and differ from the image stream drawn from the same seed.
func NewRNG(seed uint64, epoch, index int) *rand.Rand {
	return streamrng.New(seed, "text", uint64(epoch), uint64(index))
}
