package tensor

import (
	"math"
	"math/bits"
	"sync"
)

// The buffer pool recycles the float32 storage the engine knows to be
// dead: gradients of intermediate tensors once backward has propagated
// them, and scratch buffers of ops. Forward activations are not pooled (a
// caller may still hold them); the garbage collector reclaims those.
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
var pool = struct {
	sync.Mutex
	free    map[int][][]float32 // by class; each buffer's len is its full size
	bytes   int64
	gen     uint64         // completed backward passes
	lastUse map[int]uint64 // generation in which a class was last used
}{free: map[int][][]float32{}, lastUse: map[int]uint64{}}

// Bounds of the pool: buffers per class and total bytes held.
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

// getPooled returns a buffer of n floats from the pool (zeroed when zero
// is set; otherwise holding stale values), or nil.
func getPooled(n int, zero bool) []float32 {
	if n < poolMinLen {
		return nil
	}
	c := poolClass(n)
	pool.Lock()
	pool.lastUse[c] = pool.gen
	for _, k := range [2]int{c, c + 1} {
		list := pool.free[k]
		for i := len(list) - 1; i >= 0; i-- {
			b := list[i]
			if len(b) < n {
				continue
			}
			last := len(list) - 1
			list[i], list[last] = list[last], nil
			pool.free[k] = list[:last]
			pool.bytes -= int64(len(b)) * 4
			pool.lastUse[k] = pool.gen
			pool.Unlock()
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
	if list := pool.free[c]; len(list) > 0 {
		last := len(list) - 1
		pool.bytes -= int64(len(list[last])) * 4
		list[last] = nil
		pool.free[c] = list[:last]
	}
	pool.Unlock()
	return nil
}

// release gives a buffer the engine owns back to the pool. The caller
// must guarantee that nothing references it any more. Buffers whose
// capacity exceeds their length (possibly views into larger storage) are
// left to the garbage collector.
func release(b []float32) {
	n := len(b)
	if n < poolMinLen || cap(b) != n || tracking() {
		return
	}
	c := poolClass(n)
	pool.Lock()
	defer pool.Unlock()
	pool.lastUse[c] = pool.gen
	if len(pool.free[c]) >= poolPerSize || pool.bytes+int64(n)*4 > poolMaxBytes {
		return
	}
	pool.free[c] = append(pool.free[c], b)
	pool.bytes += int64(n) * 4
}

// endPoolGeneration closes a generation (one backward pass) and drops the
// buffers of classes not requested or returned during it, which the next
// steps are unlikely to ask for.
func endPoolGeneration() {
	pool.Lock()
	defer pool.Unlock()
	pool.gen++
	for c, g := range pool.lastUse {
		if g+1 >= pool.gen {
			continue
		}
		for _, b := range pool.free[c] {
			pool.bytes -= int64(len(b)) * 4
		}
		delete(pool.free, c)
		delete(pool.lastUse, c)
	}
}

// FreePool drops every pooled buffer (for the garbage collector to
// reclaim), e.g. after training, before inference on other shapes.
func FreePool() {
	pool.Lock()
	pool.free = map[int][][]float32{}
	pool.lastUse = map[int]uint64{}
	pool.bytes = 0
	pool.Unlock()
}

// PooledBytes reports the bytes held by the buffer pool.
func PooledBytes() int64 {
	pool.Lock()
	defer pool.Unlock()
	return pool.bytes
}
