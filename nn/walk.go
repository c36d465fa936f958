package nn

// WalkFunc is called with a module's full dotted name (as in PyTorch's
// named_modules, without a trailing dot) and the module.
type WalkFunc func(name string, m Module)

// Walker is a module with sub-modules.
type Walker interface {
	Module
	// Walk calls fn for the module itself and every sub-module, depth
	// first. prefix is the module's own name.
	Walk(prefix string, fn WalkFunc)
}

// Walk visits m and all its sub-modules with their dotted names.
func Walk(m Module, fn WalkFunc) {
	if w, ok := m.(Walker); ok {
		w.Walk("", fn)
		return
	}
	fn("", m)
}

// Join appends a child name to a dotted prefix.
func Join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// Walk visits the Linear (a leaf for walking purposes).
func (l *Linear) Walk(prefix string, fn WalkFunc) { fn(prefix, l) }

// Walk visits the attention and its projections.
func (a *Attention) Walk(prefix string, fn WalkFunc) {
	fn(prefix, a)
	a.Q.Walk(Join(prefix, "q_proj"), fn)
	a.K.Walk(Join(prefix, "k_proj"), fn)
	a.V.Walk(Join(prefix, "v_proj"), fn)
	a.Out.Walk(Join(prefix, "out_proj"), fn)
}

// Walk visits the MLP and its layers.
func (m *MLP) Walk(prefix string, fn WalkFunc) {
	fn(prefix, m)
	m.FC1.Walk(Join(prefix, "fc1"), fn)
	m.FC2.Walk(Join(prefix, "fc2"), fn)
}

// Walk visits the layer and its blocks.
func (l *EncoderLayer) Walk(prefix string, fn WalkFunc) {
	fn(prefix, l)
	fn(Join(prefix, "layer_norm1"), l.LN1)
	l.Attn.Walk(Join(prefix, "self_attn"), fn)
	fn(Join(prefix, "layer_norm2"), l.LN2)
	l.MLP.Walk(Join(prefix, "mlp"), fn)
}

// Walk visits the encoder and its layers.
func (e *Encoder) Walk(prefix string, fn WalkFunc) {
	fn(prefix, e)
	for i, l := range e.Layers {
		l.Walk(Join(prefix, "layers."+itoa(i)), fn)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	p := len(b)
	for i > 0 {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
	}
	return string(b[p:])
}
