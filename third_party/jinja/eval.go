package jinja

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"unicode/utf8"
)

var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

// =============================================================================
// Scope
// =============================================================================

type scope struct {
	vars   map[string]Value
	parent *scope
}

func newScope(parent *scope) *scope {
	return &scope{vars: make(map[string]Value, 4), parent: parent}
}

func (s *scope) get(name string) (Value, bool) {
	if v, ok := s.vars[name]; ok {
		return v, true
	}
	if s.parent != nil {
		return s.parent.get(name)
	}
	return Undefined(), false
}

func (s *scope) set(name string, val Value) {
	s.vars[name] = val
}

// =============================================================================
// Evaluator
// =============================================================================

type evaluator struct {
	scope    *scope
	builtins *scope
	output   strings.Builder
	track    *tracker // nil unless generation blocks are being tracked
}

// tracker records where the output of {% generation %} blocks lands in the
// rendered text, as transformers' AssistantTracker does: a block starts at
// the length (in characters) of the top-level output rendered so far, and
// spans are recorded only once something has been rendered or recorded.
type tracker struct {
	root  *evaluator
	spans [][2]int
}

func (e *evaluator) execNodes(nodes []node) error {
	for _, n := range nodes {
		if err := e.execNode(n); err != nil {
			return err
		}
	}
	return nil
}

func (e *evaluator) execNode(n node) error {
	switch nd := n.(type) {
	case *textNode:
		e.output.WriteString(nd.text)
		return nil

	case *lineNode:
		err := e.execNode(nd.node)
		if err == nil || errors.Is(err, errBreak) || errors.Is(err, errContinue) {
			return err
		}
		var le *LineError
		if errors.As(err, &le) {
			return err
		}
		return &LineError{Line: nd.line, Err: err}

	case *outputNode:
		val, err := e.evalExpr(nd.expression)
		if err != nil {
			return err
		}
		e.output.WriteString(pyStr(val))
		return nil

	case *ifNode:
		return e.execIf(nd)

	case *forNode:
		return e.execFor(nd)

	case *setNode:
		return e.execSet(nd)

	case *setBlockNode:
		return e.execSetBlock(nd)

	case *macroNode:
		return e.execMacro(nd)

	case *callNode:
		return e.execCall(nd)

	case *filterBlockNode:
		return e.execFilterBlock(nd)

	case *breakNode:
		return errBreak

	case *generationNode:
		return e.execGeneration(nd)

	case *withNode:
		return e.execWith(nd)

	case *continueNode:
		return errContinue

	default:
		return fmt.Errorf("unknown node type %T", n)
	}
}

func (e *evaluator) execIf(n *ifNode) error {
	for _, branch := range n.branches {
		if branch.condition == nil {
			// else branch
			return e.execNodes(branch.body)
		}
		cond, err := e.evalExpr(branch.condition)
		if err != nil {
			return err
		}
		if cond.IsTruthy() {
			return e.execNodes(branch.body)
		}
	}
	return nil
}

