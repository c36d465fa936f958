package jinja

// Attribute and item access as Jinja's ImmutableSandboxedEnvironment does
// it: obj.attr prefers Python attributes (methods) and falls back to
// obj[attr]; obj[key] prefers the item and falls back to the attribute;
// what is missing is an undefined value that remembers why; methods that
// modify a list or dict are unsafe; and the str, list and dict methods
// behave as Python's.

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// getAttr is Jinja's environment.getattr (obj.attr).
func getAttr(obj Value, attr string) (Value, error) {
	if obj.IsUndefined() {
		return Undefined(), undefinedError(obj)
	}
	return getAttrValue(obj, attr), nil
}

// getAttrValue is getAttr for an object that is not undefined.
func getAttrValue(obj Value, attr string) Value {
	if obj.IsUndefined() {
		return obj
	}
	if obj.IsDict() && obj.AsDict().namespace {
		if v, ok := obj.AsDict().Get(attr); ok {
			return v
		}
		return undefinedf("'Namespace object' has no attribute %s", pyStrRepr(attr))
	}
	if m, ok := method(obj, attr); ok {
		return m
	}
	if obj.IsDict() {
		if v, ok := obj.AsDict().Get(attr); ok {
			return v
		}
	}
	return undefinedf("'%s' has no attribute %s", objectTypeRepr(obj), pyStrRepr(attr))
}

// getItem is Jinja's environment.getitem (obj[key]).
func getItem(obj, key Value) (Value, error) {
	if obj.IsUndefined() {
		return Undefined(), undefinedError(obj)
	}
	return getItemValue(obj, key), nil
}

// getItemValue is getItem for an object that is not undefined.
func getItemValue(obj, key Value) Value {
	if obj.IsUndefined() {
		return obj
	}
	switch {
	case obj.IsDict():
		if v, ok := obj.AsDict().Get(pyStr(key)); ok {
			return v
		}
	case obj.IsList() && isIntLike(key) && obj.AsList().plain():
		list := obj.AsList()
		idx := intOf(key)
		if idx < 0 {
			idx += int64(list.Len())
		}
		if idx >= 0 && idx < int64(list.Len()) {
			return list.Items[idx]
		}
	case obj.IsString() && isIntLike(key):
		s := obj.AsString()
		idx := intOf(key)
		if isASCII(s) {
			if idx < 0 {
				idx += int64(len(s))
			}
			if idx >= 0 && idx < int64(len(s)) {
				return NewString(s[idx : idx+1])
			}
		} else {
			runes := []rune(s)
			if idx < 0 {
				idx += int64(len(runes))
			}
			if idx >= 0 && idx < int64(len(runes)) {
				return NewString(string(runes[idx]))
			}
		}
	}
	if key.IsString() {
		if obj.IsDict() && obj.AsDict().namespace {
			return undefinedf("'Namespace object' has no attribute %s", pyStrRepr(key.AsString()))
		}
		if m, ok := method(obj, key.AsString()); ok {
			return m
		}
		return undefinedf("'%s' has no attribute %s", objectTypeRepr(obj), pyStrRepr(key.AsString()))
	}
	return undefinedf("'%s' has no element %s", objectTypeRepr(obj), pyRepr(key))
}

// unsafeMethods are the methods ImmutableSandboxedEnvironment refuses
// because they modify a list or dict.
var unsafeMethods = map[string]map[string]bool{
	"list": {"append": true, "clear": true, "pop": true, "reverse": true, "insert": true, "sort": true, "extend": true, "remove": true},
	"dict": {"clear": true, "pop": true, "popitem": true, "setdefault": true, "update": true},
}

// method returns obj's Python method attr, or an undefined value that
// fails with the sandbox's message for a method that would modify obj.
func method(obj Value, attr string) (Value, bool) {
	tn := typeName(obj)
	if unsafeMethods[tn][attr] || strings.HasPrefix(attr, "__") && strings.HasSuffix(attr, "__") {
		return undefinedf("access to attribute %s of %s object is unsafe.", pyStrRepr(attr), pyStrRepr(tn)), true
	}
	var fn func([]Value, map[string]Value) (Value, error)
	switch {
	case obj.IsString():
		fn = strMethod(obj.AsString(), attr)
	case obj.IsList() && obj.AsList().plain():
		fn = listMethod(obj, attr)
	case obj.IsDict():
		fn = dictMethod(obj.AsDict(), attr)
	}
	if fn == nil {
		return Undefined(), false
	}
	return NewCallable(tn+"."+attr, fn), true
}

