package tensor

import (
	"math"
	"math/bits"
	"sync"
)

// A bufferPool recycles the float32 storage the engine knows to be dead:
// gradients of intermediate tensors once backward has propagated them,
// and scratch buffers of ops. Forward activations are not pooled (a
// caller may still hold them); the garbage collector reclaims those. Each
// Scope has one, shared with its NoGrad children.
//
// Buffers are kept in size classes about 4.4% apart (16 per doubling): a
// request for n floats takes a pooled buffer of at least n floats from
// n's class or the next one and gets its first n floats, so shapes that
// vary a little from batch to batch (packed text of varying total length)
// still reuse storage, at most about 9% larger than asked (a request that
// finds only smaller buffers in its class drops one of them). Each
// BackwardWith ends a generation and drops the classes neither requested
// nor returned during it, so lengths that are not asked for again do not
// accumulate.
type bufferPool struct {
	sync.Mutex
	free    map[int][][]float32 // by class; each buffer's len is its full size
	bytes   int64
	gen     uint64         // completed backward passes
	lastUse map[int]uint64 // generation in which a class was last used
}

func newBufferPool() *bufferPool {
	return &bufferPool{free: map[int][][]float32{}, lastUse: map[int]uint64{}}
}

// Bounds of a pool: buffers per class and total bytes held.
const (
	poolPerSize  = 32
	poolMaxBytes = 4 << 30
)

// poolMinLen is the smallest buffer worth pooling.
const poolMinLen = 1024

// poolClass returns the size class of n ≥ 1: 16 classes per power of two,
// class c holding lengths in [2^(c/16), 2^((c+1)/16)).
func poolClass(n int) int {
	e := bits.Len(uint(n)) - 1 // 2^e ≤ n < 2^(e+1)
	frac := math.Log2(float64(n)) - float64(e)
	k := int(frac * 16)
	if k > 15 {
		k = 15
	}
	return e*16 + k
}

// get returns a buffer of n floats from the pool (zeroed when zero is
// set; otherwise holding stale values), or nil.
func (p *bufferPool) get(n int, zero bool) []float32 {
	if n < poolMinLen {
		return nil
	}
	c := poolClass(n)
	p.Lock()
	p.lastUse[c] = p.gen
	for _, k := range [2]int{c, c + 1} {
		list := p.free[k]
		for i := len(list) - 1; i >= 0; i-- {
			b := list[i]
			if len(b) < n {
				continue
			}
			last := len(list) - 1
			list[i], list[last] = list[last], nil
			p.free[k] = list[:last]
			p.bytes -= int64(len(b)) * 4
			p.lastUse[k] = p.gen
			p.Unlock()
			b = b[:n:n]
			if zero {
				clear(b)
			}
			return b
		}
	}
	// Buffers of n's class too small for it are likely too small for the
	// next requests as well (lengths growing from step to step): drop one,
	// so that the class turns over to the larger buffers released later.
	if list := p.free[c]; len(list) > 0 {
		last := len(list) - 1
		p.bytes -= int64(len(list[last])) * 4
		list[last] = nil
		p.free[c] = list[:last]
	}
	p.Unlock()
	return nil
}

// put keeps a dead buffer. Buffers whose capacity exceeds their length
// (possibly views into larger storage) are left to the garbage collector.
func (p *bufferPool) put(b []float32) {
	n := len(b)
	if n < poolMinLen || cap(b) != n {
		return
	}
	c := poolClass(n)
	p.Lock()
	defer p.Unlock()
	p.lastUse[c] = p.gen
	if len(p.free[c]) >= poolPerSize || p.bytes+int64(n)*4 > poolMaxBytes {
		return
	}
	p.free[c] = append(p.free[c], b)
	p.bytes += int64(n) * 4
}

// endGeneration closes a generation (one backward pass) and drops the
// buffers of classes not requested or returned during it, which the next
// steps are unlikely to ask for.
func (p *bufferPool) endGeneration() {
	p.Lock()
	defer p.Unlock()
	p.gen++
	for c, g := range p.lastUse {
		if g+1 >= p.gen {
			continue
		}
		for _, b := range p.free[c] {
			p.bytes -= int64(len(b)) * 4
		}
		delete(p.free, c)
		delete(p.lastUse, c)
	}
}

// clear drops every pooled buffer.
func (p *bufferPool) clear() {
	p.Lock()
	p.free = map[int][][]float32{}
	p.lastUse = map[int]uint64{}
	p.bytes = 0
	p.Unlock()
}

// held reports the bytes held.
func (p *bufferPool) held() int64 {
	p.Lock()
	defer p.Unlock()
	return p.bytes
}

// classes reports how many size classes hold buffers.
func (p *bufferPool) classes() int {
	p.Lock()
	defer p.Unlock()
	return len(p.free)
}