func (e *evaluator) execFor(n *forNode) error {
	iterVal, err := e.evalExpr(n.iter)
	if err != nil {
		return err
	}

	items, err := iterate(iterVal)
	if err != nil {
		return err
	}

	// Apply filter if present.
	if n.filterExpr != nil {
		var filtered []Value
		for _, item := range items {
			child := newScope(e.scope)
			if err := n.bind(child, item); err != nil {
				return err
			}
			old := e.scope
			e.scope = child
			fv, err := e.evalExpr(n.filterExpr)
			e.scope = old
			if err != nil {
				return err
			}
			if fv.IsTruthy() {
				filtered = append(filtered, item)
			}
		}
		items = filtered
	}

	if len(items) == 0 {
		if n.elseBody != nil {
			return e.execNodes(n.elseBody)
		}
		return nil
	}

	total := int64(len(items))

	// The loop object is made once and updated for each iteration, as
	// Jinja's LoopContext is.
	loop := NewDict()
	ld := loop.AsDict()
	ld.Set("length", NewInt(total))
	ld.Set("depth", NewInt(1))
	ld.Set("depth0", NewInt(0))

	var last Value
	changedCalled := false
	ld.Set("changed", NewCallable("loop.changed", func(args []Value, kwargs map[string]Value) (Value, error) {
		v := newTuple(args)
		if changedCalled && pyEqual(v, last) {
			return NewBool(false), nil
		}
		changedCalled, last = true, v
		return NewBool(true), nil
	}))

	for i, item := range items {
		// Each iteration has its own scope: a {% set %} in the body
		// does not reach the next iteration, as in Jinja.
		child := newScope(e.scope)
		child.set("loop", loop)

		// Set loop variable(s).
		if err := n.bind(child, item); err != nil {
			return err
		}

		// Update loop object for this iteration.
		idx := int64(i)
		ld.Data["index"] = NewInt(idx + 1)
		ld.Data["index0"] = NewInt(idx)
		ld.Data["revindex"] = NewInt(total - idx)
		ld.Data["revindex0"] = NewInt(total - idx - 1)
		ld.Data["first"] = NewBool(i == 0)
		ld.Data["last"] = NewBool(i == len(items)-1)

		if i > 0 {
			ld.Data["previtem"] = items[i-1]
		} else {
			ld.Data["previtem"] = undefinedf("there is no previous item")
		}
		if i < len(items)-1 {
			ld.Data["nextitem"] = items[i+1]
		} else {
			ld.Data["nextitem"] = undefinedf("there is no next item")
		}

		// cycle function — capture idx by value for closure correctness.
		cycleIdx := idx
		ld.Data["cycle"] = NewCallable("loop.cycle", func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) == 0 {
				return Undefined(), nil
			}
			return args[int(cycleIdx)%len(args)], nil
		})

		old := e.scope
		e.scope = child

		err := e.execNodes(n.body)
		e.scope = old

		if err != nil {
			if errors.Is(err, errBreak) {
				break
			}
			if errors.Is(err, errContinue) {
				continue
			}
			return err
		}
	}

	return nil
}

// bind sets the loop variable, or unpacks the item into `key, val` as
// Python unpacks a pair.
func (n *forNode) bind(s *scope, item Value) error {
	if n.targets != nil {
		return unpack(s, n.targets, item)
	}
	if n.keyVar == "" {
		s.set(n.valVar, item)
		return nil
	}
	return unpack(s, []string{n.keyVar, n.valVar}, item)
}

// unpack assigns the items of v to names, as Python's a, b = v.
func unpack(s *scope, names []string, v Value) error {
	items, err := iterate(v)
	if err != nil || v.IsUndefined() {
		return fmt.Errorf("cannot unpack non-iterable %s object", typeName(v))
	}
	if len(items) < len(names) {
		return fmt.Errorf("not enough values to unpack (expected %d, got %d)", len(names), len(items))
	}
	if len(items) > len(names) {
		return fmt.Errorf("too many values to unpack (expected %d)", len(names))
	}
	for i, name := range names {
		s.set(name, items[i])
	}
	return nil
}

func (e *evaluator) execSet(n *setNode) error {
	val, err := e.evalExpr(n.value)
	if err != nil {
		return err
	}

	if n.namespace != "" {
		nsVal, ok := e.scope.get(n.namespace)
		if !ok {
			return fmt.Errorf("%s is undefined", pyStrRepr(n.namespace))
		}
		if !nsVal.IsDict() || !nsVal.AsDict().namespace {
			return fmt.Errorf("cannot assign attribute on non-namespace object")
		}
		nsVal.AsDict().Set(n.target, val)
		return nil
	}

	if strings.Contains(n.target, ",") {
		return unpack(e.scope, splitVars(n.target), val)
	}
	e.scope.set(n.target, val)
	return nil
}