// arg returns positional argument i or keyword argument name.
func arg(args []Value, kwargs map[string]Value, i int, name string) (Value, bool) {
	if i < len(args) {
		return args[i], true
	}
	if v, ok := kwargs[name]; ok {
		return v, true
	}
	return Undefined(), false
}

func strArg(args []Value, kwargs map[string]Value, i int, name, method string) (string, bool, error) {
	v, ok := arg(args, kwargs, i, name)
	if !ok || v.IsNone() {
		return "", false, nil
	}
	if !v.IsString() {
		return "", false, fmt.Errorf("%s arg must be None or str", method)
	}
	return v.AsString(), true, nil
}

func intArg(args []Value, kwargs map[string]Value, i int, name string, def int64) (int64, error) {
	v, ok := arg(args, kwargs, i, name)
	if !ok || v.IsNone() {
		return def, nil
	}
	if !isIntLike(v) {
		return 0, fmt.Errorf("'%s' object cannot be interpreted as an integer", typeName(v))
	}
	return intOf(v), nil
}

func stringList(parts []string) Value {
	items := make([]Value, len(parts))
	for i, p := range parts {
		items[i] = NewString(p)
	}
	return NewList(items)
}

// runeRange resolves Python's optional start and end arguments (character
// positions, negative from the end) to a byte range of s.
func runeRange(s string, args []Value, first int) (int, int, error) {
	n := int64(utf8.RuneCountInString(s))
	clamp := func(v Value, def int64) (int64, error) {
		if v.IsUndefined() || v.IsNone() {
			return def, nil
		}
		if !isIntLike(v) {
			return 0, errors.New("slice indices must be integers or None")
		}
		i := intOf(v)
		if i < 0 {
			i += n
		}
		return min(max(i, 0), n), nil
	}
	startV, endV := Undefined(), Undefined()
	if len(args) > first {
		startV = args[first]
	}
	if len(args) > first+1 {
		endV = args[first+1]
	}
	start, err := clamp(startV, 0)
	if err != nil {
		return 0, 0, err
	}
	end, err := clamp(endV, n)
	if err != nil {
		return 0, 0, err
	}
	if end < start {
		end = start
	}
	return runeOffset(s, int(start)), runeOffset(s, int(end)), nil
}

func runeOffset(s string, n int) int {
	if isASCII(s) {
		return min(n, len(s))
	}
	i := 0
	for k := range s {
		if i == n {
			return k
		}
		i++
	}
	return len(s)
}

func runeIndex(s string, byteIdx int) int {
	if byteIdx < 0 {
		return byteIdx
	}
	return utf8.RuneCountInString(s[:byteIdx])
}

// pyStrip is str.strip / lstrip / rstrip: white space without chars,
// else the characters of chars.
func pyStrip(s string, chars string, haveChars, left, right bool) string {
	if !haveChars {
		if left {
			s = strings.TrimLeftFunc(s, pyIsSpace)
		}
		if right {
			s = strings.TrimRightFunc(s, pyIsSpace)
		}
		return s
	}
	if left {
		s = strings.TrimLeft(s, chars)
	}
	if right {
		s = strings.TrimRight(s, chars)
	}
	return s
}

// pySplitWhite is str.split() / str.split(None, maxsplit).
func pySplitWhite(s string, maxsplit int64) []string {
	var parts []string
	rest := strings.TrimLeftFunc(s, pyIsSpace)
	for rest != "" {
		if maxsplit >= 0 && int64(len(parts)) == maxsplit {
			parts = append(parts, rest)
			break
		}
		end := strings.IndexFunc(rest, pyIsSpace)
		if end < 0 {
			parts = append(parts, rest)
			break
		}
		parts = append(parts, rest[:end])
		rest = strings.TrimLeftFunc(rest[end:], pyIsSpace)
	}
	if parts == nil {
		parts = []string{}
	}
	return parts
}

// pyRSplitWhite is str.rsplit() / str.rsplit(None, maxsplit).
func pyRSplitWhite(s string, maxsplit int64) []string {
	var rev []string
	rest := strings.TrimRightFunc(s, pyIsSpace)
	for rest != "" {
		if maxsplit >= 0 && int64(len(rev)) == maxsplit {
			rev = append(rev, rest)
			break
		}
		start := strings.LastIndexFunc(rest, pyIsSpace)
		if start < 0 {
			rev = append(rev, rest)
			break
		}
		_, size := utf8.DecodeRuneInString(rest[start:])
		rev = append(rev, rest[start+size:])
		rest = strings.TrimRightFunc(rest[:start], pyIsSpace)
	}
	parts := make([]string, len(rev))
	for i, p := range rev {
		parts[len(rev)-1-i] = p
	}
	return parts
}

