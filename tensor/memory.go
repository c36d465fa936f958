package tensor

import (
	"runtime"
	"sync"
	"sync/atomic"
	"weak"
)

// MemStats reports the engine's tensor memory use in bytes of float32
// storage.
type MemStats struct {
	// AllocatedBytes is the total ever allocated for tensor data.
	AllocatedBytes int64
	// LiveBytes is the storage not yet garbage collected. Outside
	// profiling it is updated when the collector frees storage, so it lags
	// behind reachability; under TrackMemory it is exact.
	LiveBytes int64
	// PeakLiveBytes is the largest LiveBytes seen. Under TrackMemory it is
	// the peak of exact reachable bytes, sampled at every allocation and
	// after every backward node.
	PeakLiveBytes int64
}

var mem struct {
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

// ReadMemStats returns the current counters.
func ReadMemStats() MemStats {
	mem.mu.Lock()
	tracking, exact, exactMax := mem.tracking, mem.exact, mem.exactMax
	mem.mu.Unlock()
	if tracking {
		return MemStats{AllocatedBytes: mem.allocated.Load(), LiveBytes: exact, PeakLiveBytes: exactMax}
	}
	return MemStats{AllocatedBytes: mem.allocated.Load(), LiveBytes: mem.live.Load(), PeakLiveBytes: mem.peak.Load()}
}

// ResetPeak sets the peak to the current live bytes.
func ResetPeak() {
	mem.peak.Store(mem.live.Load())
	mem.mu.Lock()
	mem.exactMax = mem.exact
	mem.mu.Unlock()
}

// TrackMemory runs fn with exact live-byte accounting: at every tensor
// allocation and after every backward node the engine forces a garbage
// collection and sums the tensor storage that is still reachable. It is
// slow (a collection per sample) and meant for tests and memory
// diagnostics. It returns the peak and final live bytes of storage
// allocated inside fn.
func TrackMemory(fn func()) (peak, final int64) {
	mem.mu.Lock()
	mem.tracking = true
	mem.entries = mem.entries[:0]
	mem.exact, mem.exactMax = 0, 0
	mem.mu.Unlock()
	defer func() {
		mem.mu.Lock()
		mem.tracking = false
		mem.entries = nil
		mem.mu.Unlock()
	}()
	fn()
	sampleMemory()
	mem.mu.Lock()
	defer mem.mu.Unlock()
	return mem.exactMax, mem.exact
}

func tracking() bool {
	mem.mu.Lock()
	defer mem.mu.Unlock()
	return mem.tracking
}

// sampleMemory recomputes the exact reachable bytes when tracking.
func sampleMemory() {
	if !tracking() {
		return
	}
	runtime.GC()
	mem.mu.Lock()
	defer mem.mu.Unlock()
	var live int64
	kept := mem.entries[:0]
	for _, e := range mem.entries {
		if e.p.Value() != nil {
			live += e.bytes
			kept = append(kept, e)
		}
	}
	mem.entries = kept
	mem.exact = live
	if live > mem.exactMax {
		mem.exactMax = live
	}
}

// alloc returns a zeroed float32 slice and accounts for it.
func alloc(n int) []float32 { return allocate(n, true) }

// allocUninit is alloc for a caller that overwrites every element before
// reading any: a recycled buffer is not cleared first.
func allocUninit(n int) []float32 { return allocate(n, false) }

func allocate(n int, zero bool) []float32 {
	if n == 0 {
		return []float32{}
	}
	if d := getPooled(n, zero); d != nil {
		return d
	}
	d := make([]float32, n)
	bytes := int64(n) * 4
	mem.allocated.Add(bytes)
	live := mem.live.Add(bytes)
	for {
		p := mem.peak.Load()
		if live <= p || mem.peak.CompareAndSwap(p, live) {
			break
		}
	}
	runtime.AddCleanup(&d[0], func(b int64) { mem.live.Add(-b) }, bytes)
	if tracking() {
		mem.mu.Lock()
		mem.entries = append(mem.entries, memEntry{p: weak.Make(&d[0]), bytes: bytes})
		mem.mu.Unlock()
		sampleMemory()
	}
	return d
}
