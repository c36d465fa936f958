// Package streamrng derives independent, reproducible random streams from
// one user seed: a stream is named (e.g. "image", "text", a synthetic data
// set's split) and indexed (epoch, example), and its generator depends on
// nothing else, so results never depend on which worker draws them or in
// what order.
package streamrng

import "math/rand/v2"

// Derive hashes a seed, a stream name and integers into a new 64-bit seed
// (splitmix64 steps over FNV-1a of the name).
func Derive(seed uint64, stream string, parts ...uint64) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(stream); i++ {
		h ^= uint64(stream[i])
		h *= 1099511628211
	}
	x := Mix(seed ^ h)
	for _, p := range parts {
		x = Mix(x ^ p)
	}
	return x
}

// New returns a PCG generator seeded from Derive(seed, stream, parts...)
// and Derive(seed, stream+"/2", parts...).
func New(seed uint64, stream string, parts ...uint64) *rand.Rand {
	return rand.New(rand.NewPCG(Derive(seed, stream, parts...), Derive(seed, stream+"/2", parts...)))
}

// Mix is splitmix64's step: a cheap, well-mixing 64-bit hash.
func Mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