// pyTitle is str.title: a cased character after an uncased one is upper
// (title) case, the others lower case.
func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if prevCased {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToTitle(r))
		}
		prevCased = unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
	}
	return b.String()
}

// pyCapitalize is str.capitalize: the first character in title case, the
// rest lower case.
func pyCapitalize(s string) string {
	if s == "" {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToTitle(r)) + strings.ToLower(s[size:])
}

// pySplitLines is str.splitlines.
func pySplitLines(s string, keepends bool) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			end := i + size
			if r == '\r' && end < len(s) && s[end] == '\n' {
				end++
			}
			if keepends {
				lines = append(lines, s[start:end])
			} else {
				lines = append(lines, s[start:i])
			}
			start = end
			i = end
			continue
		}
		i += size
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

func prefixes(v Value, method string) ([]string, error) {
	if v.IsString() {
		return []string{v.AsString()}, nil
	}
	if isTuple(v) {
		var out []string
		for _, item := range v.AsList().Items {
			if !item.IsString() {
				return nil, fmt.Errorf("tuple for %s must only contain str, not %s", method, typeName(item))
			}
			out = append(out, item.AsString())
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s first arg must be str or a tuple of str, not %s", method, typeName(v))
}

func justify(args []Value, kwargs map[string]Value, s string, align byte) (Value, error) {
	width, err := intArg(args, kwargs, 0, "width", 0)
	if err != nil {
		return Undefined(), err
	}
	fill := ' '
	if f, ok, err := strArg(args, kwargs, 1, "fillchar", "fillchar"); err != nil {
		return Undefined(), err
	} else if ok {
		if utf8.RuneCountInString(f) != 1 {
			return Undefined(), errors.New("The fill character must be exactly one character long")
		}
		fill, _ = utf8.DecodeRuneInString(f)
	}
	if align == '^' {
		// Python centres with the extra fill on the right when the
		// padding is odd and the width is even... exactly as
		// str.center: left = pad/2 + (pad & width & 1).
		n := utf8.RuneCountInString(s)
		padding := int(width) - n
		if padding <= 0 {
			return NewString(s), nil
		}
		left := padding/2 + (padding & int(width) & 1)
		return NewString(strings.Repeat(string(fill), left) + s + strings.Repeat(string(fill), padding-left)), nil
	}
	return NewString(pad(s, fmtSpec{fill: fill, align: align, width: int(width)})), nil
}

func strMethod(s, name string) func([]Value, map[string]Value) (Value, error) {
	switch name {
	case "strip", "lstrip", "rstrip":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			chars, ok, err := strArg(args, kwargs, 0, "chars", name)
			if err != nil {
				return Undefined(), err
			}
			return NewString(pyStrip(s, chars, ok, name != "rstrip", name != "lstrip")), nil
		}
	case "split", "rsplit":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			sep, ok, err := strArg(args, kwargs, 0, "sep", name)
			if err != nil {
				return Undefined(), err
			}
			maxsplit, err := intArg(args, kwargs, 1, "maxsplit", -1)
			if err != nil {
				return Undefined(), err
			}
			if !ok {
				if name == "split" {
					return stringList(pySplitWhite(s, maxsplit)), nil
				}
				return stringList(pyRSplitWhite(s, maxsplit)), nil
			}
			if sep == "" {
				return Undefined(), errors.New("empty separator")
			}
			if name == "split" || maxsplit < 0 {
				n := -1
				if maxsplit >= 0 {
					n = int(maxsplit) + 1
				}
				return stringList(strings.SplitN(s, sep, n)), nil
			}
			var rev []string
			rest := s
			for int64(len(rev)) < maxsplit {
				k := strings.LastIndex(rest, sep)
				if k < 0 {
					break
				}
				rev = append(rev, rest[k+len(sep):])
				rest = rest[:k]
			}
			rev = append(rev, rest)
			parts := make([]string, len(rev))
			for i, p := range rev {
				parts[len(rev)-1-i] = p
			}
			return stringList(parts), nil
		}
	case "splitlines":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			keep, _ := arg(args, kwargs, 0, "keepends")
			return stringList(pySplitLines(s, keep.IsTruthy())), nil
		}
	case "startswith", "endswith":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) == 0 {
				return Undefined(), fmt.Errorf("%s() takes at least 1 argument (0 given)", name)
			}
			ps, err := prefixes(args[0], name)
			if err != nil {
				return Undefined(), err
			}
			from, to, err := runeRange(s, args, 1)
			if err != nil {
				return Undefined(), err
			}
			sub := s[from:to]
			for _, p := range ps {
				if (name == "startswith" && strings.HasPrefix(sub, p)) || (name == "endswith" && strings.HasSuffix(sub, p)) {
					return NewBool(true), nil
				}
			}
			return NewBool(false), nil
		}
	case "replace":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) < 2 || !args[0].IsString() || !args[1].IsString() {
				return Undefined(), errors.New("replace() takes two str arguments")
			}
			count, err := intArg(args, kwargs, 2, "count", -1)
			if err != nil {
				return Undefined(), err
			}
			return NewString(strings.Replace(s, args[0].AsString(), args[1].AsString(), int(count))), nil
		}
	case "upper":
		return func([]Value, map[string]Value) (Value, error) { return NewString(strings.ToUpper(s)), nil }
	case "lower", "casefold":
		return func([]Value, map[string]Value) (Value, error) { return NewString(strings.ToLower(s)), nil }
	case "swapcase":
		return func([]Value, map[string]Value) (Value, error) {
			return NewString(strings.Map(func(r rune) rune {
				if unicode.IsUpper(r) {
					return unicode.ToLower(r)
				}
				return unicode.ToUpper(r)
			}, s)), nil
		}
	case "title":
		return func([]Value, map[string]Value) (Value, error) { return NewString(pyTitle(s)), nil }
	case "capitalize":
		return func([]Value, map[string]Value) (Value, error) { return NewString(pyCapitalize(s)), nil }
	case "count", "find", "rfind", "index", "rindex":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) == 0 || !args[0].IsString() {
				return Undefined(), fmt.Errorf("%s() argument must be str", name)
			}
			sub := args[0].AsString()
			from, to, err := runeRange(s, args, 1)
			if err != nil {
				return Undefined(), err
			}
			hay := s[from:to]
			if name == "count" {
				if sub == "" {
					return NewInt(int64(utf8.RuneCountInString(hay) + 1)), nil
				}
				return NewInt(int64(strings.Count(hay, sub))), nil
			}
			var k int
			if name == "find" || name == "index" {
				k = strings.Index(hay, sub)
			} else {
				k = strings.LastIndex(hay, sub)
			}
			if k < 0 {
				if name == "index" || name == "rindex" {
					return Undefined(), errors.New("substring not found")
				}
				return NewInt(-1), nil
			}
			return NewInt(int64(runeIndex(s, from+k))), nil
		}
	case "format":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			out, err := pyStrFormat(s, args, kwargs)
			if err != nil {
				return Undefined(), err
			}
			return NewString(out), nil
		}
	case "join":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) != 1 {
				return Undefined(), fmt.Errorf("join() takes exactly one argument (%d given)", len(args))
			}
			items, err := iterate(args[0])
			if err != nil {
				return Undefined(), errors.New("can only join an iterable")
			}
			parts := make([]string, len(items))
			for i, item := range items {
				if !item.IsString() {
					return Undefined(), fmt.Errorf("sequence item %d: expected str instance, %s found", i, typeName(item))
				}
				parts[i] = item.AsString()
			}
			return NewString(strings.Join(parts, s)), nil
		}
	case "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace", "islower", "isupper", "istitle":
		return func([]Value, map[string]Value) (Value, error) {
			switch name {
			case "islower":
				return NewBool(pyIsLower(s)), nil
			case "isupper":
				return NewBool(pyIsUpper(s)), nil
			case "istitle":
				return NewBool(s != "" && pyTitle(s) == s && strings.IndexFunc(s, unicode.IsLetter) >= 0), nil
			}
			if s == "" {
				return NewBool(false), nil
			}
			for _, r := range s {
				ok := false
				switch name {
				case "isdigit", "isdecimal":
					ok = unicode.IsDigit(r)
				case "isnumeric":
					ok = unicode.IsNumber(r)
				case "isalpha":
					ok = unicode.IsLetter(r)
				case "isalnum":
					ok = unicode.IsLetter(r) || unicode.IsNumber(r)
				case "isspace":
					ok = pyIsSpace(r)
				}
				if !ok {
					return NewBool(false), nil
				}
			}
			return NewBool(true), nil
		}
	case "zfill":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			width, err := intArg(args, kwargs, 0, "width", 0)
			if err != nil {
				return Undefined(), err
			}
			n := utf8.RuneCountInString(s)
			if int(width) <= n {
				return NewString(s), nil
			}
			sign := ""
			body := s
			if s != "" && (s[0] == '-' || s[0] == '+') {
				sign, body = s[:1], s[1:]
			}
			return NewString(sign + strings.Repeat("0", int(width)-n) + body), nil
		}
	case "center":
		return func(args []Value, kwargs map[string]Value) (Value, error) { return justify(args, kwargs, s, '^') }
	case "ljust":
		return func(args []Value, kwargs map[string]Value) (Value, error) { return justify(args, kwargs, s, '<') }
	case "rjust":
		return func(args []Value, kwargs map[string]Value) (Value, error) { return justify(args, kwargs, s, '>') }
	case "partition", "rpartition":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) != 1 || !args[0].IsString() {
				return Undefined(), fmt.Errorf("%s() argument must be str", name)
			}
			sep := args[0].AsString()
			if sep == "" {
				return Undefined(), errors.New("empty separator")
			}
			var k int
			if name == "partition" {
				k = strings.Index(s, sep)
			} else {
				k = strings.LastIndex(s, sep)
			}
			if k < 0 {
				if name == "partition" {
					return newTuple([]Value{NewString(s), NewString(""), NewString("")}), nil
				}
				return newTuple([]Value{NewString(""), NewString(""), NewString(s)}), nil
			}
			return newTuple([]Value{NewString(s[:k]), NewString(sep), NewString(s[k+len(sep):])}), nil
		}
	case "removeprefix", "removesuffix":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) != 1 || !args[0].IsString() {
				return Undefined(), fmt.Errorf("%s() argument must be str", name)
			}
			if name == "removeprefix" {
				return NewString(strings.TrimPrefix(s, args[0].AsString())), nil
			}
			return NewString(strings.TrimSuffix(s, args[0].AsString())), nil
		}
	}
	return nil
}