func (e *evaluator) execSetBlock(n *setBlockNode) error {
	bodyEval := evaluator{
		scope:    e.scope,
		builtins: e.builtins,
		track:    e.track,
	}
	if err := bodyEval.execNodes(n.body); err != nil {
		return err
	}
	e.scope.set(n.target, NewString(bodyEval.output.String()))
	return nil
}

// maxMacroDepth bounds how deeply a macro may call itself.
const maxMacroDepth = 500

func (e *evaluator) execMacro(n *macroNode) error {
	// Capture the macro body and params.
	params := n.params
	body := n.body
	parentScope := e.scope

	depth := 0
	fn := NewCallable(n.name, func(args []Value, kwargs map[string]Value) (Value, error) {
		// A runaway recursive macro fails as Python's RecursionError
		// does instead of exhausting the Go stack.
		if depth >= maxMacroDepth {
			return Undefined(), fmt.Errorf("maximum recursion depth exceeded")
		}
		depth++
		defer func() { depth-- }()
		child := newScope(parentScope)
		kwNames := orderedKwargs(kwargs)
		kwargs = maps.Clone(kwargs)
		delete(kwargs, kwOrderKey)

		// Set caller if the body reads it.
		if n.usesCaller {
			caller, ok := kwargs["caller"]
			if !ok {
				caller = undefinedf("No caller defined")
			}
			delete(kwargs, "caller")
			child.set("caller", caller)
		}

		// Bind positional args.
		for i, param := range params {
			if i < len(args) {
				if _, dup := kwargs[param.name]; dup {
					return Undefined(), fmt.Errorf("macro %s got multiple values for argument %s", pyStrRepr(n.name), pyStrRepr(param.name))
				}
				child.set(param.name, args[i])
			} else if v, ok := kwargs[param.name]; ok {
				child.set(param.name, v)
				delete(kwargs, param.name)
			} else if param.defaultVal != nil {
				defEval := evaluator{scope: child, builtins: e.builtins, track: e.track}
				defVal, err := defEval.evalExpr(param.defaultVal)
				if err != nil {
					return Undefined(), err
				}
				child.set(param.name, defVal)
			} else {
				child.set(param.name, undefinedf("parameter %s was not provided", pyStrRepr(param.name)))
			}
		}

		// Extra arguments: varargs and kwargs if the body reads them.
		var extra []Value
		if len(args) > len(params) {
			extra = args[len(params):]
		}
		if n.catchVarargs {
			child.set("varargs", newTuple(extra))
		} else if len(extra) > 0 {
			return Undefined(), fmt.Errorf("macro %s takes not more than %d argument(s)", pyStrRepr(n.name), len(params))
		}
		var rest []string
		for _, k := range kwNames {
			if _, ok := kwargs[k]; ok {
				rest = append(rest, k)
			}
		}
		if n.catchKwargs {
			kw := NewDict()
			for _, k := range rest {
				kw.AsDict().Set(k, kwargs[k])
			}
			child.set("kwargs", kw)
		} else if len(rest) > 0 {
			return Undefined(), fmt.Errorf("macro %s takes no keyword argument %s", pyStrRepr(n.name), pyStrRepr(rest[0]))
		}

		macroEval := evaluator{
			scope:    child,
			builtins: e.builtins,
			track:    e.track,
		}

		if err := macroEval.execNodes(body); err != nil {
			return Undefined(), err
		}

		return NewString(macroEval.output.String()), nil
	})
	c := fn.v.(Callable)
	c.kwOrder = true
	fn.v = c

	e.scope.set(n.name, fn)
	return nil
}

// execWith runs a {% with %} block in its own scope.
func (e *evaluator) execWith(n *withNode) error {
	child := newScope(e.scope)
	for i, name := range n.names {
		v, err := e.evalExpr(n.values[i])
		if err != nil {
			return err
		}
		child.set(name, v)
	}
	old := e.scope
	e.scope = child
	err := e.execNodes(n.body)
	e.scope = old
	return err
}

