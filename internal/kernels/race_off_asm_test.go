//go:build !race

package kernels

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
