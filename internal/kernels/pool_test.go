package kernels

import (
	"sync"
	"testing"
)

// Resizing the pool while other goroutines run kernels is safe: every
// call finishes on the workers it started with, and its result is right.
func TestSetWorkersWhileKernelsRun(t *testing.T) {
	defer SetWorkers(0)
	const n = 1 << 12
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]int32, n)
			for {
				select {
				case <-stop:
					return
				default:
				}
				ParallelFor(n, 16, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						out[i] = int32(i) * 3
					}
				})
				for i, v := range out {
					if v != int32(i)*3 {
						t.Errorf("element %d = %d", i, v)
						return
					}
					out[i] = 0
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		SetWorkers(1 + i%4)
	}
	close(stop)
	wg.Wait()
	if w := Workers(); w != 4 {
		t.Errorf("Workers() = %d after SetWorkers(4)", w)
	}
}