func (e *evaluator) execCall(n *callNode) error {
	// Create a caller callable that renders the body.
	callerArgs := n.callerArgs
	body := n.body
	parentScope := e.scope

	caller := NewCallable("caller", func(args []Value, kwargs map[string]Value) (Value, error) {
		child := newScope(parentScope)
		for i, argName := range callerArgs {
			if i < len(args) {
				child.set(argName, args[i])
			}
		}

		callerEval := evaluator{
			scope:    child,
			builtins: e.builtins,
			track:    e.track,
		}
		if err := callerEval.execNodes(body); err != nil {
			return Undefined(), err
		}
		return NewString(callerEval.output.String()), nil
	})

	// Evaluate the call expression with caller in kwargs.
	callEx, ok := n.expr.(*callExpr)
	if ok {
		fn, err := e.evalExpr(callEx.fn)
		if err != nil {
			return err
		}
		if !fn.IsCallable() {
			return fmt.Errorf("call: expression is not callable")
		}

		args, kwargs, err := e.evalArgs(callEx.args, callEx.kwargs, false)
		if err != nil {
			return err
		}
		if kwargs == nil {
			kwargs = map[string]Value{}
		}
		kwargs["caller"] = caller

		result, err := fn.AsCallable().Fn(args, kwargs)
		if err != nil {
			return err
		}
		e.output.WriteString(pyStr(result))
		return nil
	}

	// Fallback: evaluate expression and call with caller.
	fn, err := e.evalExpr(n.expr)
	if err != nil {
		return err
	}
	if !fn.IsCallable() {
		return fmt.Errorf("call: expression is not callable")
	}

	result, err := fn.AsCallable().Fn(nil, map[string]Value{"caller": caller})
	if err != nil {
		return err
	}
	e.output.WriteString(pyStr(result))
	return nil
}

// filterBodyVar holds the rendered body of a {% filter %} block.
const filterBodyVar = "\x00filter body"

func (e *evaluator) execFilterBlock(n *filterBlockNode) error {
	// Render body to string.
	bodyEval := evaluator{
		scope:    e.scope,
		builtins: e.builtins,
		track:    e.track,
	}
	if err := bodyEval.execNodes(n.body); err != nil {
		return err
	}
	bodyStr := bodyEval.output.String()

	// Apply the filter chain to the body, which it reads from
	// filterBodyVar.
	child := newScope(e.scope)
	child.set(filterBodyVar, NewString(bodyStr))
	old := e.scope
	e.scope = child
	result, err := e.evalExpr(n.filter)
	e.scope = old
	if err != nil {
		return err
	}
	e.output.WriteString(pyStr(result))
	return nil
}

// =============================================================================
// Expression evaluation
// =============================================================================

