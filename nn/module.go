package nn

import (
	"reflect"
	"sort"

	"github.com/vlmtune/vlmtune/tensor"
)

// Module is a building block with parameters and sub-modules.
type Module interface {
	// Declare names the module's parameters and sub-modules, each under
	// its Hugging Face state-dict name relative to the module (dotted
	// names such as "embeddings.token_embedding" are fine), in a fixed
	// order. It is the one place a module names its children: the
	// parameter walk (Visit, Params), the module walk (Walk), the layout
	// that fine-tuning methods use, strict loading (LoadState) and saving
	// all derive from it.
	Declare(d *Decl)
}

// Decl receives one module's declaration (see Module.Declare).
type Decl struct {
	name string // the module's full name ("" for the root)
	ext  bool   // inside an extension
	v    *declVisitor
}

type declVisitor struct {
	param  func(Param)
	module func(name string, m Module, extension bool)
}

// Param is one parameter found by Visit.
type Param struct {
	// Name is the full state-dict name.
	Name string
	// Slot points at the parameter, so that a caller may replace it.
	Slot **tensor.Tensor
	// Extension reports a parameter that a fine-tuning method added at a
	// hook point (a LoRA adapter, a bottleneck adapter, prompt or prefix
	// tokens): it is not part of the base model's checkpoint.
	Extension bool
}

// Join appends a child name to a dotted prefix.
func Join(prefix, name string) string {
	switch {
	case prefix == "":
		return name
	case name == "":
		return prefix
	}
	return prefix + "." + name
}

// Param declares a parameter; a nil tensor (an absent optional bias) is
// skipped.
func (d *Decl) Param(name string, p **tensor.Tensor) {
	if *p == nil || d.v.param == nil {
		return
	}
	d.v.param(Param{Name: Join(d.name, name), Slot: p, Extension: d.ext})
}

// Module declares a sub-module; a nil module is skipped.
func (d *Decl) Module(name string, m Module) { d.child(name, m, d.ext) }

// Extension declares a sub-module installed at a hook point by a
// fine-tuning method (package peft): its parameters are marked as
// Extension, base-model saving and loading skip them, and Walk does not
// enter it. An empty name puts its parameters directly under the
// declaring module (LoRA's lora_A.weight next to a Linear's weight).
func (d *Decl) Extension(name string, m Module) { d.child(name, m, true) }

func (d *Decl) child(name string, m Module, ext bool) {
	if isNil(m) {
		return
	}
	full := Join(d.name, name)
	if d.v.module != nil {
		d.v.module(full, m, ext)
	}
	m.Declare(&Decl{name: full, ext: ext, v: d.v})
}

// isNil reports a nil module, including a typed nil pointer held in the
// interface.
func isNil(m Module) bool {
	if m == nil {
		return true
	}
	v := reflect.ValueOf(m)
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func:
		return v.IsNil()
	}
	return false
}

// Visit calls fn for every parameter of m, extensions included, in
// declaration order.
func Visit(m Module, fn func(Param)) {
	m.Declare(&Decl{v: &declVisitor{param: fn}})
}

// Visitor is called with a parameter's full name and a pointer to its
// slot.
type Visitor func(name string, p **tensor.Tensor)

// VisitParams calls fn for every parameter of m, extensions included.
func VisitParams(m Module, fn Visitor) {
	Visit(m, func(p Param) { fn(p.Name, p.Slot) })
}

// WalkFunc is called with a module's full dotted name (as in PyTorch's
// named_modules, "" for the root) and the module.
type WalkFunc func(name string, m Module)

// Walk calls fn for m and every sub-module of the base model, depth
// first in declaration order; extensions are not entered.
func Walk(m Module, fn WalkFunc) {
	fn("", m)
	m.Declare(&Decl{v: &declVisitor{module: func(name string, sub Module, ext bool) {
		if !ext {
			fn(name, sub)
		}
	}}})
}

// Params returns a module's parameters by full name.
func Params(m Module) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	Visit(m, func(p Param) { out[p.Name] = *p.Slot })
	return out
}

// ParamNames returns a module's parameter names, sorted.
func ParamNames(m Module) []string {
	var names []string
	Visit(m, func(p Param) { names = append(names, p.Name) })
	sort.Strings(names)
	return names
}

// ExtensionNames returns the names of the parameters fine-tuning methods
// added to m, sorted.
func ExtensionNames(m Module) []string {
	var names []string
	Visit(m, func(p Param) {
		if p.Extension {
			names = append(names, p.Name)
		}
	})
	sort.Strings(names)
	return names
}

// Tensors returns every parameter tensor of the given modules.
func Tensors(ms ...Module) []*tensor.Tensor {
	var out []*tensor.Tensor
	for _, m := range ms {
		Visit(m, func(p Param) { out = append(out, *p.Slot) })
	}
	return out
}

// CountParams returns the number of trainable (requiring a gradient) and
// total parameter values of a module.
func CountParams(m Module) (trainable, total int64) {
	Visit(m, func(p Param) {
		n := int64((*p.Slot).Len())
		total += n
		if (*p.Slot).RequiresGrad() {
			trainable += n
		}
	})
	return trainable, total
}

// SetTrainable marks every parameter of m as trainable or frozen.
func SetTrainable(m Module, on bool) {
	Visit(m, func(p Param) { (*p.Slot).SetRequiresGrad(on) })
}

// newParam returns a zero parameter.
func newParam(shape ...int) *tensor.Tensor { return tensor.Zeros(shape...) }

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
