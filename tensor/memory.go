package tensor

import (
	"runtime"
	"sync"
	"sync/atomic"
	"weak"
)

// MemStats reports a scope's tensor memory use in bytes of float32
// storage: what operations in the scope (and its NoGrad children)
// allocated outside the buffer pool.
type MemStats struct {
	// AllocatedBytes is the total ever allocated for tensor data.
	AllocatedBytes int64
	// LiveBytes is the storage not yet garbage collected. Outside
	// TrackMemory it is updated when the collector frees storage, so it
	// lags behind reachability; under TrackMemory it is exact.
	LiveBytes int64
	// PeakLiveBytes is the largest LiveBytes seen. Under TrackMemory it is
	// the peak of exact reachable bytes, sampled at every allocation and
	// after every backward node.
	PeakLiveBytes int64
}

// memAccount is a scope's memory accounting.
type memAccount struct {
	allocated, live, peak atomic.Int64

	// Exact tracking (tests and diagnostics): every storage is registered
	// with a weak pointer; samples force a collection and sum what is
	// still reachable.
	mu       sync.Mutex
	tracking bool
	entries  []memEntry
	exact    int64
	exactMax int64
}

type memEntry struct {
	p     weak.Pointer[float32]
	bytes int64
}

// MemStats returns s's counters (zero for a nil scope).
func (s *Scope) MemStats() MemStats {
	if s == nil || s.mem == nil {
		return MemStats{}
	}
	a := s.mem
	a.mu.Lock()
	tracking, exact, exactMax := a.tracking, a.exact, a.exactMax
	a.mu.Unlock()
	if tracking {
		return MemStats{AllocatedBytes: a.allocated.Load(), LiveBytes: exact, PeakLiveBytes: exactMax}
	}
	return MemStats{AllocatedBytes: a.allocated.Load(), LiveBytes: a.live.Load(), PeakLiveBytes: a.peak.Load()}
}

// ResetPeak sets s's peak to its current live bytes.
func (s *Scope) ResetPeak() {
	if s == nil || s.mem == nil {
		return
	}
	a := s.mem
	a.peak.Store(a.live.Load())
	a.mu.Lock()
	a.exactMax = a.exact
	a.mu.Unlock()
}

// TrackMemory runs fn with exact live-byte accounting of s's storage: at
// every allocation in s and after every backward node the engine forces a
// garbage collection and sums the storage that is still reachable (s's
// pool is bypassed meanwhile). It is slow (a collection per sample) and
// meant for tests and memory diagnostics. It returns the peak and final
// live bytes of storage allocated in s inside fn. s must not be nil (the
// nil scope keeps no accounting).
func (s *Scope) TrackMemory(fn func()) (peak, final int64) {
	if s == nil || s.mem == nil {
		panic("tensor.Scope.TrackMemory: the nil scope keeps no memory accounting; track a scope from NewScope")
	}
	a := s.mem
	a.mu.Lock()
	a.tracking = true
	a.entries = a.entries[:0]
	a.exact, a.exactMax = 0, 0
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.tracking = false
		a.entries = nil
		a.mu.Unlock()
	}()
	fn()
	a.sample()
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.exactMax, a.exact
}

func (a *memAccount) isTracking() bool {
	if a == nil {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tracking
}

// account records a fresh allocation.
func (a *memAccount) account(d []float32) {
	bytes := int64(len(d)) * 4
	a.allocated.Add(bytes)
	live := a.live.Add(bytes)
	for {
		p := a.peak.Load()
		if live <= p || a.peak.CompareAndSwap(p, live) {
			break
		}
	}
	runtime.AddCleanup(&d[0], func(b int64) { a.live.Add(-b) }, bytes)
	if a.isTracking() {
		a.mu.Lock()
		a.entries = append(a.entries, memEntry{p: weak.Make(&d[0]), bytes: bytes})
		a.mu.Unlock()
		a.sample()
	}
}

// sample recomputes the exact reachable bytes when tracking.
func (a *memAccount) sample() {
	if !a.isTracking() {
		return
	}
	runtime.GC()
	a.mu.Lock()
	defer a.mu.Unlock()
	var live int64
	kept := a.entries[:0]
	for _, e := range a.entries {
		if e.p.Value() != nil {
			live += e.bytes
			kept = append(kept, e)
		}
	}
	a.entries = kept
	a.exact = live
	if live > a.exactMax {
		a.exactMax = live
	}
}
