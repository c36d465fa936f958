package kernels

// The dispatch points for GEMM. The assembly kernels (added by the kernels
// work) replace these at init time when the CPU supports them.
var (
	gemm        = gemmGenericParallel
	gemmBatched = gemmBatchedGeneric
)
