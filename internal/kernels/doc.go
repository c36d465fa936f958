// Package kernels holds every arithmetic loop of the vlmtune engine: matrix
// products (GEMM), fused memory-bound kernels (softmax, normalisation,
// activations, optimiser updates) and the worker pool that runs them in
// parallel.
//
// Every kernel has a plain-Go reference implementation. Architecture-specific
// versions (Go assembly, AVX-512 and AVX2 on amd64) are selected at run time
// and are tested against the reference on odd, unaligned sizes; building with
// `-tags noasm` uses only the reference code.
//
// The path is chosen at start-up from the CPU's features (CPUPath): avx512,
// avx2 or generic. The environment variable VLMTUNE_CPU=avx2 or
// VLMTUNE_CPU=generic forces a lower path (tests and comparisons); a value
// the CPU cannot run falls back to the best supported path.
//
// Slices are row-major float32. Kernels never allocate in steady state and
// never keep references to their arguments. Work is split by shape, never by
// timing, so results are bit-identical from run to run for a given worker
// count; most kernels are bit-identical across worker counts as well, because
// each output element is computed by exactly one worker in a fixed order.
package kernels
