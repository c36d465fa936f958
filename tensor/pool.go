package tensor

import "sync"

// The buffer pool recycles the float32 storage the engine knows to be
// dead: gradients of intermediate tensors once backward has propagated
// them, and scratch buffers of ops. Training repeats the same shapes step
// after step, so buffers are kept by exact length. Forward activations
// are not pooled (a caller may still hold them); the garbage collector
// reclaims those.
var pool = struct {
	sync.Mutex
	free  map[int][][]float32
	bytes int64
}{free: map[int][][]float32{}}

// Bounds of the pool: buffers per length and total bytes held.
const (
	poolPerSize  = 32
	poolMaxBytes = 4 << 30
)

// getPooled returns a zeroed buffer of n floats from the pool, or nil.
func getPooled(n int) []float32 {
	if n < poolMinLen {
		return nil
	}
	pool.Lock()
	list := pool.free[n]
	if len(list) == 0 {
		pool.Unlock()
		return nil
	}
	b := list[len(list)-1]
	pool.free[n] = list[:len(list)-1]
	pool.bytes -= int64(n) * 4
	pool.Unlock()
	clear(b)
	return b
}

// poolMinLen is the smallest buffer worth pooling.
const poolMinLen = 1024

// release gives a buffer the engine owns back to the pool. The caller
// must guarantee that nothing references it any more.
func release(b []float32) {
	n := len(b)
	if n < poolMinLen || cap(b) != n || tracking() {
		return
	}
	pool.Lock()
	defer pool.Unlock()
	if len(pool.free[n]) >= poolPerSize || pool.bytes+int64(n)*4 > poolMaxBytes {
		return
	}
	pool.free[n] = append(pool.free[n], b)
	pool.bytes += int64(n) * 4
}

// FreePool drops every pooled buffer (for the garbage collector to
// reclaim), e.g. after training, before inference on other shapes.
func FreePool() {
	pool.Lock()
	pool.free = map[int][][]float32{}
	pool.bytes = 0
	pool.Unlock()
}

// PooledBytes reports the bytes held by the buffer pool.
func PooledBytes() int64 {
	pool.Lock()
	defer pool.Unlock()
	return pool.bytes
}
