//go:build !openblas

// Package openblas is built only with -tags openblas (it needs cgo and
// Debian's libopenblas-dev): a command that measures OpenBLAS's
// cblas_sgemm at the shapes of bench/gemmbench, for bench/gemm/run.sh.
package openblas