func (e *evaluator) evalExpr(ex expr) (Value, error) {
	switch n := ex.(type) {
	case *litExpr:
		return n.val, nil

	case *nameExpr:
		v, ok := e.scope.get(n.name)
		if !ok {
			return undefinedf("%s is undefined", pyStrRepr(n.name)), nil
		}
		return v, nil

	case *attrExpr:
		return e.evalAttr(n)

	case *itemExpr:
		return e.evalItem(n)

	case *sliceExpr:
		return e.evalSlice(n)

	case *unaryExpr:
		return e.evalUnary(n)

	case *binExpr:
		return e.evalBinary(n)

	case *cmpChainExpr:
		left, err := e.evalExpr(n.operands[0])
		if err != nil {
			return Undefined(), err
		}
		for i, op := range n.ops {
			right, err := e.evalExpr(n.operands[i+1])
			if err != nil {
				return Undefined(), err
			}
			v, err := e.evalBinary(&binExpr{op: op, left: &litExpr{val: left}, right: &litExpr{val: right}})
			if err != nil || !v.IsTruthy() {
				return v, err
			}
			left = right
		}
		return NewBool(true), nil

	case *condExpr:
		return e.evalCond(n)

	case *callExpr:
		return e.evalCallExpr(n)

	case *filterExpr:
		return e.evalFilter(n)

	case *testExpr:
		return e.evalTestExpr(n)

	case *listExpr:
		items := make([]Value, len(n.items))
		for i, item := range n.items {
			v, err := e.evalExpr(item)
			if err != nil {
				return Undefined(), err
			}
			items[i] = v
		}
		if n.tuple {
			return newTuple(items), nil
		}
		return NewList(items), nil

	case *dictExpr:
		d := NewDict()
		dict := d.AsDict()
		for _, pair := range n.pairs {
			key, err := e.evalExpr(pair.key)
			if err != nil {
				return Undefined(), err
			}
			val, err := e.evalExpr(pair.value)
			if err != nil {
				return Undefined(), err
			}
			dict.Set(pyStr(key), val)
		}
		return d, nil

	default:
		return Undefined(), fmt.Errorf("unknown expression type %T", ex)
	}
}

func (e *evaluator) evalAttr(n *attrExpr) (Value, error) {
	obj, err := e.evalExpr(n.obj)
	if err != nil {
		return Undefined(), err
	}
	return getAttr(obj, n.attr)
}

func (e *evaluator) evalItem(n *itemExpr) (Value, error) {
	obj, err := e.evalExpr(n.obj)
	if err != nil {
		return Undefined(), err
	}

	key, err := e.evalExpr(n.key)
	if err != nil {
		return Undefined(), err
	}
	return getItem(obj, key)
}

