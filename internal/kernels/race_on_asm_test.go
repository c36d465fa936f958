//go:build race

package kernels

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// the no-allocation tests do not apply.
const raceEnabled = true
