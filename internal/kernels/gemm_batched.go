//go:build amd64 && !noasm

package kernels

// gemmBatchJob holds one GemmBatched call's arguments for the worker pool.
type gemmBatchJob struct {
	g                         *blockedGemm
	transA, transB            bool
	m, n, k                   int
	alpha, beta               float32
	a, b, c                   []float32
	lda, ldb, ldc             int
	strideA, strideB, strideC int
	fn                        func(lo, hi int)
}

// items computes batch items [lo, hi), each on the calling goroutine.
func (bj *gemmBatchJob) items(lo, hi int) {
	for i := lo; i < hi; i++ {
		bj.g.run(1, bj.transA, bj.transB, bj.m, bj.n, bj.k, bj.alpha,
			bj.a[i*bj.strideA:], bj.lda, bj.b[i*bj.strideB:], bj.ldb,
			bj.beta, bj.c[i*bj.strideC:], bj.ldc)
	}
}

// batched is the dispatch target for GemmBatched. Many or small items run
// in parallel, one item per worker at a time; a few large items each use
// the whole pool. Either way every element's arithmetic is the same.
func (g *blockedGemm) batched(transA, transB bool, batch, m, n, k int, alpha float32,
	a []float32, lda, strideA int, b []float32, ldb, strideB int,
	beta float32, c []float32, ldc, strideC int) {
	workers := Workers()
	size := m * n * k
	perItem := workers == 1 || batch >= 4*workers ||
		(batch >= workers && (batch%workers == 0 || size < 1<<21))
	if !perItem {
		for i := 0; i < batch; i++ {
			g.run(workers, transA, transB, m, n, k, alpha, a[i*strideA:], lda,
				b[i*strideB:], ldb, beta, c[i*strideC:], ldc)
		}
		return
	}
	bj := g.batch.Get().(*gemmBatchJob)
	bj.transA, bj.transB = transA, transB
	bj.m, bj.n, bj.k = m, n, k
	bj.alpha, bj.beta = alpha, beta
	bj.a, bj.b, bj.c = a, b, c
	bj.lda, bj.ldb, bj.ldc = lda, ldb, ldc
	bj.strideA, bj.strideB, bj.strideC = strideA, strideB, strideC
	ParallelFor(batch, 1, bj.fn)
	bj.a, bj.b, bj.c = nil, nil, nil
	g.batch.Put(bj)
}
