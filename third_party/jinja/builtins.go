package jinja

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// cachedBuiltins is a read-only scope populated once with all built-in
// globals and filters. It is shared across every render — no code path
// writes to the builtins scope (only chained reads through parent
// links and lookupFilter), so a single shared instance is safe and
// avoids ~20 allocations per render.
var cachedBuiltins *scope

// It is built in init, not in its declaration, because filters such as map
// and select look filters and tests up in it.
func init() {
	s := newScope(nil)
	registerGlobals(s)
	registerFilters(s)
	cachedBuiltins = s
}

// =============================================================================
// Global functions
// =============================================================================

func registerGlobals(s *scope) {
	s.set("namespace", Value{kind: KindCallable, v: Callable{Name: "namespace", Fn: builtinNamespace, kwOrder: true}})
	s.set("raise_exception", NewCallable("raise_exception", builtinRaiseException))
	s.set("range", NewCallable("range", builtinRange))
	s.set("joiner", NewCallable("joiner", builtinJoiner))
	s.set("dict", Value{kind: KindCallable, v: Callable{Name: "dict", Fn: builtinDict, kwOrder: true}})
	s.set("cycler", NewCallable("cycler", builtinCycler))
	s.set("strftime_now", NewCallable("strftime_now", builtinStrftimeNow))
}

// builtinNamespace is Jinja's namespace(): a mutable object for
// {% set ns.attr = ... %}, made from an optional mapping and keyword
// arguments (in call order).
func builtinNamespace(args []Value, kwargs map[string]Value) (Value, error) {
	d, err := builtinDict(args, kwargs)
	if err != nil {
		return Undefined(), err
	}
	d.AsDict().namespace = true
	return d, nil
}

