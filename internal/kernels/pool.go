package kernels

import (
	"runtime"
	"sync"
)

// pool is the engine's single worker pool. It is sized to GOMAXPROCS when
// first used and can be resized with SetWorkers at any time: a resize
// starts a new set of workers, and the old set's channel is closed (ending
// its goroutines) only when the last ParallelFor that took it has
// finished, so calls running meanwhile are unaffected.
type pool struct {
	mu  sync.Mutex
	cur *workerSet
}

// workerSet is one generation of the pool: its helpers and task queue,
// with the number of ParallelFor calls using it.
type workerSet struct {
	workers int
	tasks   chan task
	users   int
	retired bool
}

type task struct {
	fn     func(lo, hi int)
	lo, hi int
	wg     *sync.WaitGroup
}

var thePool = &pool{}

// waitGroups recycles the WaitGroups of ParallelFor calls, so that a call
// allocates nothing in steady state.
var waitGroups = sync.Pool{New: func() any { return new(sync.WaitGroup) }}

// Workers reports how many goroutines the worker pool runs work on.
func Workers() int {
	thePool.mu.Lock()
	defer thePool.mu.Unlock()
	return thePool.ensureLocked().workers
}

// SetWorkers resizes the worker pool to n goroutines (n < 1 means
// GOMAXPROCS). It is safe while kernels run in other goroutines: they
// finish on the workers they started with. The pool is shared by the
// whole process, so its size is the process's choice (the trainer sets it
// from training.threads).
func SetWorkers(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	thePool.mu.Lock()
	defer thePool.mu.Unlock()
	if old := thePool.cur; old != nil {
		old.retired = true
		if old.users == 0 {
			close(old.tasks)
		}
	}
	thePool.cur = newWorkerSet(n)
}

func (p *pool) ensureLocked() *workerSet {
	if p.cur == nil {
		p.cur = newWorkerSet(runtime.GOMAXPROCS(0))
	}
	return p.cur
}

// acquire returns the current worker set, counted as in use.
func (p *pool) acquire() *workerSet {
	p.mu.Lock()
	defer p.mu.Unlock()
	ws := p.ensureLocked()
	ws.users++
	return ws
}

// release ends a use of ws, closing a retired set's queue after its last
// user.
func (p *pool) release(ws *workerSet) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ws.users--
	if ws.retired && ws.users == 0 {
		close(ws.tasks)
	}
}

func newWorkerSet(n int) *workerSet {
	ws := &workerSet{workers: n, tasks: make(chan task, 64*n)}
	// The calling goroutine always runs one share itself, so n-1 helpers.
	for i := 0; i < n-1; i++ {
		go func(tasks chan task) {
			for t := range tasks {
				t.fn(t.lo, t.hi)
				t.wg.Done()
			}
		}(ws.tasks)
	}
	return ws
}

// ParallelFor splits [0, n) into at most Workers() contiguous chunks of at
// least grain items and runs fn on each chunk, returning when all are done.
// The split depends only on n, grain and the worker count. fn must write
// disjoint outputs for disjoint ranges.
func ParallelFor(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	ws := thePool.acquire()
	defer thePool.release(ws)
	workers, tasks := ws.workers, ws.tasks

	chunks := (n + grain - 1) / grain
	if chunks > workers {
		chunks = workers
	}
	if chunks <= 1 {
		fn(0, n)
		return
	}
	wg := waitGroups.Get().(*sync.WaitGroup)
	defer waitGroups.Put(wg)
	wg.Add(chunks - 1)
	base, extra := n/chunks, n%chunks
	lo := 0
	bounds := func(i int) (int, int) {
		size := base
		if i < extra {
			size++
		}
		l := lo
		lo += size
		return l, lo
	}
	l0, h0 := bounds(0)
	for i := 1; i < chunks; i++ {
		l, h := bounds(i)
		tasks <- task{fn: fn, lo: l, hi: h, wg: wg}
	}
	fn(l0, h0)
	// Help with queued work while waiting, so that a ParallelFor nested in
	// a worker, or several callers at once, cannot starve the pool.
	for {
		select {
		case t := <-tasks:
			t.fn(t.lo, t.hi)
			t.wg.Done()
			continue
		default:
		}
		break
	}
	wg.Wait()
}

// ParallelChunks runs fn(chunk, lo, hi) for fixed-size chunks of [0, n):
// chunk i covers [i*size, min((i+1)*size, n)). The chunking does not depend
// on the worker count, so a caller that reduces per-chunk partial results in
// chunk order gets bit-identical results for any number of workers.
func ParallelChunks(n, size int, fn func(chunk, lo, hi int)) {
	if n <= 0 {
		return
	}
	if size < 1 {
		size = 1
	}
	chunks := (n + size - 1) / size
	ParallelFor(chunks, 1, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			lo, hi := c*size, (c+1)*size
			if hi > n {
				hi = n
			}
			fn(c, lo, hi)
		}
	})
}
