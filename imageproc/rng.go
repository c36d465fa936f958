package imageproc

import "math/rand/v2"

// NewRNG returns the random source for one example: a PCG generator whose
// state is a hash of (seed, epoch, index) and of the "image" stream name.
// Results therefore depend only on the example, never on the worker that
// processes it or on the order of processing.
func NewRNG(seed uint64, epoch, index int) *rand.Rand {
	return rand.New(rand.NewPCG(DeriveSeed(seed, "image", uint64(epoch), uint64(index)), DeriveSeed(seed, "image/2", uint64(epoch), uint64(index))))
}

// DeriveSeed hashes a seed, a stream name and integers into a new 64-bit
// seed (splitmix64 steps over FNV-1a of the name), so that independent
// streams can be drawn from one user seed.
func DeriveSeed(seed uint64, stream string, parts ...uint64) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(stream); i++ {
		h ^= uint64(stream[i])
		h *= 1099511628211
	}
	x := splitmix(seed ^ h)
	for _, p := range parts {
		x = splitmix(x ^ p)
	}
	return x
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
