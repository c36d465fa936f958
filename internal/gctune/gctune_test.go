package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	p := Policy{Headroom: 256 << 20, MinPercent: 10, MaxPercent: 100}
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 100}, {10 << 20, 100}, {256 << 20, 100}, {512 << 20, 50}, {1 << 30, 25}, {4 << 30, 10}, {64 << 30, 10},
	} {
		if got := p.Percent(c.live); got != c.want {
			t.Errorf("Percent(%d MiB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// Start sets the target at once and again after collections.
func TestStartFollowsCollections(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	// A tiny headroom makes the small test heap ask for the minimum (the
	// live heap is known after a first collection).
	runtime.GC()
	Start(Policy{Headroom: 1, MinPercent: 17, MaxPercent: 90})
	before, pc := State()
	if pc != 17 {
		t.Fatalf("percent after Start = %d, want 17", pc)
	}
	if got := debug.SetGCPercent(17); got != 17 {
		t.Fatalf("runtime GOGC = %d, want 17", got)
	}
	// Finalizers run on their own goroutine after a collection: wait for
	// the update (up to 5 s on a loaded machine).
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		if after, _ := State(); after > before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no update within 5 s of collections (%d updates before)", before)
		}
		time.Sleep(5 * time.Millisecond)
	}
	Start(Policy{Headroom: 1 << 40, MinPercent: 10, MaxPercent: 60})
	if _, pc := State(); pc != 60 {
		t.Errorf("percent after the second Start = %d, want 60", pc)
	}
}
