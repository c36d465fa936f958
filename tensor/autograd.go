package tensor

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// node is one recorded operation: the inputs it differentiates into and
// the function that, given the gradient of its output, adds the gradients
// of its inputs. Its closure holds the activations saved for backward;
// they are released as soon as the node has run.
type node struct {
	op       string
	id       uint64 // creation order; backward runs nodes in decreasing id
	inputs   []*Tensor
	out      *Tensor
	backward func(g []float32)
	consumed bool
}

// nodeSeq numbers recorded operations. It is a logical clock, not state
// that results depend on: each graph's nodes are numbered in the order its
// goroutine created them, whatever other goroutines record meanwhile, so
// backward runs them in the same order.
var nodeSeq atomic.Uint64

// RequiresGrad reports whether a gradient is computed for t: it is a leaf
// marked with SetRequiresGrad, or the result of a recorded operation.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// SetRequiresGrad marks a leaf tensor (a parameter) as needing a gradient
// and returns it. It panics on a tensor produced by a recorded operation.
func (t *Tensor) SetRequiresGrad(on bool) *Tensor {
	if t.node != nil {
		panic(fmt.Sprintf("tensor.SetRequiresGrad: %v is the result of %s, not a leaf; use Detach first", t.shape, t.node.op))
	}
	t.requiresGrad = on
	return t
}

// IsLeaf reports whether t was not produced by a recorded operation.
func (t *Tensor) IsLeaf() bool { return t.node == nil }

// RetainGrad keeps the gradient of a non-leaf tensor after Backward
// (normally freed as soon as it has been propagated).
func (t *Tensor) RetainGrad() *Tensor { t.retainGrad = true; return t }

// Grad returns the accumulated gradient, or nil when none has been
// computed.
func (t *Tensor) Grad() *Tensor { return t.grad }

// ZeroGrad sets an existing gradient to zero, keeping its storage.
func (t *Tensor) ZeroGrad() {
	if t.grad != nil {
		clear(t.grad.data)
	}
}

// ClearGrad frees the gradient.
func (t *Tensor) ClearGrad() { t.grad = nil }

// record puts out in scope s and, when s records and any input requires a
// gradient, attaches a node to it. It returns the node, or nil; ops call
// it before building their backward closure, so that nothing is saved
// otherwise.
func (s *Scope) record(out *Tensor, op string, inputs ...*Tensor) *node {
	out.scope = s
	if !s.GradEnabled() {
		return nil
	}
	need := false
	for _, in := range inputs {
		if in != nil && in.requiresGrad {
			need = true
			break
		}
	}
	if !need {
		return nil
	}
	n := &node{op: op, id: nodeSeq.Add(1), inputs: inputs, out: out}
	out.node = n
	out.requiresGrad = true
	return n
}

// gradBuf returns t's gradient storage for accumulation, allocating a zero
// gradient when none exists; fresh reports whether it was just created
// (callers may then overwrite instead of add).
func gradBuf(t *Tensor) (buf []float32, fresh bool) {
	if t.grad == nil {
		t.grad = t.scope.newTensor(t.shape)
		return t.grad.data, true
	}
	return t.grad.data, false
}

// addGrad adds g into t's gradient. When t has no gradient yet and owned
// is true, g becomes the gradient without a copy.
func addGrad(t *Tensor, g []float32, owned bool) {
	if !t.requiresGrad {
		return
	}
	if len(g) != len(t.data) {
		panic(fmt.Sprintf("tensor: internal error: gradient of %d elements for tensor %v", len(g), t.shape))
	}
	if t.grad == nil {
		if owned {
			t.grad = t.scope.wrap(g, t.shape)
		} else {
			t.grad = t.scope.newTensor(t.shape)
			copy(t.grad.data, g)
		}
		return
	}
	d := t.grad.data
	kernels.ParallelBinary(kernels.OpAdd, d, d, 1, g, 1, len(d))
}

// Backward computes the gradient of t, which must hold a single element,
// with respect to every tensor that requires one, accumulating into their
// Grad. The graph behind t is freed as it is consumed.
func (t *Tensor) Backward() {
	if len(t.data) != 1 {
		panic(fmt.Sprintf("tensor.Backward: called on a tensor of shape %v; Backward needs a single-element loss (use BackwardWith for others)", t.shape))
	}
	t.BackwardWith(Ones(t.shape...))
}

// BackwardWith runs backward from t with the given output gradient (same
// shape as t).
func (t *Tensor) BackwardWith(grad *Tensor) {
	if !SameShape(grad.shape, t.shape) {
		panic(fmt.Sprintf("tensor.BackwardWith: gradient shape %v differs from tensor shape %v", grad.shape, t.shape))
	}
	if !t.requiresGrad {
		panic(fmt.Sprintf("tensor.Backward: tensor %v does not require a gradient (no input requires one, or it was computed in a no-grad scope or from a tensor of one)", t.shape))
	}
	runBackward(t, grad.data, 0)
	if s := t.scope; s != nil && s.pool != nil {
		s.pool.endGeneration()
	}
}

// runBackward propagates from root through every reachable node with an id
// greater than minID (0: all). Nodes are run in decreasing creation order,
// which is a valid reverse topological order and the same for any
// traversal, so accumulation order, and thus the result, is deterministic.
func runBackward(root *Tensor, grad []float32, minID uint64) {
	addGrad(root, grad, false)
	if root.node == nil {
		return
	}
	var order []*node
	seen := map[*node]bool{root.node: true}
	stack := []*node{root.node}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.consumed {
			panic(fmt.Sprintf("tensor.Backward: the graph through %s (output %v) was already freed by an earlier Backward; run the forward pass again", n.op, n.out.shape))
		}
		order = append(order, n)
		for _, in := range n.inputs {
			if in == nil || in.node == nil || seen[in.node] {
				continue
			}
			if in.node.id <= minID {
				panic(fmt.Sprintf("tensor.Checkpoint: the checkpointed function used a non-leaf tensor %v produced outside it (by %s); pass it as an input", in.shape, in.node.op))
			}
			seen[in.node] = true
			stack = append(stack, in.node)
		}
	}
	slices.SortFunc(order, func(a, b *node) int {
		switch {
		case a.id > b.id:
			return -1
		case a.id < b.id:
			return 1
		}
		return 0
	})
	for _, n := range order {
		out := n.out
		if out.grad != nil {
			n.backward(out.grad.data)
		}
		n.backward = nil
		n.inputs = nil
		n.consumed = true
		if !out.retainGrad && out != root && out.grad != nil {
			// The engine created this gradient and nothing else can hold
			// it (non-leaf gradients are only visible with RetainGrad).
			out.scope.release(out.grad.data)
			out.grad = nil
		}
		if s := out.scope; s != nil && s.mem != nil {
			s.mem.sample()
		}
	}
}
