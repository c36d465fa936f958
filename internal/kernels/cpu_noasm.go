//go:build !amd64 || noasm

package kernels

// supportedPaths: without assembly only the plain-Go reference exists.
func supportedPaths() []string { return []string{PathGeneric} }
