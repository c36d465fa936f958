package kernels

import "sync"

// call carries one exported kernel call's arguments to the worker pool.
// A closure over the arguments would be allocated on every call (it
// escapes into the pool's queue); a call is taken from a pool instead, its
// body is a plain function that reads the arguments from the call, and the
// method values run and runChunks are bound once per pooled call, so a
// steady-state kernel call allocates nothing.
//
// The fields are a union: each body documents which ones it reads.
type call struct {
	body      func(c *call, lo, hi int)        // ParallelFor body
	chunkBody func(c *call, chunk, lo, hi int) // ParallelChunks body

	s          [6][]float32 // slice arguments
	partial    []float64    // per-chunk partial results (kept between uses)
	rows, cols int          // row-wise kernels; chunk size for chunked ones
	n          int          // element count of chunked kernels
	i          [2]int       // other integer arguments
	f          [3]float32   // scalar arguments
	act        Activation
	op         BinaryOp
	flag       [2]bool
	adam       AdamWParams

	run       func(lo, hi int)
	runChunks func(lo, hi int)
}

var calls = sync.Pool{New: func() any {
	c := &call{}
	c.run = c.exec
	c.runChunks = c.execChunks
	return c
}}

func (c *call) exec(lo, hi int) { c.body(c, lo, hi) }

func (c *call) execChunks(c0, c1 int) {
	for ch := c0; ch < c1; ch++ {
		lo := ch * c.cols
		c.chunkBody(c, ch, lo, min(lo+c.cols, c.n))
	}
}

// newCall returns a pooled call running body.
func newCall(body func(c *call, lo, hi int)) *call {
	c := calls.Get().(*call)
	c.body = body
	return c
}

// parallelFor runs the call's body over [0, n) like ParallelFor and
// returns the call to the pool.
func (c *call) parallelFor(n, grain int) {
	ParallelFor(n, grain, c.run)
	c.release()
}

// newChunkCall returns a pooled call that runs body on fixed-size chunks
// of [0, n), chunk i covering [i·size, min((i+1)·size, n)), like
// ParallelChunks. Start it with parallelChunks; the caller releases it
// after reading the partial results.
func newChunkCall(n, size int, body func(c *call, chunk, lo, hi int)) *call {
	c := calls.Get().(*call)
	c.chunkBody, c.n, c.cols = body, n, size
	return c
}

// chunks is the number of chunks of a chunked call.
func (c *call) chunks() int { return (c.n + c.cols - 1) / c.cols }

// parallelChunks runs the chunk body over every chunk.
func (c *call) parallelChunks() {
	ParallelFor(c.chunks(), 1, c.runChunks)
}

// partials returns the call's float64 partial-result buffer, zeroed, with
// one entry per chunk.
func (c *call) partials() []float64 {
	k := c.chunks()
	if cap(c.partial) < k {
		c.partial = make([]float64, k)
	}
	c.partial = c.partial[:k]
	clear(c.partial)
	return c.partial
}

// release drops the call's references to the caller's memory and returns
// it to the pool.
func (c *call) release() {
	c.body, c.chunkBody = nil, nil
	c.s = [6][]float32{}
	calls.Put(c)
}

// ceilDiv returns ⌈a/b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int) int { return (a + b - 1) / b }