// newView returns a dict view (d.items(), d.keys(), d.values()): it has a
// length and iterates, but is not subscriptable and prints as
// dict_items([...]).
func newView(items []Value, typ string) Value {
	return Value{kind: KindList, v: &List{Items: items, view: typ}}
}

func listMethod(obj Value, name string) func([]Value, map[string]Value) (Value, error) {
	items := obj.AsList().Items
	switch name {
	case "count":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) != 1 {
				return Undefined(), errors.New("count() takes exactly one argument")
			}
			n := 0
			for _, item := range items {
				if pyEqual(item, args[0]) {
					n++
				}
			}
			return NewInt(int64(n)), nil
		}
	case "index":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) == 0 {
				return Undefined(), errors.New("index expected at least 1 argument, got 0")
			}
			for i, item := range items {
				if pyEqual(item, args[0]) {
					return NewInt(int64(i)), nil
				}
			}
			return Undefined(), fmt.Errorf("%s is not in %s", pyRepr(args[0]), typeName(obj))
		}
	case "copy":
		if isTuple(obj) {
			return nil
		}
		return func([]Value, map[string]Value) (Value, error) {
			out := make([]Value, len(items))
			copy(out, items)
			return NewList(out), nil
		}
	}
	return nil
}

func dictMethod(d *Dict, name string) func([]Value, map[string]Value) (Value, error) {
	switch name {
	case "get":
		return func(args []Value, kwargs map[string]Value) (Value, error) {
			if len(args) == 0 || len(args) > 2 {
				return Undefined(), fmt.Errorf("get expected 1 or 2 arguments, got %d", len(args))
			}
			if v, ok := d.Get(pyStr(args[0])); ok {
				return v, nil
			}
			if len(args) > 1 {
				return args[1], nil
			}
			return None(), nil
		}
	case "items":
		return func([]Value, map[string]Value) (Value, error) {
			items := make([]Value, 0, d.Len())
			for _, key := range d.Keys {
				items = append(items, newTuple([]Value{NewString(key), d.Data[key]}))
			}
			return newView(items, "dict_items"), nil
		}
	case "keys":
		return func([]Value, map[string]Value) (Value, error) {
			items := make([]Value, 0, d.Len())
			for _, key := range d.Keys {
				items = append(items, NewString(key))
			}
			return newView(items, "dict_keys"), nil
		}
	case "values":
		return func([]Value, map[string]Value) (Value, error) {
			items := make([]Value, 0, d.Len())
			for _, key := range d.Keys {
				items = append(items, d.Data[key])
			}
			return newView(items, "dict_values"), nil
		}
	case "copy":
		return func([]Value, map[string]Value) (Value, error) {
			out := NewDict()
			for _, key := range d.Keys {
				out.AsDict().Set(key, d.Data[key])
			}
			return out, nil
		}
	}
	return nil
}
