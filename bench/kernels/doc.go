// Package kernels holds the Go benchmarks of the fused memory-bound kernels
// of internal/kernels (softmax, LayerNorm, RMSNorm, activations,
// bias+activation, AdamW, axpy, sum) at CLIP ViT-B/32 training shapes and
// at sizes well beyond the last-level cache. Each reports its effective
// bandwidth and its time as a multiple of the time to stream its bytes
// once at the bandwidths measured in the same run (BenchmarkBandwidth):
//
//	go test ./bench/kernels -run XXX -bench . -cpu 2
package kernels
