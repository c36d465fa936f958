package nn

import (
	"sort"

	"github.com/vlmtune/vlmtune/tensor"
)

// Visitor is called with each parameter's full name and a pointer to its
// slot (so loaders may replace the tensor).
type Visitor func(name string, p **tensor.Tensor)

// Module is anything with named parameters.
type Module interface {
	// VisitParams calls fn for every parameter, prefixing names with
	// prefix (which ends with "." unless empty).
	VisitParams(prefix string, fn Visitor)
}

// visit calls fn for a non-nil parameter slot.
func visit(fn Visitor, prefix, name string, p **tensor.Tensor) {
	if *p != nil {
		fn(prefix+name, p)
	}
}

// Params returns a module's parameters by full name.
func Params(m Module) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	m.VisitParams("", func(name string, p **tensor.Tensor) { out[name] = *p })
	return out
}

// ParamNames returns a module's parameter names, sorted.
func ParamNames(m Module) []string {
	var names []string
	m.VisitParams("", func(name string, _ **tensor.Tensor) { names = append(names, name) })
	sort.Strings(names)
	return names
}

// CountParams returns the number of trainable (requiring a gradient) and
// total parameter values of a module.
func CountParams(m Module) (trainable, total int64) {
	m.VisitParams("", func(_ string, p **tensor.Tensor) {
		n := int64((*p).Len())
		total += n
		if (*p).RequiresGrad() {
			trainable += n
		}
	})
	return trainable, total
}

// SetTrainable marks every parameter of m as trainable or frozen.
func SetTrainable(m Module, on bool) {
	m.VisitParams("", func(_ string, p **tensor.Tensor) { (*p).SetRequiresGrad(on) })
}

// newParam returns a named zero parameter.
func newParam(shape ...int) *tensor.Tensor { return tensor.Zeros(shape...) }
