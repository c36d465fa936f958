package jinja

// Python semantics of values: str() and repr(), ==, ordering, `in`, and
// the arithmetic operators with the errors Python raises, so that templates
// render (and fail) as Jinja2 renders them in transformers.

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// newTuple returns a tuple value: a list that prints as (a, b).
func newTuple(items []Value) Value {
	return Value{kind: KindList, v: &List{Items: items, tuple: true}}
}

// isTuple reports whether v is a tuple.
func isTuple(v Value) bool {
	return v.kind == KindList && v.v.(*List).tuple
}

// undefinedf returns an undefined value that remembers why it is undefined;
// using it where Python's Undefined raises (attribute access, calls,
// arithmetic) fails with that message.
func undefinedf(format string, args ...any) Value {
	return Value{kind: KindUndefined, v: fmt.Sprintf(format, args...)}
}

// undefinedError is the error that using an undefined value raises.
func undefinedError(v Value) error {
	if hint, ok := v.v.(string); ok && hint != "" {
		return errors.New(hint)
	}
	return errors.New("value is undefined")
}

// objectTypeRepr is how Jinja names an object in an undefined's message:
// "dict object", "None".
func objectTypeRepr(v Value) string {
	if v.IsNone() {
		return "None"
	}
	return typeName(v) + " object"
}

// typeName is Python's type(v).__name__.
func typeName(v Value) string {
	switch v.kind {
	case KindUndefined:
		return "Undefined"
	case KindNone:
		return "NoneType"
	case KindBool:
		return "bool"
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindString:
		return "str"
	case KindList:
		if l := v.AsList(); l.lazy != "" {
			return l.lazy
		} else if l.view != "" {
			return l.view
		} else if l.tuple {
			return "tuple"
		}
		return "list"
	case KindDict:
		if v.AsDict().namespace {
			return "Namespace"
		}
		return "dict"
	case KindCallable:
		return "function"
	}
	return "object"
}

// pyFloatRepr formats f as Python's repr(float) does: the shortest digits
// that round-trip, in positional notation with at least one decimal for
// exponents -4..15 and as d.ddde+XX otherwise (2.0, 1e+16, 1e-07).
func pyFloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyStrRepr is Python's repr(str): single quotes unless the text holds a
// single quote and no double quote, and backslash escapes for the quote,
// backslashes and unprintable characters.
func pyStrRepr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == ' ' || (r != utf8.RuneError && unicode.IsPrint(r)):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// pyRepr is Python's repr(v).
func pyRepr(v Value) string {
	switch v.kind {
	case KindUndefined:
		return "Undefined"
	case KindNone:
		return "None"
	case KindBool:
		if v.v.(bool) {
			return "True"
		}
		return "False"
	case KindInt:
		return strconv.FormatInt(v.v.(int64), 10)
	case KindFloat:
		return pyFloatRepr(v.v.(float64))
	case KindString:
		return pyStrRepr(v.v.(string))
	case KindList:
		list := v.v.(*List)
		if list.lazy != "" {
			return fmt.Sprintf("<%s object>", list.lazy)
		}
		if list.view != "" {
			return list.view + "(" + pyRepr(NewList(list.Items)) + ")"
		}
		var b strings.Builder
		open, closer := "[", "]"
		if list.tuple {
			open, closer = "(", ")"
		}
		b.WriteString(open)
		for i, item := range list.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyRepr(item))
		}
		if list.tuple && len(list.Items) == 1 {
			b.WriteByte(',')
		}
		b.WriteString(closer)
		return b.String()
	case KindDict:
		d := v.v.(*Dict)
		var b strings.Builder
		if d.namespace {
			b.WriteString("<Namespace ")
		}
		b.WriteByte('{')
		for i, key := range d.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyStrRepr(key))
			b.WriteString(": ")
			b.WriteString(pyRepr(d.Data[key]))
		}
		b.WriteByte('}')
		if d.namespace {
			b.WriteByte('>')
		}
		return b.String()
	case KindCallable:
		return fmt.Sprintf("<function %s>", v.v.(Callable).Name)
	}
	return "Undefined"
}

// pyStr is Python's str(v), which {{ }} prints; an undefined prints as "".
func pyStr(v Value) string {
	switch v.kind {
	case KindUndefined:
		return ""
	case KindString:
		return v.v.(string)
	}
	return pyRepr(v)
}