func (e *evaluator) evalSlice(n *sliceExpr) (Value, error) {
	obj, err := e.evalExpr(n.obj)
	if err != nil {
		return Undefined(), err
	}
	// Jinja slices with Python's own subscript, not its getitem: what
	// cannot be sliced raises.
	switch {
	case obj.IsUndefined():
		return Undefined(), undefinedError(obj)
	case obj.IsDict():
		return Undefined(), fmt.Errorf("unhashable type: 'slice'")
	case obj.IsList() && !obj.AsList().plain(), !obj.IsList() && !obj.IsString():
		return Undefined(), fmt.Errorf("'%s' object is not subscriptable", typeName(obj))
	}
	bounds := [3]Value{None(), None(), None()}
	for i, b := range []expr{n.start, n.stop, n.step} {
		if b == nil {
			continue
		}
		v, err := e.evalExpr(b)
		if err != nil {
			return Undefined(), err
		}
		if !v.IsNone() && !isIntLike(v) {
			return Undefined(), fmt.Errorf("slice indices must be integers or None or have an __index__ method")
		}
		bounds[i] = v
	}
	if !bounds[2].IsNone() && intOf(bounds[2]) == 0 {
		return Undefined(), fmt.Errorf("slice step cannot be zero")
	}

	if obj.IsList() {
		list := obj.AsList()
		length := list.Len()
		start, stop, step := resolveSlice(bounds, length)

		// Fast path for the overwhelmingly common step==1 case
		// (e.g. messages[1:] in chat templates). A single allocation
		// of the exact size avoids the geometric growth of append.
		// Aliasing the source slice would be unsafe because List.Append
		// could later mutate beyond Len() into the backing array.
		if step == 1 {
			if start < 0 {
				start = 0
			}
			if stop > length {
				stop = length
			}
			if start >= stop {
				return NewList(nil), nil
			}
			items := make([]Value, stop-start)
			copy(items, list.Items[start:stop])
			if list.tuple {
				return newTuple(items), nil
			}
			return NewList(items), nil
		}

		var items []Value
		if step > 0 {
			// Pre-size to the maximum possible iteration count to
			// avoid append's geometric growth allocations.
			count := (stop - start + step - 1) / step
			if count > 0 {
				items = make([]Value, 0, count)
			}
			for i := start; i < stop; i += step {
				if i >= 0 && i < length {
					items = append(items, list.Items[i])
				}
			}
		} else if step < 0 {
			count := (start - stop - step - 1) / -step
			if count > 0 {
				items = make([]Value, 0, count)
			}
			for i := start; i > stop; i += step {
				if i >= 0 && i < length {
					items = append(items, list.Items[i])
				}
			}
		}
		if list.tuple {
			return newTuple(items), nil
		}
		return NewList(items), nil
	}

	if obj.IsString() {
		s := obj.AsString()

		// ASCII fast path. Most chat-template string slicing operates
		// on tag/role names or message content that is ASCII; for those
		// we can index by byte and skip the []rune conversion entirely.
		// This is the dominant cost in the kronk dense profile because
		// the system prompt can be tens of thousands of bytes.
		if isASCII(s) {
			length := len(s)
			start, stop, step := resolveSlice(bounds, length)

			if step == 1 {
				if start < 0 {
					start = 0
				}
				if stop > length {
					stop = length
				}
				if start >= stop {
					return NewString(""), nil
				}
				return NewString(s[start:stop]), nil
			}

			if step == -1 {
				if start >= length {
					start = length - 1
				}
				if stop < -1 {
					stop = -1
				}
				if start <= stop {
					return NewString(""), nil
				}
				buf := make([]byte, 0, start-stop)
				for i := start; i > stop; i-- {
					buf = append(buf, s[i])
				}
				return NewString(string(buf)), nil
			}
			// Fall through to the general path for unusual steps.
		}

		runes := []rune(s)
		length := len(runes)
		start, stop, step := resolveSlice(bounds, length)
		var result []rune
		if step > 0 {
			for i := start; i < stop; i += step {
				if i >= 0 && i < length {
					result = append(result, runes[i])
				}
			}
		} else if step < 0 {
			for i := start; i > stop; i += step {
				if i >= 0 && i < length {
					result = append(result, runes[i])
				}
			}
		}
		return NewString(string(result)), nil
	}

	return undefinedf("'%s' has no element slice", objectTypeRepr(obj)), nil
}

// isASCII reports whether s contains only 7-bit ASCII bytes. Used to
// skip the []rune conversion in evalSlice's string branch when byte
// indexing produces the same result as code-point indexing.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// resolveSlice is Python's slice.indices: start, stop and step for a
// sequence of the given length, with missing bounds defaulted, negative
// ones counted from the end, and all clamped.
func resolveSlice(bounds [3]Value, length int) (int, int, int) {
	step := 1
	if !bounds[2].IsNone() {
		step = int(intOf(bounds[2]))
	}
	adjust := func(v Value, def int) int {
		if v.IsNone() {
			return def
		}
		i := int(max(min(intOf(v), 1<<40), -(1 << 40)))
		if i < 0 {
			i += length
			if i < 0 {
				if step < 0 {
					return -1
				}
				return 0
			}
		} else if i >= length {
			if step < 0 {
				return length - 1
			}
			return length
		}
		return i
	}
	if step > 0 {
		return adjust(bounds[0], 0), adjust(bounds[1], length), step
	}
	return adjust(bounds[0], length-1), adjust(bounds[1], -1), step
}

func (e *evaluator) evalUnary(n *unaryExpr) (Value, error) {
	operand, err := e.evalExpr(n.operand)
	if err != nil {
		return Undefined(), err
	}

	switch n.op {
	case "not":
		return NewBool(!operand.IsTruthy()), nil
	case "-", "+":
		switch {
		case operand.IsUndefined():
			return Undefined(), undefinedError(operand)
		case isIntLike(operand):
			if n.op == "-" {
				return NewInt(-intOf(operand)), nil
			}
			return NewInt(intOf(operand)), nil
		case operand.IsFloat():
			if n.op == "-" {
				return NewFloat(-operand.AsFloat()), nil
			}
			return operand, nil
		}
		return Undefined(), fmt.Errorf("bad operand type for unary %s: '%s'", n.op, typeName(operand))
	}

	return Undefined(), fmt.Errorf("unknown unary operator %q", n.op)
}

