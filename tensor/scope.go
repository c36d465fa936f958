package tensor

// Scope is the context a caller runs tensor operations in: whether they
// record a graph for backward, and the buffer pool through which their
// scratch memory and dead gradients are recycled. Scopes belong to the
// caller, not to the process: a trainer keeps one for its run, a server
// one per request or worker, and neither affects the other.
//
// A tensor belongs to the scope of the operation that produced it, which
// an operation takes from its inputs: a no-grad scope among them wins
// (nothing is recorded, and the result belongs to it), otherwise the
// first scope found. Tensors made outside any scope (parameters, Zeros,
// FromSlice, Wrap, Detach) belong to none; operations on them alone
// behave as in a recording scope without a pool. Data enters a scope
// through In (tensors) and Embedding (token ids), and a result leaves it
// with Detach.
//
// A tensor computed in a no-grad scope never joins a graph: combining it
// with a tensor that records one yields an unrecorded result, so a loss
// built from it does not require a gradient and its Backward panics
// saying so (as does a checkpointed function that used one). Detach it to
// use it as a constant.
//
// Operations on parameters alone (a logit scale's exp, a slice of a
// position table) belong to no scope: they record as usual, and their
// results join the caller's scope when combined with its tensors; in a
// no-grad computation those small graphs are simply dropped.
//
// The nil *Scope is valid: it records gradients, pools nothing and keeps
// no memory accounting.
type Scope struct {
	grad bool
	pool *bufferPool // shared with the scope's NoGrad children
	mem  *memAccount // likewise
}

// NewScope returns a scope that records gradients, with its own buffer
// pool.
func NewScope() *Scope {
	return &Scope{grad: true, pool: newBufferPool(), mem: &memAccount{}}
}

// NewInferenceScope returns a scope with its own buffer pool in which
// operations record nothing.
func NewInferenceScope() *Scope { return NewScope().NoGrad() }

// NoGrad returns a scope sharing s's buffer pool in which operations
// record nothing (evaluation during training). For a nil s it returns a
// no-grad scope without a pool.
func (s *Scope) NoGrad() *Scope {
	if s == nil {
		return &Scope{mem: &memAccount{}}
	}
	return &Scope{pool: s.pool, mem: s.mem}
}

// GradEnabled reports whether operations in s record a graph.
func (s *Scope) GradEnabled() bool { return s == nil || s.grad }

// Scope returns the scope t belongs to (nil: none).
func (t *Tensor) Scope() *Scope { return t.scope }

// Records reports whether operations on t record a graph: t belongs to no
// scope or to one that records.
func (t *Tensor) Records() bool { return t.scope.GradEnabled() }

// In returns t as an input of s: a tensor sharing t's data that belongs to
// s. When s records and t requires a gradient, the gradient flows back
// into t.
func (s *Scope) In(t *Tensor) *Tensor {
	if t.scope == s {
		return t
	}
	out := &Tensor{shape: append([]int(nil), t.shape...), data: t.data}
	if n := s.record(out, "In", t); n != nil {
		n.backward = func(g []float32) { addGrad(t, g, false) }
	}
	out.scope = s
	return out
}

// scopeOf returns the scope an operation on the inputs runs in: the first
// no-grad scope among them, else the first scope, else nil.
func scopeOf(inputs ...*Tensor) *Scope {
	var first *Scope
	for _, in := range inputs {
		if in == nil || in.scope == nil {
			continue
		}
		if !in.scope.grad {
			return in.scope
		}
		if first == nil {
			first = in.scope
		}
	}
	return first
}

// join returns the scope of an operation whose inputs belong to a and b,
// by scopeOf's rule.
func join(a, b *Scope) *Scope {
	switch {
	case a != nil && !a.grad:
		return a
	case b != nil && !b.grad:
		return b
	case a != nil:
		return a
	}
	return b
}

// newTensor allocates a zero tensor of the given shape in s (the shape
// slice is copied).
func (s *Scope) newTensor(shape []int) *Tensor {
	sh := append([]int(nil), shape...)
	return &Tensor{shape: sh, data: s.alloc(numel(sh)), scope: s}
}

// wrap makes a tensor of s over existing data without copying.
func (s *Scope) wrap(data []float32, shape []int) *Tensor {
	t := wrap(data, shape)
	t.scope = s
	return t
}

// alloc returns n zeroed floats, recycled from s's pool when it can.
func (s *Scope) alloc(n int) []float32 { return s.allocate(n, true) }

// allocUninit is alloc for a caller that overwrites every element before
// reading any: a recycled buffer is not cleared first.
func (s *Scope) allocUninit(n int) []float32 { return s.allocate(n, false) }

func (s *Scope) allocate(n int, zero bool) []float32 {
	if n == 0 {
		return []float32{}
	}
	if s == nil || s.pool == nil {
		return make([]float32, n)
	}
	if !s.mem.isTracking() {
		if d := s.pool.get(n, zero); d != nil {
			return d
		}
	}
	d := make([]float32, n)
	s.mem.account(d)
	return d
}

// release gives a buffer the engine owns back to s's pool. The caller
// must guarantee that nothing references it any more.
func (s *Scope) release(b []float32) {
	if s == nil || s.pool == nil || s.mem.isTracking() {
		return
	}
	s.pool.put(b)
}

// FreePool drops every pooled buffer of s (for the garbage collector to
// reclaim), e.g. after training, before inference on other shapes.
func (s *Scope) FreePool() {
	if s != nil && s.pool != nil {
		s.pool.clear()
	}
}

// PooledBytes reports the bytes held by s's buffer pool.
func (s *Scope) PooledBytes() int64 {
	if s == nil || s.pool == nil {
		return 0
	}
	return s.pool.held()
}