// isIntLike reports whether v is an int or a bool (a bool is an int in
// Python arithmetic).
func isIntLike(v Value) bool { return v.kind == KindInt || v.kind == KindBool }

func isNumeric(v Value) bool { return isIntLike(v) || v.kind == KindFloat }

func intOf(v Value) int64 {
	if v.kind == KindBool {
		if v.v.(bool) {
			return 1
		}
		return 0
	}
	return v.v.(int64)
}

func floatOf(v Value) float64 {
	if v.kind == KindFloat {
		return v.v.(float64)
	}
	return float64(intOf(v))
}

// pyEqual is Python's ==.
func pyEqual(a, b Value) bool {
	if isNumeric(a) && isNumeric(b) {
		if isIntLike(a) && isIntLike(b) {
			return intOf(a) == intOf(b)
		}
		return floatOf(a) == floatOf(b)
	}
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case KindUndefined, KindNone:
		return true
	case KindString:
		return a.v.(string) == b.v.(string)
	case KindList:
		la, lb := a.v.(*List), b.v.(*List)
		if !la.plain() || !lb.plain() {
			return la == lb
		}
		if la.tuple != lb.tuple || len(la.Items) != len(lb.Items) {
			return false
		}
		for i := range la.Items {
			if !pyEqual(la.Items[i], lb.Items[i]) {
				return false
			}
		}
		return true
	case KindDict:
		da, db := a.v.(*Dict), b.v.(*Dict)
		if da == db {
			return true
		}
		if da.namespace || db.namespace || da.Len() != db.Len() {
			return false
		}
		for _, k := range da.Keys {
			bv, ok := db.Get(k)
			if !ok || !pyEqual(da.Data[k], bv) {
				return false
			}
		}
		return true
	case KindCallable:
		return false
	}
	return false
}