// orderedKwargs returns the keyword argument names in call order when the
// caller passed it (kwOrderKey), else sorted.
func orderedKwargs(kwargs map[string]Value) []string {
	if order, ok := kwargs[kwOrderKey]; ok && order.IsList() {
		names := make([]string, 0, order.AsList().Len())
		for _, n := range order.AsList().Items {
			names = append(names, n.AsString())
		}
		return names
	}
	names := make([]string, 0, len(kwargs))
	for k := range kwargs {
		if k != kwOrderKey {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

func builtinRaiseException(args []Value, kwargs map[string]Value) (Value, error) {
	if len(args) == 0 {
		return Undefined(), fmt.Errorf("raise_exception: missing message")
	}
	return Undefined(), errors.New(pyStr(args[0]))
}

func builtinRange(args []Value, kwargs map[string]Value) (Value, error) {
	for _, a := range args {
		if a.IsUndefined() {
			return Undefined(), undefinedError(a)
		}
		if !isIntLike(a) {
			return Undefined(), fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(a))
		}
	}
	var start, stop, step int64
	switch len(args) {
	case 1:
		start = 0
		stop = intOf(args[0])
		step = 1
	case 2:
		start = intOf(args[0])
		stop = intOf(args[1])
		step = 1
	case 3:
		start = intOf(args[0])
		stop = intOf(args[1])
		step = intOf(args[2])
	default:
		return Undefined(), fmt.Errorf("range: expected 1-3 arguments, got %d", len(args))
	}

	if step == 0 {
		return Undefined(), fmt.Errorf("range() arg 3 must not be zero")
	}
	var n int64
	if step > 0 && stop > start {
		n = (stop - start + step - 1) / step
	} else if step < 0 && stop < start {
		n = (start - stop - step - 1) / -step
	}
	if n > 100000 {
		return Undefined(), fmt.Errorf("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")
	}

	var items []Value
	if step > 0 {
		for i := start; i < stop; i += step {
			items = append(items, NewInt(i))
		}
	} else {
		for i := start; i > stop; i += step {
			items = append(items, NewInt(i))
		}
	}

	return NewList(items), nil
}

func builtinJoiner(args []Value, kwargs map[string]Value) (Value, error) {
	sep := ", "
	if s, ok := kwargs["sep"]; ok {
		sep = pyStr(s)
	}
	if len(args) > 0 {
		sep = pyStr(args[0])
	}

	first := true
	return NewCallable("joiner", func(args []Value, kwargs map[string]Value) (Value, error) {
		if first {
			first = false
			return NewString(""), nil
		}
		return NewString(sep), nil
	}), nil
}

// builtinDict is Python's dict(): a copy of an optional mapping (or list
// of pairs) updated with the keyword arguments, in call order.
func builtinDict(args []Value, kwargs map[string]Value) (Value, error) {
	d := NewDict()
	dict := d.AsDict()
	if len(args) > 1 {
		return Undefined(), fmt.Errorf("dict expected at most 1 argument, got %d", len(args))
	}
	if len(args) == 1 {
		switch src := args[0]; {
		case src.IsDict():
			for _, k := range src.AsDict().Keys {
				dict.Set(k, src.AsDict().Data[k])
			}
		default:
			items, err := iterate(src)
			if err != nil {
				return Undefined(), err
			}
			for _, item := range items {
				pair, err := iterate(item)
				if err != nil || len(pair) != 2 {
					return Undefined(), errors.New("dictionary update sequence element has the wrong length; 2 is required")
				}
				dict.Set(pyStr(pair[0]), pair[1])
			}
		}
	}
	for _, k := range orderedKwargs(kwargs) {
		dict.Set(k, kwargs[k])
	}
	return d, nil
}

func builtinStrftimeNow(args []Value, kwargs map[string]Value) (Value, error) {
	format := "%Y-%m-%d"
	if len(args) > 0 {
		format = pyStr(args[0])
	}

	// Convert Python strftime format to Go time format.
	now := time.Now()
	goFmt := strftimeToGo(format)
	return NewString(now.Format(goFmt)), nil
}

// strftimeToGo converts a Python strftime format string to a Go time format.
func strftimeToGo(format string) string {
	r := strings.NewReplacer(
		"%Y", "2006",
		"%m", "01",
		"%d", "02",
		"%H", "15",
		"%M", "04",
		"%S", "05",
		"%B", "January",
		"%b", "Jan",
		"%A", "Monday",
		"%a", "Mon",
		"%p", "PM",
		"%I", "03",
		"%Z", "MST",
		"%%", "%",
	)
	return r.Replace(format)
}

func builtinCycler(args []Value, kwargs map[string]Value) (Value, error) {
	if len(args) == 0 {
		return Undefined(), fmt.Errorf("cycler: expected at least one argument")
	}

	idx := 0
	items := make([]Value, len(args))
	copy(items, args)

	d := NewDict()
	dict := d.AsDict()
	dict.Set("current", items[0])
	dict.Set("next", NewCallable("cycler.next", func(a []Value, kw map[string]Value) (Value, error) {
		v := items[idx]
		idx = (idx + 1) % len(items)
		dict.Set("current", items[idx])
		return v, nil
	}))
	dict.Set("reset", NewCallable("cycler.reset", func(a []Value, kw map[string]Value) (Value, error) {
		idx = 0
		dict.Set("current", items[0])
		return None(), nil
	}))

	return d, nil
}

// =============================================================================
// Filter functions
// =============================================================================

// Filters follow Jinja2's filters.py: the same parameters (positional or
// keyword), the same results and the errors Python raises. Filters that
// return generators in Jinja (map, select, reject, selectattr, rejectattr,
// unique, batch, items, reverse of a list) return lazy lists here, which
// are always true and have no length, as generators.

var filterTable map[string]func([]Value, map[string]Value) (Value, error)

func registerFilters(s *scope) {
	filterTable = map[string]func([]Value, map[string]Value) (Value, error){
		"tojson":      filterTojson,
		"items":       filterItems,
		"join":        filterJoin,
		"default":     filterDefault,
		"d":           filterDefault,
		"trim":        filterTrim,
		"lower":       filterLower,
		"upper":       filterUpper,
		"title":       filterTitle,
		"capitalize":  filterCapitalize,
		"first":       filterFirst,
		"last":        filterLast,
		"length":      filterLength,
		"count":       filterLength,
		"reverse":     filterReverse,
		"sort":        filterSort,
		"unique":      filterUnique,
		"list":        filterList,
		"int":         filterInt,
		"float":       filterFloatConv,
		"string":      filterString,
		"safe":        filterSafe,
		"replace":     filterReplace,
		"round":       filterRound,
		"abs":         filterAbs,
		"map":         filterMap,
		"select":      filterSelect,
		"reject":      filterReject,
		"selectattr":  filterSelectattr,
		"rejectattr":  filterRejectattr,
		"indent":      filterIndent,
		"wordcount":   filterWordcount,
		"escape":      filterEscape,
		"e":           filterEscape,
		"forceescape": filterEscape,
		"dictsort":    filterDictsort,
		"max":         filterMax,
		"min":         filterMin,
		"sum":         filterSum,
		"batch":       filterBatch,
		"attr":        filterAttr,
		"format":      filterFormat,
		"center":      filterCenter,
		"truncate":    filterTruncate,
		"pprint":      filterPprint,
	}

	// These filters are generators in Jinja: they run when iterated, so
	// what they raise is raised then, not when the filter is applied.
	for _, name := range []string{"map", "select", "reject", "selectattr", "rejectattr", "unique", "batch", "items"} {
		filterTable[name] = generator(filterTable[name])
	}

	for name, fn := range filterTable {
		s.set("__filter_"+name, NewCallable(name, fn))
	}
}

// generator defers a filter's error to the iteration of its result.
func generator(fn func([]Value, map[string]Value) (Value, error)) func([]Value, map[string]Value) (Value, error) {
	return func(args []Value, kwargs map[string]Value) (Value, error) {
		v, err := fn(args, kwargs)
		if err != nil {
			return Value{kind: KindList, v: &List{lazy: "generator", err: err}}, nil
		}
		return v, nil
	}
}

// lookupFilter retrieves a filter callable from the scope chain.
func lookupFilter(s *scope, name string) (Value, bool) {
	return s.get("__filter_" + name)
}

// callFilter applies the named filter, as map(name) and the filter block
// do.
func callFilter(name string, args []Value, kwargs map[string]Value) (Value, error) {
	fn, ok := filterTable[name]
	if !ok {
		return Undefined(), fmt.Errorf("No filter named %s.", pyStrRepr(name))
	}
	return fn(args, kwargs)
}

// bind matches a filter's arguments (args[0] is the filtered value) to its
// parameter names as Python binds them; a parameter not passed is
// undefined.
func bind(filter string, args []Value, kwargs map[string]Value, names ...string) ([]Value, error) {
	out := make([]Value, len(names))
	if len(args)-1 > len(names) {
		return nil, fmt.Errorf("%s() takes %d positional arguments but %d were given", filter, len(names)+1, len(args))
	}
	copy(out, args[1:])
	for k, v := range kwargs {
		if k == kwOrderKey {
			continue
		}
		found := false
		for i, n := range names {
			if n == k {
				if i < len(args)-1 {
					return nil, fmt.Errorf("%s() got multiple values for argument '%s'", filter, k)
				}
				out[i] = v
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s() got an unexpected keyword argument '%s'", filter, k)
		}
	}
	return out, nil
}

// given reports whether a bound parameter was passed (and is not None).
func given(v Value) bool {
	return !(v.kind == KindUndefined && v.v == nil) && !v.IsNone()
}

// newLazy returns a generator-like list.
func newLazy(items []Value, typ string) Value {
	return Value{kind: KindList, v: &List{Items: items, lazy: typ}}
}

func input(args []Value) Value {
	if len(args) == 0 {
		return Undefined()
	}
	return args[0]
}

// attrGetter is Jinja's make_attrgetter: "a.b.0" walks items (a digit
// part is an index); a default replaces undefined results; lower makes
// strings case-insensitive.
func attrGetter(attribute Value, def Value, lower bool) func(Value) (Value, error) {
	var parts []Value
	switch {
	case !given(attribute):
	case attribute.IsString():
		for _, p := range strings.Split(attribute.AsString(), ".") {
			if n, err := strconv.ParseInt(p, 10, 64); err == nil && p != "" && strings.Trim(p, "0123456789") == "" {
				parts = append(parts, NewInt(n))
			} else {
				parts = append(parts, NewString(p))
			}
		}
	default:
		parts = []Value{attribute}
	}
	return func(item Value) (Value, error) {
		for _, p := range parts {
			v, err := getItem(item, p)
			if err != nil {
				return Undefined(), err
			}
			item = v
			if given(def) && item.IsUndefined() {
				item = def
			}
		}
		if lower && item.IsString() {
			item = NewString(strings.ToLower(item.AsString()))
		}
		return item, nil
	}
}

// sortKey compares keys for sorted(): keys are lists of values
// (make_multi_attrgetter) or single values.
func sortValues(items []Value, keys []Value, reverse bool) error {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var err error
	sort.SliceStable(idx, func(i, j int) bool {
		a, b := keys[idx[i]], keys[idx[j]]
		if reverse {
			a, b = b, a
		}
		if pyEqual(a, b) {
			return false
		}
		c, e := pyCompare(a, b, "<")
		if e != nil && err == nil {
			err = e
		}
		return c < 0
	})
	if err != nil {
		return err
	}
	sorted := make([]Value, len(items))
	for i, k := range idx {
		sorted[i] = items[k]
	}
	copy(items, sorted)
	return nil
}

func filterTojson(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("tojson", args, kwargs, "ensure_ascii", "indent", "separators", "sort_keys")
	if err != nil {
		return Undefined(), err
	}
	enc := jsonEncoder{itemSep: ", ", keySep: ": "}
	enc.ensureASCII = p[0].IsTruthy()
	enc.sortKeys = p[3].IsTruthy()
	if given(p[1]) {
		switch {
		case p[1].IsString():
			enc.indent = p[1].AsString()
		case isIntLike(p[1]):
			enc.indent = strings.Repeat(" ", int(max(intOf(p[1]), 0)))
		default:
			return Undefined(), fmt.Errorf("indent must be an int or a str")
		}
		enc.indented = true
		enc.itemSep = ","
	}
	if given(p[2]) {
		seps, err := iterate(p[2])
		if err != nil || len(seps) != 2 || !seps[0].IsString() || !seps[1].IsString() {
			return Undefined(), fmt.Errorf("tojson: separators must be a pair of strings")
		}
		enc.itemSep, enc.keySep = seps[0].AsString(), seps[1].AsString()
	}
	var sb strings.Builder
	if err := enc.encode(&sb, input(args), 0); err != nil {
		return Undefined(), err
	}
	return NewString(sb.String()), nil
}

func filterItems(args []Value, kwargs map[string]Value) (Value, error) {
	v := input(args)
	if v.IsUndefined() {
		return newLazy(nil, "generator"), nil
	}
	if !v.IsDict() {
		//lint:ignore ST1005 message text mirrors Python jinja2 verbatim
		return Undefined(), fmt.Errorf("Can only get item pairs from a mapping.")
	}
	d := v.AsDict()
	items := make([]Value, 0, d.Len())
	for _, key := range d.Keys {
		items = append(items, newTuple([]Value{NewString(key), d.Data[key]}))
	}
	return newLazy(items, "generator"), nil
}

func filterJoin(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("join", args, kwargs, "d", "attribute")
	if err != nil {
		return Undefined(), err
	}
	items, err := iterate(input(args))
	if err != nil {
		return Undefined(), err
	}
	get := attrGetter(p[1], Undefined(), false)
	parts := make([]string, len(items))
	for i, item := range items {
		if given(p[1]) {
			if item, err = get(item); err != nil {
				return Undefined(), err
			}
		}
		parts[i] = pyStr(item)
	}
	sep := ""
	if given(p[0]) || p[0].IsNone() {
		sep = pyStr(p[0])
	}
	return NewString(strings.Join(parts, sep)), nil
}

func filterDefault(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("default", args, kwargs, "default_value", "boolean")
	if err != nil {
		return Undefined(), err
	}
	def := NewString("")
	if given(p[0]) || p[0].IsNone() {
		def = p[0]
	}
	v := input(args)
	if v.IsUndefined() || (p[1].IsTruthy() && !v.IsTruthy()) {
		return def, nil
	}
	return v, nil
}

func filterTrim(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("trim", args, kwargs, "chars")
	if err != nil {
		return Undefined(), err
	}
	chars := ""
	if given(p[0]) {
		chars = pyStr(p[0])
	}
	return NewString(pyStrip(pyStr(input(args)), chars, given(p[0]), true, true)), nil
}

func filterLower(args []Value, kwargs map[string]Value) (Value, error) {
	return NewString(strings.ToLower(pyStr(input(args)))), nil
}

func filterUpper(args []Value, kwargs map[string]Value) (Value, error) {
	return NewString(strings.ToUpper(pyStr(input(args)))), nil
}

// filterTitle is Jinja's title: words start after "-", white space and
// opening brackets; each word is capitalised.
func filterTitle(args []Value, kwargs map[string]Value) (Value, error) {
	var b strings.Builder
	atStart := true
	for _, r := range pyStr(input(args)) {
		if r == '-' || r == '(' || r == '{' || r == '[' || r == '<' || pyIsSpace(r) {
			atStart = true
			b.WriteRune(r)
			continue
		}
		if atStart {
			b.WriteString(strings.ToUpper(string(r)))
			atStart = false
		} else {
			b.WriteString(strings.ToLower(string(r)))
		}
	}
	return NewString(b.String()), nil
}

func filterCapitalize(args []Value, kwargs map[string]Value) (Value, error) {
	return NewString(pyCapitalize(pyStr(input(args)))), nil
}

func filterFirst(args []Value, kwargs map[string]Value) (Value, error) {
	items, err := iterate(input(args))
	if err != nil {
		return Undefined(), err
	}
	if len(items) == 0 {
		return undefinedf("No first item, sequence was empty."), nil
	}
	return items[0], nil
}

func filterLast(args []Value, kwargs map[string]Value) (Value, error) {
	v := input(args)
	if v.IsList() && v.AsList().lazy != "" {
		return Undefined(), fmt.Errorf("'%s' object is not reversible", v.AsList().lazy)
	}
	items, err := iterate(v)
	if err != nil {
		return Undefined(), fmt.Errorf("'%s' object is not reversible", typeName(v))
	}
	if len(items) == 0 {
		return undefinedf("No last item, sequence was empty."), nil
	}
	return items[len(items)-1], nil
}

func filterLength(args []Value, kwargs map[string]Value) (Value, error) {
	v := input(args)
	switch {
	case v.IsList() && v.AsList().lazy != "":
		return Undefined(), fmt.Errorf("object of type '%s' has no len()", v.AsList().lazy)
	case v.IsList():
		return NewInt(int64(v.AsList().Len())), nil
	case v.IsDict():
		return NewInt(int64(v.AsDict().Len())), nil
	case v.IsString():
		return NewInt(int64(utf8.RuneCountInString(v.AsString()))), nil
	case v.IsUndefined():
		return NewInt(0), nil
	}
	return Undefined(), fmt.Errorf("object of type '%s' has no len()", typeName(v))
}

func filterReverse(args []Value, kwargs map[string]Value) (Value, error) {
	v := input(args)
	if v.IsString() {
		runes := []rune(v.AsString())
		for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
			runes[i], runes[j] = runes[j], runes[i]
		}
		return NewString(string(runes)), nil
	}
	items, err := iterate(v)
	if err != nil {
		return Undefined(), fmt.Errorf("argument to reversed() must be a sequence")
	}
	out := make([]Value, len(items))
	for i, item := range items {
		out[len(items)-1-i] = item
	}
	switch {
	case v.IsDict():
		return newLazy(out, "dict_reversekeyiterator"), nil
	case isTuple(v), v.IsUndefined():
		return newLazy(out, "reversed"), nil
	case v.IsList() && v.AsList().plain():
		return newLazy(out, "list_reverseiterator"), nil
	}
	return NewList(out), nil
}

func filterSort(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("sort", args, kwargs, "reverse", "case_sensitive", "attribute")
	if err != nil {
		return Undefined(), err
	}
	src, err := iterate(input(args))
	if err != nil {
		return Undefined(), err
	}
	items := make([]Value, len(src))
	copy(items, src)
	var attrs []Value
	if p[2].IsString() {
		for _, a := range strings.Split(p[2].AsString(), ",") {
			attrs = append(attrs, NewString(a))
		}
	} else {
		attrs = []Value{p[2]}
	}
	keys := make([]Value, len(items))
	for i, item := range items {
		k := make([]Value, len(attrs))
		for j, a := range attrs {
			if k[j], err = attrGetter(a, Undefined(), !p[1].IsTruthy())(item); err != nil {
				return Undefined(), err
			}
		}
		keys[i] = NewList(k)
	}
	if err := sortValues(items, keys, p[0].IsTruthy()); err != nil {
		return Undefined(), err
	}
	return NewList(items), nil
}

// hashable fails as Python's set does for lists and dicts.
func hashable(v Value) error {
	if v.IsList() && !isTuple(v) || v.IsDict() {
		return fmt.Errorf("unhashable type: '%s'", typeName(v))
	}
	return nil
}

func filterUnique(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("unique", args, kwargs, "case_sensitive", "attribute")
	if err != nil {
		return Undefined(), err
	}
	src, err := iterate(input(args))
	if err != nil {
		return Undefined(), err
	}
	get := attrGetter(p[1], Undefined(), !p[0].IsTruthy())
	var seen, items []Value
	for _, item := range src {
		key, err := get(item)
		if err != nil {
			return Undefined(), err
		}
		if err := hashable(key); err != nil {
			return Undefined(), err
		}
		dup := false
		for _, s := range seen {
			if pyEqual(s, key) {
				dup = true
				break
			}
		}
		if !dup {
			seen = append(seen, key)
			items = append(items, item)
		}
	}
	return newLazy(items, "generator"), nil
}

func filterList(args []Value, kwargs map[string]Value) (Value, error) {
	items, err := iterate(input(args))
	if err != nil {
		return Undefined(), err
	}
	out := make([]Value, len(items))
	copy(out, items)
	return NewList(out), nil
}

// parsePyInt is int(s, base) for a string: white space around, a sign,
// "_" between digits and a 0x/0o/0b prefix matching the base.
func parsePyInt(s string, base int) (int64, bool) {
	s = strings.TrimFunc(s, pyIsSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	lower := strings.ToLower(s)
	switch {
	case base == 16 && strings.HasPrefix(lower, "0x"), base == 8 && strings.HasPrefix(lower, "0o"), base == 2 && strings.HasPrefix(lower, "0b"):
		s = s[2:]
		if strings.HasPrefix(s, "_") {
			s = s[1:]
		}
	}
	if s == "" || strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), base, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// parsePyFloat is float(s) for a string.
func parsePyFloat(s string) (float64, bool) {
	s = strings.TrimFunc(s, pyIsSpace)
	t := strings.ToLower(strings.TrimLeft(s, "+-"))
	switch t {
	case "inf", "infinity", "nan":
	default:
		if s == "" || strings.ContainsAny(t, "xp") || strings.HasPrefix(t, "_") || strings.HasSuffix(t, "_") || strings.Contains(t, "__") {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

func filterInt(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("int", args, kwargs, "default", "base")
	if err != nil {
		return Undefined(), err
	}
	def := NewInt(0)
	if given(p[0]) {
		def = p[0]
	}
	base := 10
	if given(p[1]) && isIntLike(p[1]) {
		base = int(intOf(p[1]))
	}
	v := input(args)
	switch {
	case v.IsUndefined():
		return Undefined(), undefinedError(v)
	case isIntLike(v):
		return NewInt(intOf(v)), nil
	case v.IsFloat():
		f := v.AsFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return def, nil
		}
		return NewInt(int64(f)), nil
	case v.IsString():
		if n, ok := parsePyInt(v.AsString(), base); ok {
			return NewInt(n), nil
		}
		if f, ok := parsePyFloat(v.AsString()); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return NewInt(int64(f)), nil
		}
	}
	return def, nil
}

func filterFloatConv(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("float", args, kwargs, "default")
	if err != nil {
		return Undefined(), err
	}
	def := NewFloat(0)
	if given(p[0]) {
		def = p[0]
	}
	v := input(args)
	switch {
	case v.IsUndefined():
		return Undefined(), undefinedError(v)
	case isNumeric(v):
		return NewFloat(floatOf(v)), nil
	case v.IsString():
		if f, ok := parsePyFloat(v.AsString()); ok {
			return NewFloat(f), nil
		}
	}
	return def, nil
}

func filterString(args []Value, kwargs map[string]Value) (Value, error) {
	return NewString(pyStr(input(args))), nil
}

func filterSafe(args []Value, kwargs map[string]Value) (Value, error) {
	return NewString(pyStr(input(args))), nil
}

func filterReplace(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("replace", args, kwargs, "old", "new", "count")
	if err != nil {
		return Undefined(), err
	}
	if !given(p[0]) && !p[0].IsNone() || !given(p[1]) && !p[1].IsNone() {
		return Undefined(), fmt.Errorf("do_replace() missing required arguments 'old' and 'new'")
	}
	count := int64(-1)
	if given(p[2]) {
		if !isIntLike(p[2]) {
			return Undefined(), fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(p[2]))
		}
		count = intOf(p[2])
	}
	return NewString(strings.Replace(pyStr(input(args)), pyStr(p[0]), pyStr(p[1]), int(count))), nil
}

// pyRound is Python's round(x, ndigits) for a float: correctly rounded,
// ties to even.
func pyRound(f float64, ndigits int64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	if ndigits >= 0 {
		if ndigits > 330 {
			return f
		}
		r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', int(ndigits), 64), 64)
		return r
	}
	pow := math.Pow(10, float64(-ndigits))
	return math.RoundToEven(f/pow) * pow
}

func filterRound(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("round", args, kwargs, "precision", "method")
	if err != nil {
		return Undefined(), err
	}
	precision := int64(0)
	if given(p[0]) {
		if !isIntLike(p[0]) {
			return Undefined(), fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(p[0]))
		}
		precision = intOf(p[0])
	}
	method := "common"
	if given(p[1]) {
		method = pyStr(p[1])
	}
	v := input(args)
	if v.IsUndefined() {
		return Undefined(), undefinedError(v)
	}
	if !isNumeric(v) {
		return Undefined(), fmt.Errorf("type %s doesn't define __round__ method", typeName(v))
	}
	switch method {
	case "common":
		if isIntLike(v) {
			n := intOf(v)
			if precision >= 0 {
				return NewInt(n), nil
			}
			pow := int64(math.Pow(10, float64(-precision)))
			if pow == 0 {
				return NewInt(0), nil
			}
			q, r := n/pow, n%pow
			if r < 0 {
				q, r = q-1, r+pow
			}
			if 2*r > pow || (2*r == pow && q%2 != 0) {
				q++
			}
			return NewInt(q * pow), nil
		}
		return NewFloat(pyRound(v.AsFloat(), precision)), nil
	case "floor", "ceil":
		pow := math.Pow(10, float64(precision))
		x := floatOf(v) * pow
		if method == "floor" {
			x = math.Floor(x)
		} else {
			x = math.Ceil(x)
		}
		return NewFloat(x / pow), nil
	}
	return Undefined(), errors.New("method must be common, ceil or floor")
}

func filterAbs(args []Value, kwargs map[string]Value) (Value, error) {
	v := input(args)
	switch {
	case isIntLike(v):
		n := intOf(v)
		if n < 0 {
			n = -n
		}
		return NewInt(n), nil
	case v.IsFloat():
		return NewFloat(math.Abs(v.AsFloat())), nil
	case v.IsUndefined():
		return Undefined(), undefinedError(v)
	}
	return Undefined(), fmt.Errorf("bad operand type for abs(): '%s'", typeName(v))
}

func filterMap(args []Value, kwargs map[string]Value) (Value, error) {
	if !input(args).IsTruthy() {
		return newLazy(nil, "generator"), nil
	}
	items, err := iterate(input(args))
	if err != nil {
		return Undefined(), err
	}
	var fn func(Value) (Value, error)
	if len(args) == 1 {
		attr, ok := kwargs["attribute"]
		if !ok {
			return Undefined(), errors.New("map requires a filter argument")
		}
		def := Undefined()
		for k, v := range kwargs {
			switch k {
			case "attribute", kwOrderKey:
			case "default":
				def = v
			default:
				return Undefined(), fmt.Errorf("Unexpected keyword argument %s", pyStrRepr(k))
			}
		}
		fn = attrGetter(attr, def, false)
	} else {
		name := pyStr(args[1])
		rest := args[2:]
		fn = func(item Value) (Value, error) {
			return callFilter(name, append([]Value{item}, rest...), kwargs)
		}
	}
	out := make([]Value, 0, len(items))
	for _, item := range items {
		v, err := fn(item)
		if err != nil {
			return Undefined(), err
		}
		out = append(out, v)
	}
	return newLazy(out, "generator"), nil
}

// selectOrReject is Jinja's select_or_reject: items (or their attribute)
// that pass the named test, or are true without a test; reject keeps the
// others.
func selectOrReject(filter string, args []Value, kwargs map[string]Value, want, lookupAttr bool) (Value, error) {
	v := input(args)
	if !v.IsTruthy() {
		return newLazy(nil, "generator"), nil
	}
	items, err := iterate(v)
	if err != nil {
		return Undefined(), err
	}
	rest := args[1:]
	get := func(item Value) (Value, error) { return item, nil }
	if lookupAttr {
		if len(rest) == 0 {
			return Undefined(), errors.New("Missing parameter for attribute name")
		}
		get = attrGetter(rest[0], Undefined(), false)
		rest = rest[1:]
	}
	var testArgs []Value
	testName := ""
	if len(rest) > 0 {
		testName = pyStr(rest[0])
		testArgs = rest[1:]
	}
	for k, kv := range kwargs {
		if k != kwOrderKey {
			testArgs = append(testArgs, kv)
		}
	}
	var out []Value
	for _, item := range items {
		x, err := get(item)
		if err != nil {
			return Undefined(), err
		}
		ok := x.IsTruthy()
		if testName != "" {
			if ok, err = evalTest(testName, x, testArgs); err != nil {
				return Undefined(), err
			}
		}
		if ok == want {
			out = append(out, item)
		}
	}
	return newLazy(out, "generator"), nil
}

func filterSelect(args []Value, kwargs map[string]Value) (Value, error) {
	return selectOrReject("select", args, kwargs, true, false)
}

func filterReject(args []Value, kwargs map[string]Value) (Value, error) {
	return selectOrReject("reject", args, kwargs, false, false)
}

func filterSelectattr(args []Value, kwargs map[string]Value) (Value, error) {
	return selectOrReject("selectattr", args, kwargs, true, true)
}

func filterRejectattr(args []Value, kwargs map[string]Value) (Value, error) {
	return selectOrReject("rejectattr", args, kwargs, false, true)
}

// filterIndent is Jinja's indent(width=4, first=False, blank=False).
func filterIndent(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("indent", args, kwargs, "width", "first", "blank")
	if err != nil {
		return Undefined(), err
	}
	indention := "    "
	if given(p[0]) {
		switch {
		case p[0].IsString():
			indention = p[0].AsString()
		case isIntLike(p[0]):
			indention = strings.Repeat(" ", int(max(intOf(p[0]), 0)))
		default:
			return Undefined(), fmt.Errorf("can't multiply sequence by non-int of type '%s'", typeName(p[0]))
		}
	}
	v := input(args)
	if v.IsUndefined() {
		return Undefined(), undefinedError(v)
	}
	if !v.IsString() {
		return Undefined(), fmt.Errorf("unsupported operand type(s) for +=: '%s' and 'str'", typeName(v))
	}
	s := v.AsString() + "\n"
	lines := pySplitLines(s, false)
	var rv string
	if p[2].IsTruthy() {
		rv = strings.Join(lines, "\n"+indention)
	} else {
		rv = lines[0]
		if len(lines) > 1 {
			rest := make([]string, len(lines)-1)
			for i, line := range lines[1:] {
				if line != "" {
					line = indention + line
				}
				rest[i] = line
			}
			rv += "\n" + strings.Join(rest, "\n")
		}
	}
	if p[1].IsTruthy() {
		rv = indention + rv
	}
	return NewString(rv), nil
}

// filterWordcount counts the runs of word characters (\w+).
func filterWordcount(args []Value, kwargs map[string]Value) (Value, error) {
	n := 0
	in := false
	for _, r := range pyStr(input(args)) {
		w := r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
		if w && !in {
			n++
		}
		in = w
	}
	return NewInt(int64(n)), nil
}

// filterEscape is markupsafe's escape.
func filterEscape(args []Value, kwargs map[string]Value) (Value, error) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return NewString(r.Replace(pyStr(input(args)))), nil
}

func filterDictsort(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("dictsort", args, kwargs, "case_sensitive", "by", "reverse")
	if err != nil {
		return Undefined(), err
	}
	v := input(args)
	if !v.IsDict() {
		return Undefined(), fmt.Errorf("'%s' object has no attribute 'items'", typeName(v))
	}
	pos := 0
	if given(p[1]) {
		switch pyStr(p[1]) {
		case "key":
		case "value":
			pos = 1
		default:
			return Undefined(), errors.New(`You can only sort by either "key" or "value"`)
		}
	}
	d := v.AsDict()
	items := make([]Value, len(d.Keys))
	keys := make([]Value, len(d.Keys))
	for i, key := range d.Keys {
		items[i] = newTuple([]Value{NewString(key), d.Data[key]})
		k := items[i].AsList().Items[pos]
		if !p[0].IsTruthy() && k.IsString() {
			k = NewString(strings.ToLower(k.AsString()))
		}
		keys[i] = k
	}
	if err := sortValues(items, keys, p[2].IsTruthy()); err != nil {
		return Undefined(), err
	}
	return NewList(items), nil
}

func minOrMax(filter string, args []Value, kwargs map[string]Value, sign int) (Value, error) {
	p, err := bind(filter, args, kwargs, "case_sensitive", "attribute")
	if err != nil {
		return Undefined(), err
	}
	items, err := iterate(input(args))
	if err != nil {
		return Undefined(), err
	}
	if len(items) == 0 {
		return undefinedf("No aggregated item, sequence was empty."), nil
	}
	get := attrGetter(p[1], Undefined(), !p[0].IsTruthy())
	best := items[0]
	bestKey, err := get(best)
	if err != nil {
		return Undefined(), err
	}
	for _, item := range items[1:] {
		k, err := get(item)
		if err != nil {
			return Undefined(), err
		}
		c, err := pyCompare(k, bestKey, map[int]string{1: ">", -1: "<"}[sign])
		if err != nil {
			return Undefined(), err
		}
		if c*sign > 0 {
			best, bestKey = item, k
		}
	}
	return best, nil
}

func filterMax(args []Value, kwargs map[string]Value) (Value, error) {
	return minOrMax("max", args, kwargs, 1)
}

func filterMin(args []Value, kwargs map[string]Value) (Value, error) {
	return minOrMax("min", args, kwargs, -1)
}

func filterSum(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("sum", args, kwargs, "attribute", "start")
	if err != nil {
		return Undefined(), err
	}
	items, err := iterate(input(args))
	if err != nil {
		return Undefined(), err
	}
	total := NewInt(0)
	if given(p[1]) {
		total = p[1]
	}
	get := attrGetter(p[0], Undefined(), false)
	for _, item := range items {
		if item, err = get(item); err != nil {
			return Undefined(), err
		}
		if total, err = pyAdd(total, item); err != nil {
			return Undefined(), err
		}
	}
	return total, nil
}

func filterBatch(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("batch", args, kwargs, "linecount", "fill_with")
	if err != nil {
		return Undefined(), err
	}
	if !isIntLike(p[0]) {
		return Undefined(), fmt.Errorf("batch() missing required argument 'linecount'")
	}
	n := int(intOf(p[0]))
	items, err := iterate(input(args))
	if err != nil {
		return Undefined(), err
	}
	var batches []Value
	var tmp []Value
	for _, item := range items {
		if len(tmp) == n {
			batches = append(batches, NewList(tmp))
			tmp = nil
		}
		tmp = append(tmp, item)
	}
	if len(tmp) > 0 {
		if given(p[1]) {
			for len(tmp) < n {
				tmp = append(tmp, p[1])
			}
		}
		batches = append(batches, NewList(tmp))
	}
	return newLazy(batches, "generator"), nil
}

func filterAttr(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("attr", args, kwargs, "name")
	if err != nil {
		return Undefined(), err
	}
	// Only attributes, never items: a dict's keys are not attributes.
	obj, name := input(args), pyStr(p[0])
	if obj.IsDict() && !obj.AsDict().namespace {
		if m, ok := method(obj, name); ok {
			return m, nil
		}
		return undefinedf("'%s' has no attribute %s", objectTypeRepr(obj), pyStrRepr(name)), nil
	}
	return getAttr(obj, name)
}

// filterFormat is Jinja's format: value % args (or % kwargs).
func filterFormat(args []Value, kwargs map[string]Value) (Value, error) {
	rest := args[1:]
	named := NewDict()
	for _, k := range orderedKwargs(kwargs) {
		named.AsDict().Set(k, kwargs[k])
	}
	if len(rest) > 0 && named.AsDict().Len() > 0 {
		return Undefined(), errors.New("can't handle positional and keyword arguments at the same time")
	}
	fmtArgs := newTuple(rest)
	if named.AsDict().Len() > 0 {
		fmtArgs = named
	}
	s, err := pyPercentFormat(pyStr(input(args)), fmtArgs)
	if err != nil {
		return Undefined(), err
	}
	return NewString(s), nil
}

func filterCenter(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("center", args, kwargs, "width")
	if err != nil {
		return Undefined(), err
	}
	width := NewInt(80)
	if given(p[0]) {
		width = p[0]
	}
	return justify([]Value{width}, nil, pyStr(input(args)), '^')
}

func filterTruncate(args []Value, kwargs map[string]Value) (Value, error) {
	p, err := bind("truncate", args, kwargs, "length", "killwords", "end", "leeway")
	if err != nil {
		return Undefined(), err
	}
	length, leeway, end := int64(255), int64(5), "..."
	for _, q := range []Value{p[0], p[3]} {
		if given(q) && !isIntLike(q) {
			return Undefined(), fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(q))
		}
	}
	if given(p[0]) {
		length = intOf(p[0])
	}
	if given(p[2]) {
		end = pyStr(p[2])
	}
	if given(p[3]) {
		leeway = intOf(p[3])
	}
	if v := input(args); !v.IsString() {
		// truncate does not convert its value: a short one comes back
		// as it is, whatever its type.
		n, err := filterLength([]Value{v}, nil)
		if err != nil {
			return Undefined(), err
		}
		if intOf(n) <= length+leeway {
			return v, nil
		}
		return Undefined(), fmt.Errorf("truncate: cannot truncate a %s", typeName(v))
	}
	runes := []rune(pyStr(input(args)))
	endLen := int64(utf8.RuneCountInString(end))
	if length < endLen {
		return Undefined(), fmt.Errorf("expected length >= %d, got %d", endLen, length)
	}
	if int64(len(runes)) <= length+leeway {
		return NewString(string(runes)), nil
	}
	cut := string(runes[:length-endLen])
	if p[1].IsTruthy() {
		return NewString(cut + end), nil
	}
	if k := strings.LastIndex(cut, " "); k >= 0 {
		cut = cut[:k]
	}
	return NewString(cut + end), nil
}

