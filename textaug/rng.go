package textaug

import "math/rand/v2"

// NewRNG returns the random source for one example's text: a PCG generator
// whose state is a hash of (seed, epoch, index) and of the "text" stream
// name (splitmix64 over FNV-1a), so that the choices depend only on the
// example, never on the worker, and differ from the image stream drawn from
// the same seed.
func NewRNG(seed uint64, epoch, index int) *rand.Rand {
	return rand.New(rand.NewPCG(derive(seed, "text", uint64(epoch), uint64(index)), derive(seed, "text/2", uint64(epoch), uint64(index))))
}

func derive(seed uint64, stream string, parts ...uint64) uint64 {
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
