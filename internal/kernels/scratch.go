package kernels

import "sync"

// scratch hands out temporary float32 buffers so that kernels do not
// allocate in steady state.
var scratchPool sync.Pool

// getScratch returns a zeroed buffer of n floats; give it back with
// putScratch.
func getScratch(n int) *[]float32 {
	if p, ok := scratchPool.Get().(*[]float32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		clear(*p)
		return p
	}
	s := make([]float32, n)
	return &s
}

func putScratch(p *[]float32) { scratchPool.Put(p) }
