// Package gctune sets the garbage collector's target from the live heap:
// the heap may grow by a fixed headroom (not by a fixed fraction) before
// the next collection, within a minimum and a maximum percentage.
//
// Go's default (GOGC=100) lets the heap double before collecting, which
// for a model of several GiB means several GiB of resident memory beyond
// what is live; a low fixed target (10%) keeps big models close to their
// live size but makes a small model collect after every few megabytes,
// which halved the speed of the built-in default run. A fixed headroom
// gives each its due: small heaps collect at the maximum percentage, big
// ones at the minimum.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Policy bounds the collector's target.
type Policy struct {
	Headroom   uint64 // bytes the heap may grow beyond the live heap
	MinPercent int    // lowest GOGC percentage
	MaxPercent int    // highest GOGC percentage
}

// Default: 128 MiB of headroom, between 10% and 100%.
var Default = Policy{Headroom: 128 << 20, MinPercent: 10, MaxPercent: 100}

// Inference is the policy of commands that only run a model (text
// generation): their garbage per step is small next to the weights, so the
// heap may grow by 64 MiB beyond the live heap whatever its size, which
// keeps a 4 GiB model within a few percent of its weights.
var Inference = Policy{Headroom: 64 << 20, MinPercent: 1, MaxPercent: 100}

// Percent returns the GOGC percentage for a live heap of live bytes (0,
// before the first collection has measured it: the maximum).
func (p Policy) Percent(live uint64) int {
	if live == 0 {
		return p.MaxPercent
	}
	pc := p.Headroom * 100 / live
	switch {
	case pc < uint64(p.MinPercent):
		return p.MinPercent
	case pc > uint64(p.MaxPercent):
		return p.MaxPercent
	}
	return int(pc)
}

var (
	mu      sync.Mutex
	active  *Policy
	cycles  int
	current int
)

// Start applies p now and after every garbage collection. It may be
// called again to change the policy.
func Start(p Policy) {
	mu.Lock()
	first := active == nil
	active = &p
	mu.Unlock()
	update()
	if first {
		arm()
	}
}

// arm registers a finalizer on a fresh object: it runs after the next
// collection, updates the target and arms again.
func arm() {
	sentinel := new([16]byte)
	runtime.SetFinalizer(sentinel, func(*[16]byte) {
		update()
		arm()
	})
}

func update() {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	var live uint64
	if sample[0].Value.Kind() == metrics.KindUint64 {
		live = sample[0].Value.Uint64()
	}
	mu.Lock()
	defer mu.Unlock()
	if active == nil {
		return
	}
	pc := active.Percent(live)
	cycles++
	if pc != current {
		current = pc
		debug.SetGCPercent(pc)
	}
}

// State reports how many times the target was updated and its current
// percentage.
func State() (updates, percent int) {
	mu.Lock()
	defer mu.Unlock()
	return cycles, current
}