// pyCompare orders a and b as Python's <, <=, >, >= do, failing for
// values Python cannot order ('<' not supported between instances of 'str'
// and 'int').
func pyCompare(a, b Value, op string) (int, error) {
	if a.IsUndefined() {
		return 0, undefinedError(a)
	}
	if b.IsUndefined() {
		return 0, undefinedError(b)
	}
	switch {
	case isNumeric(a) && isNumeric(b):
		if isIntLike(a) && isIntLike(b) {
			x, y := intOf(a), intOf(b)
			switch {
			case x < y:
				return -1, nil
			case x > y:
				return 1, nil
			}
			return 0, nil
		}
		x, y := floatOf(a), floatOf(b)
		switch {
		case x < y:
			return -1, nil
		case x > y:
			return 1, nil
		}
		return 0, nil
	case a.IsString() && b.IsString():
		return strings.Compare(a.AsString(), b.AsString()), nil
	case a.IsList() && b.IsList() && typeName(a) == typeName(b) && a.AsList().plain():
		la, lb := a.AsList().Items, b.AsList().Items
		for i := 0; i < len(la) && i < len(lb); i++ {
			if pyEqual(la[i], lb[i]) {
				continue
			}
			return pyCompare(la[i], lb[i], op)
		}
		switch {
		case len(la) < len(lb):
			return -1, nil
		case len(la) > len(lb):
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("'%s' not supported between instances of '%s' and '%s'", op, typeName(a), typeName(b))
}

// pyContains is Python's `item in container`.
func pyContains(container, item Value) (bool, error) {
	switch container.kind {
	case KindUndefined:
		return false, nil
	case KindString:
		if !item.IsString() {
			if item.IsUndefined() {
				return false, undefinedError(item)
			}
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", typeName(item))
		}
		return strings.Contains(container.AsString(), item.AsString()), nil
	case KindList:
		if err := container.AsList().err; err != nil {
			return false, err
		}
		for _, v := range container.AsList().Items {
			if pyEqual(v, item) {
				return true, nil
			}
		}
		return false, nil
	case KindDict:
		if item.IsString() {
			return container.AsDict().Has(item.AsString()), nil
		}
		if (item.IsList() && !isTuple(item) && item.AsList().plain()) || item.IsDict() {
			return false, fmt.Errorf("unhashable type: '%s'", typeName(item))
		}
		return false, nil
	}
	return false, fmt.Errorf("argument of type '%s' is not iterable", typeName(container))
}

// iterate returns the items a for loop or a filter walks over: a list's
// items, a dict's keys, a string's characters; an undefined value is
// empty; anything else is not iterable.
func iterate(v Value) ([]Value, error) {
	switch v.kind {
	case KindList:
		if err := v.AsList().err; err != nil {
			return nil, err
		}
		return v.AsList().Items, nil
	case KindDict:
		d := v.AsDict()
		items := make([]Value, len(d.Keys))
		for i, k := range d.Keys {
			items[i] = NewString(k)
		}
		return items, nil
	case KindString:
		var items []Value
		for _, r := range v.AsString() {
			items = append(items, NewString(string(r)))
		}
		return items, nil
	case KindUndefined:
		return nil, nil
	}
	return nil, fmt.Errorf("'%s' object is not iterable", typeName(v))
}

func unsupported(op string, a, b Value) error {
	if a.IsUndefined() {
		return undefinedError(a)
	}
	if b.IsUndefined() {
		return undefinedError(b)
	}
	if op == "+" && a.IsString() {
		return fmt.Errorf("can only concatenate str (not \"%s\") to str", typeName(b))
	}
	if op == "+" && a.IsList() && !isTuple(a) {
		return fmt.Errorf("can only concatenate list (not \"%s\") to list", typeName(b))
	}
	if op == "+" && isTuple(a) {
		return fmt.Errorf("can only concatenate tuple (not \"%s\") to tuple", typeName(b))
	}
	return fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
}

// checkedInt returns a+b style results as int when they fit in int64 and
// as a float otherwise (Python's ints do not overflow; this engine keeps
// the magnitude rather than wrapping).
func checkedInt(z *big.Int) Value {
	if z.IsInt64() {
		return NewInt(z.Int64())
	}
	f, _ := new(big.Float).SetInt(z).Float64()
	return NewFloat(f)
}

func pyAdd(a, b Value) (Value, error) {
	switch {
	case isIntLike(a) && isIntLike(b):
		return checkedInt(new(big.Int).Add(big.NewInt(intOf(a)), big.NewInt(intOf(b)))), nil
	case isNumeric(a) && isNumeric(b):
		return NewFloat(floatOf(a) + floatOf(b)), nil
	case a.IsString() && b.IsString():
		return NewString(a.AsString() + b.AsString()), nil
	case a.IsList() && b.IsList() && typeName(a) == typeName(b) && a.AsList().plain():
		items := make([]Value, 0, a.AsList().Len()+b.AsList().Len())
		items = append(items, a.AsList().Items...)
		items = append(items, b.AsList().Items...)
		if isTuple(a) {
			return newTuple(items), nil
		}
		return NewList(items), nil
	}
	return Undefined(), unsupported("+", a, b)
}

func pySub(a, b Value) (Value, error) {
	switch {
	case isIntLike(a) && isIntLike(b):
		return checkedInt(new(big.Int).Sub(big.NewInt(intOf(a)), big.NewInt(intOf(b)))), nil
	case isNumeric(a) && isNumeric(b):
		return NewFloat(floatOf(a) - floatOf(b)), nil
	}
	return Undefined(), unsupported("-", a, b)
}

func pyMul(a, b Value) (Value, error) {
	switch {
	case isIntLike(a) && isIntLike(b):
		return checkedInt(new(big.Int).Mul(big.NewInt(intOf(a)), big.NewInt(intOf(b)))), nil
	case isNumeric(a) && isNumeric(b):
		return NewFloat(floatOf(a) * floatOf(b)), nil
	case (a.IsString() || (a.IsList() && a.AsList().plain())) && isIntLike(b):
		return repeatValue(a, intOf(b))
	case isIntLike(a) && (b.IsString() || (b.IsList() && b.AsList().plain())):
		return repeatValue(b, intOf(a))
	}
	return Undefined(), unsupported("*", a, b)
}

func repeatValue(v Value, n int64) (Value, error) {
	if n < 0 {
		n = 0
	}
	if v.IsString() {
		if n > 0 && int64(len(v.AsString()))*n > 1<<28 {
			return Undefined(), errors.New("repeated string is too long")
		}
		return NewString(strings.Repeat(v.AsString(), int(n))), nil
	}
	src := v.AsList().Items
	if n > 0 && int64(len(src))*n > 1<<24 {
		return Undefined(), errors.New("repeated list is too long")
	}
	items := make([]Value, 0, len(src)*int(n))
	for range n {
		items = append(items, src...)
	}
	if isTuple(v) {
		return newTuple(items), nil
	}
	return NewList(items), nil
}

func pyTrueDiv(a, b Value) (Value, error) {
	if !isNumeric(a) || !isNumeric(b) {
		return Undefined(), unsupported("/", a, b)
	}
	if floatOf(b) == 0 {
		return Undefined(), errors.New("division by zero")
	}
	return NewFloat(floatOf(a) / floatOf(b)), nil
}

// pyFloorDiv is Python's //: the floor of the quotient.
func pyFloorDiv(a, b Value) (Value, error) {
	switch {
	case isIntLike(a) && isIntLike(b):
		x, y := intOf(a), intOf(b)
		if y == 0 {
			return Undefined(), errors.New("integer division or modulo by zero")
		}
		q := x / y
		if (x%y != 0) && ((x < 0) != (y < 0)) {
			q--
		}
		return NewInt(q), nil
	case isNumeric(a) && isNumeric(b):
		x, y := floatOf(a), floatOf(b)
		if y == 0 {
			return Undefined(), errors.New("float floor division by zero")
		}
		return NewFloat(math.Floor(x / y)), nil
	}
	return Undefined(), unsupported("//", a, b)
}

// pyMod is Python's %: the remainder takes the sign of the divisor; on a
// string it is printf-style formatting.
func pyMod(a, b Value) (Value, error) {
	switch {
	case a.IsString():
		s, err := pyPercentFormat(a.AsString(), b)
		if err != nil {
			return Undefined(), err
		}
		return NewString(s), nil
	case isIntLike(a) && isIntLike(b):
		x, y := intOf(a), intOf(b)
		if y == 0 {
			return Undefined(), errors.New("integer modulo by zero")
		}
		m := x % y
		if m != 0 && ((m < 0) != (y < 0)) {
			m += y
		}
		return NewInt(m), nil
	case isNumeric(a) && isNumeric(b):
		x, y := floatOf(a), floatOf(b)
		if y == 0 {
			return Undefined(), errors.New("float modulo")
		}
		m := math.Mod(x, y)
		if m != 0 && ((m < 0) != (y < 0)) {
			m += y
		}
		return NewFloat(m), nil
	}
	return Undefined(), unsupported("%", a, b)
}

// pyPow is Python's **: an int to a non-negative int power stays an int.
func pyPow(a, b Value) (Value, error) {
	switch {
	case isIntLike(a) && isIntLike(b) && intOf(b) >= 0:
		x, y := intOf(a), intOf(b)
		if x < -1 || x > 1 {
			if bits := float64(y) * math.Log2(math.Abs(float64(x))); bits > 64 {
				// Too big for an int64: keep the magnitude as a float
				// rather than building a huge integer.
				return NewFloat(math.Pow(float64(x), float64(y))), nil
			}
		}
		z := new(big.Int).Exp(big.NewInt(x), big.NewInt(y), nil)
		return checkedInt(z), nil
	case isNumeric(a) && isNumeric(b):
		if floatOf(a) == 0 && floatOf(b) < 0 {
			return Undefined(), errors.New("0.0 cannot be raised to a negative power")
		}
		return NewFloat(math.Pow(floatOf(a), floatOf(b))), nil
	}
	return Undefined(), unsupported("** or pow()", a, b)
}

// pyIsLower and pyIsUpper are str.islower and str.isupper: at least one
// cased character, and all cased characters in that case.
func pyIsLower(s string) bool {
	cased := false
	for _, r := range s {
		if unicode.IsUpper(r) || unicode.IsTitle(r) {
			return false
		}
		if unicode.IsLower(r) {
			cased = true
		}
	}
	return cased
}

func pyIsUpper(s string) bool {
	cased := false
	for _, r := range s {
		if unicode.IsLower(r) || unicode.IsTitle(r) {
			return false
		}
		if unicode.IsUpper(r) {
			cased = true
		}
	}
	return cased
}
