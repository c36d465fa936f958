package tensor

import "fmt"

// Checkpoint runs fn on inputs without keeping the activations inside it
// (gradient checkpointing): the forward pass runs in a no-grad scope, and
// during backward fn is run again with recording on and differentiated,
// so a transformer block costs one extra forward in exchange for not
// holding its intermediate tensors. The gradients are the same, bit for
// bit, as without checkpointing, provided fn is deterministic.
//
// fn may use the inputs and leaf tensors (parameters, constants) only; a
// non-leaf tensor from outside must be passed as an input, and a tensor of
// a no-grad scope must be detached first (Backward panics otherwise). If
// fn draws random numbers (dropout), pass its generator as rng: its state
// is saved and restored for the recomputation.
func Checkpoint(rng *RNG, fn func(inputs []*Tensor) *Tensor, inputs ...*Tensor) *Tensor {
	sc := scopeOf(inputs...)
	if !sc.GradEnabled() {
		return fn(inputs)
	}
	var saved RNGState
	if rng != nil {
		saved = rng.State()
	}
	// The forward pass runs in a no-grad scope sharing sc's pool.
	quiet := sc.NoGrad()
	plain := make([]*Tensor, len(inputs))
	for i, in := range inputs {
		plain[i] = quiet.In(in)
	}
	res := fn(plain)
	out := sc.wrap(res.data, res.shape)
	n := &node{op: "Checkpoint", id: nodeSeq.Add(1), inputs: inputs, out: out}
	out.node = n
	out.requiresGrad = true
	n.backward = func(g []float32) {
		fresh := make([]*Tensor, len(inputs))
		for i, in := range inputs {
			fresh[i] = sc.wrap(in.data, in.shape)
			fresh[i].requiresGrad = in.requiresGrad
		}
		if rng != nil {
			// Replay fn's draws, then leave the generator where the
			// forward pass left it.
			after := rng.State()
			rng.SetState(saved)
			defer rng.SetState(after)
		}
		start := nodeSeq.Load()
		o := fn(fresh)
		if !o.Records() {
			panic(fmt.Sprintf("tensor.Checkpoint: the checkpointed function's output %v belongs to a no-grad scope, so no gradient can flow through it; Detach the no-grad tensor it used to make it a constant", o.shape))
		}
		if o.requiresGrad {
			runBackward(o, g, start)
		}
		for i, in := range inputs {
			if fresh[i].grad != nil {
				addGrad(in, fresh[i].grad.data, true)
			}
		}
	}
	return out
}
