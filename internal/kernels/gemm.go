package kernels

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, where
// op(A) is m×k and op(B) is k×n. With transA false, A is m×k with row stride
// lda; with transA true, A is k×m (so op(A) = Aᵀ). Likewise for B (k×n, or n×k
// when transB). C is m×n with row stride ldc. When beta is 0, C is not read
// (NaNs in C do not propagate). The work is split over the worker pool.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("Gemm", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if useGemv(transA, transB, m, n, k) {
		gemvT(n, k, alpha, a, b, ldb, beta, c)
		return
	}
	gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmBatched runs batch independent Gemm calls. Matrix i of A starts at
// a[i*strideA] (strideA 0 reuses one matrix for every batch item), and
// likewise for B and C. C matrices must not overlap.
func GemmBatched(transA, transB bool, batch, m, n, k int, alpha float32,
	a []float32, lda, strideA int, b []float32, ldb, strideB int,
	beta float32, c []float32, ldc, strideC int) {
	if batch <= 0 || m == 0 || n == 0 {
		return
	}
	last := batch - 1
	checkGemm("GemmBatched", transA, transB, m, n, k,
		a[last*strideA:], lda, b[last*strideB:], ldb, c[last*strideC:], ldc)
	gemmBatched(transA, transB, batch, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC)
}

func checkGemm(op string, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels.%s: negative size m=%d n=%d k=%d", op, m, n, k))
	}
	need := func(name string, s []float32, rows, cols, ld int) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < cols {
			panic(fmt.Sprintf("kernels.%s: %s is %dx%d but its row stride is %d", op, name, rows, cols, ld))
		}
		if len(s) < (rows-1)*ld+cols {
			panic(fmt.Sprintf("kernels.%s: %s is %dx%d (stride %d) but has only %d elements", op, name, rows, cols, ld, len(s)))
		}
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	need("A", a, ar, ac, lda)
	need("B", b, br, bc, ldb)
	need("C", c, m, n, ldc)
}

// GemmRef is the plain-Go reference GEMM: each C element is a sum over p in
// increasing order, then C = alpha·sum + beta·C. It runs on the calling
// goroutine. Accelerated kernels are tested against it.
func GemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("GemmRef", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemmRefRows(transA, transB, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmRefRows computes rows [i0, i1) of C with the reference loop.
func gemmRefRows(transA, transB bool, i0, i1, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	acc := make([]float32, n)
	for i := i0; i < i1; i++ {
		for j := range acc {
			acc[j] = 0
		}
		for p := 0; p < k; p++ {
			var av float32
			if transA {
				av = a[p*lda+i]
			} else {
				av = a[i*lda+p]
			}
			if transB {
				for j := 0; j < n; j++ {
					acc[j] += av * b[j*ldb+p]
				}
			} else {
				brow := b[p*ldb : p*ldb+n]
				for j, bv := range brow {
					acc[j] += av * bv
				}
			}
		}
		crow := c[i*ldc : i*ldc+n]
		if beta == 0 {
			for j := range crow {
				crow[j] = alpha * acc[j]
			}
		} else {
			for j := range crow {
				crow[j] = alpha*acc[j] + beta*crow[j]
			}
		}
	}
}

// gemmGenericParallel splits the reference over the worker pool by rows.
func gemmGenericParallel(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	grain := 1 + (1<<16)/(n*k+1)
	ParallelFor(m, grain, func(lo, hi int) {
		gemmRefRows(transA, transB, lo, hi, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	})
}

func gemmBatchedGeneric(transA, transB bool, batch, m, n, k int, alpha float32,
	a []float32, lda, strideA int, b []float32, ldb, strideB int,
	beta float32, c []float32, ldc, strideC int) {
	grain := 1 + (1<<16)/(m*n*k+1)
	ParallelFor(batch, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gemmRefRows(transA, transB, 0, m, n, k, alpha, a[i*strideA:], lda, b[i*strideB:], ldb, beta, c[i*strideC:], ldc)
		}
	})
}
