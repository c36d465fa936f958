// Package tensor is vlmtune's tensor engine: float32 tensors with explicit
// shapes, the operations models are built from, and define-by-run
// reverse-mode automatic differentiation.
//
// A Tensor is row-major and contiguous. Operations return new tensors;
// Reshape is the only view (it shares data). When an operation's scope
// records (see Scope: the caller's context for gradient recording and
// buffer reuse, taken from the inputs) and any input requires a gradient,
// it records a node with a backward function; Backward walks the recorded
// nodes in reverse creation order, accumulates gradients into the Grad of
// every tensor that requires one, and frees each node's saved activations
// as soon as its backward has run, recycling dead buffers through the
// scope's pool.
//
// Shapes are given outermost first, like PyTorch ([B, T, C]). Misuse that
// can only be a programming error (mismatched shapes, an axis out of range)
// panics with a message naming the operation and the shapes; anything read
// from a file or given by a user is validated by the caller and returned as
// an error.
//
// The arithmetic lives in internal/kernels; this package decides shapes,
// records the graph and calls the kernels.
package tensor