func (e *evaluator) evalBinary(n *binExpr) (Value, error) {
	// Short-circuit for and/or.
	if n.op == "and" {
		left, err := e.evalExpr(n.left)
		if err != nil {
			return Undefined(), err
		}
		if !left.IsTruthy() {
			return left, nil
		}
		return e.evalExpr(n.right)
	}

	if n.op == "or" {
		left, err := e.evalExpr(n.left)
		if err != nil {
			return Undefined(), err
		}
		if left.IsTruthy() {
			return left, nil
		}
		return e.evalExpr(n.right)
	}

	left, err := e.evalExpr(n.left)
	if err != nil {
		return Undefined(), err
	}

	right, err := e.evalExpr(n.right)
	if err != nil {
		return Undefined(), err
	}

	switch n.op {
	case "+":
		return pyAdd(left, right)
	case "-":
		return pySub(left, right)
	case "*":
		return pyMul(left, right)
	case "/":
		return pyTrueDiv(left, right)
	case "//":
		return pyFloorDiv(left, right)
	case "%":
		return pyMod(left, right)
	case "**":
		return pyPow(left, right)
	case "~":
		return NewString(pyStr(left) + pyStr(right)), nil
	case "==":
		return NewBool(pyEqual(left, right)), nil
	case "!=":
		return NewBool(!pyEqual(left, right)), nil
	case "<", ">", "<=", ">=":
		c, err := pyCompare(left, right, n.op)
		if err != nil {
			return Undefined(), err
		}
		switch n.op {
		case "<":
			return NewBool(c < 0), nil
		case ">":
			return NewBool(c > 0), nil
		case "<=":
			return NewBool(c <= 0), nil
		}
		return NewBool(c >= 0), nil
	case "in", "not in":
		in, err := pyContains(right, left)
		if err != nil {
			return Undefined(), err
		}
		return NewBool(in == (n.op == "in")), nil
	}

	return Undefined(), fmt.Errorf("unknown binary operator %q", n.op)
}

func (e *evaluator) evalCond(n *condExpr) (Value, error) {
	cond, err := e.evalExpr(n.condition)
	if err != nil {
		return Undefined(), err
	}

	if cond.IsTruthy() {
		return e.evalExpr(n.trueExpr)
	}

	if n.falseExpr != nil {
		return e.evalExpr(n.falseExpr)
	}

	return Undefined(), nil
}

func (e *evaluator) evalCallExpr(n *callExpr) (Value, error) {
	fn, err := e.evalExpr(n.fn)
	if err != nil {
		return Undefined(), err
	}

	if fn.IsUndefined() {
		return Undefined(), undefinedError(fn)
	}
	if !fn.IsCallable() {
		return Undefined(), fmt.Errorf("'%s' object is not callable", typeName(fn))
	}

	args, kwargs, err := e.evalArgs(n.args, n.kwargs, fn.v.(Callable).kwOrder)
	if err != nil {
		return Undefined(), err
	}
	return fn.AsCallable().Fn(args, kwargs)
}

