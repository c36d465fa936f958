// Package gemm holds the Go benchmarks of kernels.Gemm at the shapes of CLIP
// ViT-B/32 training and at 1024³ (see bench/gemmbench), and the
// side-by-side comparison with OpenBLAS and PyTorch (run.sh). It has no
// library code; run it with
//
//	go test ./bench/gemm -run XXX -bench . -cpu 2
package gemm
