//go:build !amd64 || noasm

package kernels

// fmaProbe: without assembly there is no FMA loop to measure.
func fmaProbe() (func(n int), float64) { return nil, 0 }