// filterPprint is pprint.pformat: dict keys sorted, and containers that do
// not fit in 80 columns broken over lines (long strings are not split).
func filterPprint(args []Value, kwargs map[string]Value) (Value, error) {
	var b strings.Builder
	pprintFormat(&b, input(args), 0, 0)
	return NewString(b.String()), nil
}

// pprintRepr is repr with dict keys sorted.
func pprintRepr(v Value) string {
	switch {
	case v.IsDict() && !v.AsDict().namespace:
		d := v.AsDict()
		keys := append([]string(nil), d.Keys...)
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyStrRepr(k) + ": " + pprintRepr(d.Data[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case v.IsList() && v.AsList().plain():
		items := v.AsList().Items
		parts := make([]string, len(items))
		for i, item := range items {
			parts[i] = pprintRepr(item)
		}
		if isTuple(v) {
			if len(items) == 1 {
				return "(" + parts[0] + ",)"
			}
			return "(" + strings.Join(parts, ", ") + ")"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return pyRepr(v)
}

func pprintFormat(b *strings.Builder, v Value, indent, allowance int) {
	rep := pprintRepr(v)
	if utf8.RuneCountInString(rep) <= 80-indent-allowance {
		b.WriteString(rep)
		return
	}
	switch {
	case v.IsDict() && !v.AsDict().namespace && v.AsDict().Len() > 0:
		d := v.AsDict()
		keys := append([]string(nil), d.Keys...)
		sort.Strings(keys)
		b.WriteByte('{')
		in := indent + 1
		for i, k := range keys {
			last := i == len(keys)-1
			kr := pyStrRepr(k)
			b.WriteString(kr)
			b.WriteString(": ")
			a := 1
			if last {
				a = allowance + 1
			}
			pprintFormat(b, d.Data[k], in+utf8.RuneCountInString(kr)+2, a)
			if !last {
				b.WriteString(",\n" + strings.Repeat(" ", in))
			}
		}
		b.WriteByte('}')
	case v.IsList() && v.AsList().plain() && v.AsList().Len() > 0:
		items := v.AsList().Items
		open, end := "[", "]"
		if isTuple(v) {
			open, end = "(", ")"
			if len(items) == 1 {
				end = ",)"
			}
		}
		b.WriteString(open)
		in := indent + 1
		for i, item := range items {
			if i > 0 {
				b.WriteString(",\n" + strings.Repeat(" ", in))
			}
			a := 1
			if i == len(items)-1 {
				a = allowance + len(end)
			}
			pprintFormat(b, item, in, a)
		}
		b.WriteString(end)
	default:
		b.WriteString(rep)
	}
}

// =============================================================================
// Test evaluation
// =============================================================================

// jinjaTests are the names of Jinja's built-in tests.
var jinjaTests = map[string]bool{
	"odd": true, "even": true, "divisibleby": true, "defined": true, "undefined": true,
	"filter": true, "test": true, "none": true, "boolean": true, "false": true, "true": true,
	"integer": true, "float": true, "lower": true, "upper": true, "string": true,
	"mapping": true, "number": true, "sequence": true, "iterable": true, "callable": true,
	"sameas": true, "escaped": true, "in": true, "==": true, "eq": true, "equalto": true,
	"!=": true, "ne": true, ">": true, "gt": true, "greaterthan": true, ">=": true, "ge": true,
	"<": true, "lt": true, "lessthan": true, "<=": true, "le": true,
}

func needArg(name string, args []Value) error {
	if len(args) < 1 {
		return fmt.Errorf("test %s() missing 1 required positional argument", name)
	}
	return nil
}

func evalTest(name string, val Value, args []Value) (bool, error) {
	switch name {
	case "defined":
		return !val.IsUndefined(), nil
	case "undefined":
		return val.IsUndefined(), nil
	case "none":
		return val.IsNone(), nil
	case "boolean":
		return val.IsBool(), nil
	case "integer":
		return val.IsInt(), nil
	case "float":
		return val.IsFloat(), nil
	case "number":
		return isNumeric(val), nil
	case "string":
		return val.IsString(), nil
	case "mapping":
		return val.IsDict() && !val.AsDict().namespace, nil
	case "iterable":
		return val.IsList() || val.IsDict() || val.IsString() || val.IsUndefined(), nil
	case "sequence":
		return (val.IsList() && val.AsList().plain()) || (val.IsDict() && !val.AsDict().namespace) || val.IsString() || val.IsUndefined(), nil
	case "callable":
		return val.IsCallable() || val.IsUndefined(), nil
	case "true":
		return val.IsBool() && val.AsBool(), nil
	case "false":
		return val.IsBool() && !val.AsBool(), nil
	case "escaped":
		return false, nil
	case "filter":
		_, ok := filterTable[pyStr(val)]
		return ok, nil
	case "test":
		return jinjaTests[pyStr(val)], nil
	case "eq", "equalto", "==":
		if err := needArg(name, args); err != nil {
			return false, err
		}
		return pyEqual(val, args[0]), nil
	case "ne", "!=":
		if err := needArg(name, args); err != nil {
			return false, err
		}
		return !pyEqual(val, args[0]), nil
	case "gt", "greaterthan", ">", "ge", ">=", "lt", "lessthan", "<", "le", "<=":
		if err := needArg(name, args); err != nil {
			return false, err
		}
		op := map[string]string{"gt": ">", "greaterthan": ">", "ge": ">=", "lt": "<", "lessthan": "<", "le": "<="}[name]
		if op == "" {
			op = name
		}
		c, err := pyCompare(val, args[0], op)
		if err != nil {
			return false, err
		}
		switch op {
		case ">":
			return c > 0, nil
		case ">=":
			return c >= 0, nil
		case "<":
			return c < 0, nil
		}
		return c <= 0, nil
	case "in":
		if err := needArg(name, args); err != nil {
			return false, err
		}
		return pyContains(args[0], val)
	case "odd", "even", "divisibleby":
		divisor := NewInt(2)
		if name == "divisibleby" {
			if err := needArg(name, args); err != nil {
				return false, err
			}
			divisor = args[0]
		}
		if val.IsUndefined() {
			return false, undefinedError(val)
		}
		m, err := pyMod(val, divisor)
		if err != nil {
			return false, err
		}
		if name == "odd" {
			return pyEqual(m, NewInt(1)), nil
		}
		return pyEqual(m, NewInt(0)), nil
	case "upper":
		return pyIsUpper(pyStr(val)), nil
	case "lower":
		return pyIsLower(pyStr(val)), nil
	case "sameas":
		if err := needArg(name, args); err != nil {
			return false, err
		}
		o := args[0]
		if val.kind != o.kind {
			return false, nil
		}
		switch val.kind {
		case KindList, KindDict:
			return val.v == o.v, nil
		}
		return pyEqual(val, o), nil
	}

	return false, fmt.Errorf("No test named %s.", pyStrRepr(name))
}