// evalArgs evaluates call arguments, spreading *seq into the positional
// and **mapping into the keyword arguments; with order, kwargs also lists
// the keyword names in call order under kwOrderKey.
func (e *evaluator) evalArgs(argExprs []expr, kwExprs []kwarg, order bool) ([]Value, map[string]Value, error) {
	args := make([]Value, 0, len(argExprs))
	for _, a := range argExprs {
		if star, ok := a.(*starExpr); ok {
			v, err := e.evalExpr(star.expr)
			if err != nil {
				return nil, nil, err
			}
			items, err := iterate(v)
			if err != nil {
				return nil, nil, fmt.Errorf("argument after * must be an iterable, not %s", typeName(v))
			}
			args = append(args, items...)
			continue
		}
		v, err := e.evalExpr(a)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, v)
	}
	if len(kwExprs) == 0 {
		return args, nil, nil
	}
	kwargs := make(map[string]Value, len(kwExprs))
	var names []Value
	add := func(name string, v Value) error {
		if _, dup := kwargs[name]; dup {
			return fmt.Errorf("got multiple values for keyword argument '%s'", name)
		}
		kwargs[name] = v
		names = append(names, NewString(name))
		return nil
	}
	for _, kw := range kwExprs {
		v, err := e.evalExpr(kw.value)
		if err != nil {
			return nil, nil, err
		}
		if kw.name == "**" {
			if !v.IsDict() {
				return nil, nil, fmt.Errorf("argument after ** must be a mapping, not %s", typeName(v))
			}
			for _, k := range v.AsDict().Keys {
				if err := add(k, v.AsDict().Data[k]); err != nil {
					return nil, nil, err
				}
			}
			continue
		}
		if err := add(kw.name, v); err != nil {
			return nil, nil, err
		}
	}
	if order {
		kwargs[kwOrderKey] = NewList(names)
	}
	return args, kwargs, nil
}

func (e *evaluator) evalFilter(n *filterExpr) (Value, error) {
	input, err := e.evalExpr(n.expr)
	if err != nil {
		return Undefined(), err
	}

	// Look up filter in builtins.
	filterVal, ok := lookupFilter(e.builtins, n.name)
	if !ok {
		// Also check scope for user-defined filters.
		filterVal, ok = e.scope.get(n.name)
		if !ok {
			return Undefined(), fmt.Errorf("No filter named %s.", pyStrRepr(n.name))
		}
	}

	if !filterVal.IsCallable() {
		return Undefined(), fmt.Errorf("filter %q is not callable", n.name)
	}

	// Build args: input as first, then additional args.
	rest, kwargs, err := e.evalArgs(n.args, n.kwargs, true)
	if err != nil {
		return Undefined(), err
	}
	args := append([]Value{input}, rest...)

	return filterVal.AsCallable().Fn(args, kwargs)
}

func (e *evaluator) evalTestExpr(n *testExpr) (Value, error) {
	val, err := e.evalExpr(n.expr)
	if err != nil {
		return Undefined(), err
	}

	testArgs, testKwargs, err := e.evalArgs(n.args, n.kwargs, false)
	if err != nil {
		return Undefined(), err
	}
	for _, kw := range n.kwargs {
		testArgs = append(testArgs, testKwargs[kw.name])
	}

	result, err := evalTest(n.name, val, testArgs)
	if err != nil {
		return Undefined(), err
	}

	if n.negated {
		result = !result
	}

	return NewBool(result), nil
}

// execGeneration renders a {% generation %} block and, when tracking,
// records its span.
func (e *evaluator) execGeneration(n *generationNode) error {
	if e.track == nil {
		return e.execNodes(n.body)
	}
	body := evaluator{scope: e.scope, builtins: e.builtins, track: e.track}
	if err := body.execNodes(n.body); err != nil {
		return err
	}
	rv := body.output.String()
	root := e.track.root.output.String()
	if root != "" || len(e.track.spans) > 0 {
		start := utf8.RuneCountInString(root)
		e.track.spans = append(e.track.spans, [2]int{start, start + utf8.RuneCountInString(rv)})
	}
	e.output.WriteString(rv)
	return nil
}

// LineError is a render error with the template line of the statement or
// expression that raised it (a vlmtune patch; the innermost line wins).
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the error without its line.
func (e *LineError) Unwrap() error { return e.Err }
