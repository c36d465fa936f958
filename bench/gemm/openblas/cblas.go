//go:build openblas

package main

// #cgo LDFLAGS: -lopenblas
// #include <cblas.h>
import "C"

import (
	"unsafe"

	"github.com/vlmtune/vlmtune/bench/gemmbench"
)

// sgemm computes C = op(A)·op(B) with cblas_sgemm on row-major operands.
func sgemm(o *gemmbench.Operands) {
	ta, tb := C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans), C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans)
	if o.TransA {
		ta = C.CblasTrans
	}
	if o.TransB {
		tb = C.CblasTrans
	}
	C.cblas_sgemm(C.CblasRowMajor, ta, tb, C.blasint(o.M), C.blasint(o.N), C.blasint(o.K), 1,
		(*C.float)(unsafe.Pointer(&o.A[0])), C.blasint(o.LDA),
		(*C.float)(unsafe.Pointer(&o.B[0])), C.blasint(o.LDB), 0,
		(*C.float)(unsafe.Pointer(&o.C[0])), C.blasint(o.LDC))
}

// threads reports OpenBLAS's thread count (OPENBLAS_NUM_THREADS).
func threads() int { return int(C.openblas_get_num_threads()) }
