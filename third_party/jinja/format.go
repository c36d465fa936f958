package jinja

// Python string formatting: printf-style `'%s-%d' % (a, 3)` (and the format
// filter) and str.format with its format-spec mini-language.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyPercentFormat is Python's `format % args`: args is a tuple of
// positional values, a dict for %(name)s, or a single value.
func pyPercentFormat(format string, args Value) (string, error) {
	var positional []Value
	var mapping *Dict
	switch {
	case isTuple(args):
		positional = args.AsList().Items
	case args.IsDict():
		mapping = args.AsDict()
		positional = []Value{args}
	default:
		positional = []Value{args}
	}
	next := 0
	nextArg := func() (Value, error) {
		if next >= len(positional) {
			return Undefined(), errors.New("not enough arguments for format string")
		}
		v := positional[next]
		next++
		return v, nil
	}
	usedMapping := false

	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return "", errors.New("incomplete format")
		}
		var arg Value
		haveArg := false
		if format[i] == '(' {
			if mapping == nil {
				return "", errors.New("format requires a mapping")
			}
			depth := 1
			j := i + 1
			for j < len(format) && depth > 0 {
				switch format[j] {
				case '(':
					depth++
				case ')':
					depth--
				}
				j++
			}
			if depth > 0 {
				return "", errors.New("incomplete format key")
			}
			key := format[i+1 : j-1]
			v, ok := mapping.Get(key)
			if !ok {
				return "", fmt.Errorf("KeyError: %s", pyStrRepr(key))
			}
			arg, haveArg, usedMapping = v, true, true
			i = j
		}
		var spec fmtSpec
		for ; i < len(format); i++ {
			switch format[i] {
			case '-':
				spec.align = '<'
				continue
			case '+':
				spec.sign = '+'
				continue
			case ' ':
				if spec.sign != '+' {
					spec.sign = ' '
				}
				continue
			case '#':
				spec.alt = true
				continue
			case '0':
				spec.zero = true
				continue
			}
			break
		}
		if i < len(format) && format[i] == '*' {
			w, err := nextArg()
			if err != nil {
				return "", err
			}
			if !isIntLike(w) {
				return "", errors.New("* wants int")
			}
			spec.width = int(intOf(w))
			if spec.width < 0 {
				spec.align = '<'
				spec.width = -spec.width
			}
			i++
		} else {
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				spec.width = spec.width*10 + int(format[i]-'0')
				i++
			}
		}
		spec.prec = -1
		if i < len(format) && format[i] == '.' {
			i++
			spec.prec = 0
			if i < len(format) && format[i] == '*' {
				p, err := nextArg()
				if err != nil {
					return "", err
				}
				if !isIntLike(p) {
					return "", errors.New("* wants int")
				}
				spec.prec = max(int(intOf(p)), 0)
				i++
			} else {
				for i < len(format) && format[i] >= '0' && format[i] <= '9' {
					spec.prec = spec.prec*10 + int(format[i]-'0')
					i++
				}
			}
		}
		for i < len(format) && (format[i] == 'h' || format[i] == 'l' || format[i] == 'L') {
			i++
		}
		if i >= len(format) {
			return "", errors.New("incomplete format")
		}
		conv := format[i]
		if conv == '%' {
			b.WriteByte('%')
			continue
		}
		if !haveArg {
			v, err := nextArg()
			if err != nil {
				return "", err
			}
			arg = v
		}
		if spec.align == '<' {
			spec.zero = false
		}
		if spec.align == 0 {
			spec.align = '>'
		}
		out, err := percentConvert(conv, arg, spec)
		if err != nil {
			return "", err
		}
		b.WriteString(out)
	}
	// Python ignores a single unused argument that supports item access
	// (a list, a dict, an undefined value), but not a string or number.
	itemAccess := !isTuple(args) && ((args.IsList() && args.AsList().plain()) || args.IsDict() || args.IsUndefined())
	if next < len(positional) && !usedMapping && !itemAccess {
		return "", errors.New("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

// fmtSpec is a parsed conversion spec, shared by % formatting and
// str.format.
type fmtSpec struct {
	fill     rune
	align    byte // '<', '>', '^', '=' or 0
	sign     byte // '+', '-', ' ' or 0
	alt      bool
	zero     bool
	width    int
	grouping byte // ',' or '_' or 0
	prec     int  // -1 when absent
	typ      byte
}

func percentConvert(conv byte, arg Value, spec fmtSpec) (string, error) {
	switch conv {
	case 's':
		s := pyStr(arg)
		if spec.prec >= 0 {
			s = truncateRunes(s, spec.prec)
		}
		spec.zero = false
		return pad(s, spec), nil
	case 'r', 'a':
		s := pyRepr(arg)
		if spec.prec >= 0 {
			s = truncateRunes(s, spec.prec)
		}
		spec.zero = false
		return pad(s, spec), nil
	case 'c':
		switch {
		case isIntLike(arg):
			return pad(string(rune(intOf(arg))), spec), nil
		case arg.IsString() && utf8.RuneCountInString(arg.AsString()) == 1:
			return pad(arg.AsString(), spec), nil
		}
		return "", errors.New("%c requires int or char")
	case 'd', 'i', 'u':
		if !isNumeric(arg) {
			return "", fmt.Errorf("%%%c format: a real number is required, not %s", conv, typeName(arg))
		}
		n := intOrTrunc(arg)
		spec.typ = 'd'
		return formatIntSpec(n, spec), nil
	case 'x', 'X', 'o':
		if !isIntLike(arg) {
			return "", fmt.Errorf("%%%c format: an integer is required, not %s", conv, typeName(arg))
		}
		spec.typ = conv
		return formatIntSpec(intOf(arg), spec), nil
	case 'e', 'E', 'f', 'F', 'g', 'G':
		if !isNumeric(arg) {
			return "", fmt.Errorf("must be real number, not %s", typeName(arg))
		}
		if spec.prec < 0 {
			spec.prec = 6
		}
		spec.typ = conv
		return formatFloatSpec(floatOf(arg), spec), nil
	}
	return "", fmt.Errorf("unsupported format character '%c' (0x%x)", conv, conv)
}

func intOrTrunc(v Value) int64 {
	if isIntLike(v) {
		return intOf(v)
	}
	return int64(floatOf(v))
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// pad applies width, fill and alignment; a '=' alignment (and the 0 flag
// of numbers) pads between the sign and the digits.
func pad(s string, spec fmtSpec) string {
	n := utf8.RuneCountInString(s)
	if n >= spec.width {
		return s
	}
	fill := spec.fill
	if fill == 0 {
		fill = ' '
	}
	padding := spec.width - n
	switch spec.align {
	case '<':
		return s + strings.Repeat(string(fill), padding)
	case '^':
		left := padding / 2
		return strings.Repeat(string(fill), left) + s + strings.Repeat(string(fill), padding-left)
	case '=':
		signLen := 0
		if s != "" && (s[0] == '-' || s[0] == '+' || s[0] == ' ') {
			signLen = 1
		}
		if spec.alt && len(s) >= signLen+2 && s[signLen] == '0' && strings.ContainsRune("xXob", rune(s[signLen+1])) {
			signLen += 2
		}
		return s[:signLen] + strings.Repeat(string(fill), padding) + s[signLen:]
	}
	return strings.Repeat(string(fill), padding) + s
}

func signed(neg bool, digits string, spec fmtSpec) string {
	switch {
	case neg:
		return "-" + digits
	case spec.sign == '+':
		return "+" + digits
	case spec.sign == ' ':
		return " " + digits
	}
	return digits
}

func withZero(spec fmtSpec) fmtSpec {
	if spec.zero && spec.align != '<' && spec.align != '^' {
		spec.fill = '0'
		spec.align = '='
	}
	return spec
}

func group(digits string, sep byte, every int) string {
	if sep == 0 || len(digits) <= every {
		return digits
	}
	var b strings.Builder
	first := len(digits) % every
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += every {
		if b.Len() > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(digits[i : i+every])
	}
	return b.String()
}

func formatIntSpec(n int64, spec fmtSpec) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	var digits string
	switch spec.typ {
	case 'x':
		digits = strconv.FormatUint(u, 16)
	case 'X':
		digits = strings.ToUpper(strconv.FormatUint(u, 16))
	case 'o':
		digits = strconv.FormatUint(u, 8)
	case 'b':
		digits = strconv.FormatUint(u, 2)
	default:
		digits = strconv.FormatUint(u, 10)
		digits = group(digits, spec.grouping, 3)
	}
	if spec.prec > 0 && len(digits) < spec.prec && spec.typ != 0 {
		digits = strings.Repeat("0", spec.prec-len(digits)) + digits
	}
	if spec.alt {
		switch spec.typ {
		case 'x':
			digits = "0x" + digits
		case 'X':
			digits = "0X" + digits
		case 'o':
			digits = "0o" + digits
		case 'b':
			digits = "0b" + digits
		}
	}
	return pad(signed(neg, digits, spec), withZero(spec))
}

func formatFloatSpec(f float64, spec fmtSpec) string {
	neg := math.Signbit(f) && !math.IsNaN(f)
	a := math.Abs(f)
	var digits string
	switch {
	case math.IsInf(a, 0):
		digits = "inf"
	case math.IsNaN(a):
		digits = "nan"
	default:
		switch spec.typ {
		case 'f', 'F', '%':
			if spec.typ == '%' {
				a *= 100
			}
			digits = strconv.FormatFloat(a, 'f', spec.prec, 64)
		case 'e', 'E':
			digits = strconv.FormatFloat(a, 'e', spec.prec, 64)
		case 'g', 'G':
			p := spec.prec
			if p == 0 {
				p = 1
			}
			digits = strconv.FormatFloat(a, 'g', p, 64)
			if spec.alt && !strings.Contains(digits, ".") {
				digits += "."
			}
		case 'n':
			digits = strconv.FormatFloat(a, 'g', spec.prec, 64)
		case 0:
			// str.format without a type: repr, or %g-like with a
			// precision (never dropping to a bare integer).
			if spec.prec < 0 {
				digits = pyFloatRepr(a)
			} else {
				p := max(spec.prec, 1)
				digits = strconv.FormatFloat(a, 'g', p, 64)
				if !strings.ContainsAny(digits, ".e") {
					digits += ".0"
				}
			}
		}
	}
	if spec.grouping != 0 && !math.IsInf(a, 0) && !math.IsNaN(a) {
		intPart, frac, hasFrac := strings.Cut(digits, ".")
		if !strings.ContainsAny(intPart, "e") {
			digits = group(intPart, spec.grouping, 3)
			if hasFrac {
				digits += "." + frac
			}
		}
	}
	if spec.typ == 'E' || spec.typ == 'G' || spec.typ == 'F' {
		digits = strings.ToUpper(digits)
	}
	if spec.typ == '%' {
		digits += "%"
	}
	return pad(signed(neg, digits, spec), withZero(spec))
}

// pyStrFormat is Python's str.format.
func pyStrFormat(format string, args []Value, kwargs map[string]Value) (string, error) {
	var b strings.Builder
	auto := 0
	manual := false
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == '}' {
			if i+1 < len(format) && format[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			return "", errors.New("Single '}' encountered in format string")
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		depth := 1
		j := i + 1
		for j < len(format) && depth > 0 {
			switch format[j] {
			case '{':
				depth++
			case '}':
				depth--
			}
			j++
		}
		if depth > 0 {
			return "", errors.New("expected '}' before end of string")
		}
		field := format[i+1 : j-1]
		i = j - 1

		name, specStr, _ := strings.Cut(field, ":")
		conversion := byte(0)
		if k := strings.IndexByte(name, '!'); k >= 0 {
			if k+2 != len(name) {
				return "", errors.New("expected ':' after conversion specifier")
			}
			conversion = name[k+1]
			name = name[:k]
		}
		first := name
		rest := ""
		if k := strings.IndexAny(name, ".["); k >= 0 {
			first, rest = name[:k], name[k:]
		}
		var v Value
		switch {
		case first == "":
			if manual {
				return "", errors.New("cannot switch from manual field specification to automatic field numbering")
			}
			if auto >= len(args) {
				return "", fmt.Errorf("Replacement index %d out of range for positional args tuple", auto)
			}
			v = args[auto]
			auto++
		case first[0] >= '0' && first[0] <= '9':
			if auto > 0 {
				return "", errors.New("cannot switch from automatic field numbering to manual field specification")
			}
			manual = true
			n, err := strconv.Atoi(first)
			if err != nil || n >= len(args) {
				return "", fmt.Errorf("Replacement index %s out of range for positional args tuple", first)
			}
			v = args[n]
		default:
			kv, ok := kwargs[first]
			if !ok {
				return "", fmt.Errorf("KeyError: %s", pyStrRepr(first))
			}
			v = kv
		}
		for rest != "" {
			if rest[0] == '.' {
				k := strings.IndexAny(rest[1:], ".[")
				attr := rest[1:]
				if k >= 0 {
					attr, rest = rest[1:1+k], rest[1+k:]
				} else {
					rest = ""
				}
				v = getAttrValue(v, attr)
				continue
			}
			k := strings.IndexByte(rest, ']')
			if k < 0 {
				return "", errors.New("Missing ']' in format string")
			}
			key := rest[1:k]
			rest = rest[k+1:]
			if n, err := strconv.Atoi(key); err == nil {
				v = getItemValue(v, NewInt(int64(n)))
			} else {
				v = getItemValue(v, NewString(key))
			}
		}
		if v.IsUndefined() {
			if hint, ok := v.v.(string); ok && hint != "" {
				return "", undefinedError(v)
			}
		}
		switch conversion {
		case 'r', 'a':
			v = NewString(pyRepr(v))
		case 's':
			v = NewString(pyStr(v))
		case 0:
		default:
			return "", fmt.Errorf("Unknown conversion specifier %c", conversion)
		}
		// Nested fields in the spec: {:{width}}.
		if strings.Contains(specStr, "{") {
			expanded, err := pyStrFormat(specStr, args[min(auto, len(args)):], kwargs)
			if err != nil {
				return "", err
			}
			specStr = expanded
		}
		out, err := formatValueSpec(v, specStr)
		if err != nil {
			return "", err
		}
		b.WriteString(out)
	}
	return b.String(), nil
}

// formatValueSpec is Python's format(v, spec).
func formatValueSpec(v Value, specStr string) (string, error) {
	if specStr == "" {
		return pyStr(v), nil
	}
	spec, err := parseFormatSpec(specStr)
	if err != nil {
		return "", err
	}
	switch {
	case v.IsString() || v.IsUndefined():
		if spec.typ != 0 && spec.typ != 's' {
			return "", fmt.Errorf("Unknown format code '%c' for object of type 'str'", spec.typ)
		}
		if spec.sign != 0 {
			return "", errors.New("Sign not allowed in string format specifier")
		}
		s := pyStr(v)
		if spec.prec >= 0 {
			s = truncateRunes(s, spec.prec)
		}
		if spec.align == 0 {
			spec.align = '<'
		}
		return pad(s, spec), nil
	case isIntLike(v) && (spec.typ == 0 || strings.IndexByte("bcdoxXn", spec.typ) >= 0):
		if v.IsBool() && spec.typ == 0 && spec.sign == 0 && spec.width == 0 {
			return pyStr(v), nil
		}
		if spec.prec >= 0 {
			return "", errors.New("Precision not allowed in integer format specifier")
		}
		if spec.typ == 'c' {
			return pad(string(rune(intOf(v))), spec), nil
		}
		if spec.typ == 'n' {
			spec.typ = 'd'
		}
		if spec.align == 0 {
			spec.align = '>'
		}
		return formatIntSpec(intOf(v), spec), nil
	case isNumeric(v):
		if spec.typ != 0 && strings.IndexByte("eEfFgGn%", spec.typ) < 0 {
			return "", fmt.Errorf("Unknown format code '%c' for object of type '%s'", spec.typ, typeName(v))
		}
		if spec.prec < 0 && spec.typ != 0 && spec.typ != 'n' {
			spec.prec = 6
		}
		if spec.typ == 'n' && spec.prec < 0 {
			spec.prec = 6
		}
		if spec.align == 0 {
			spec.align = '>'
		}
		return formatFloatSpec(floatOf(v), spec), nil
	}
	if spec.typ != 0 {
		return "", fmt.Errorf("unsupported format string passed to %s.__format__", typeName(v))
	}
	s := pyStr(v)
	if spec.align == 0 {
		spec.align = '<'
	}
	return pad(s, spec), nil
}

// parseFormatSpec parses [[fill]align][sign][#][0][width][,|_][.precision][type].
func parseFormatSpec(s string) (fmtSpec, error) {
	spec := fmtSpec{prec: -1}
	runes := []rune(s)
	i := 0
	isAlign := func(r rune) bool { return r == '<' || r == '>' || r == '^' || r == '=' }
	if len(runes) >= 2 && isAlign(runes[1]) {
		spec.fill, spec.align = runes[0], byte(runes[1])
		i = 2
	} else if len(runes) >= 1 && isAlign(runes[0]) {
		spec.align = byte(runes[0])
		i = 1
	}
	if i < len(runes) && (runes[i] == '+' || runes[i] == '-' || runes[i] == ' ') {
		spec.sign = byte(runes[i])
		if spec.sign == '-' {
			spec.sign = 0
		}
		i++
	}
	if i < len(runes) && runes[i] == '#' {
		spec.alt = true
		i++
	}
	if i < len(runes) && runes[i] == '0' {
		spec.zero = true
		i++
	}
	for i < len(runes) && runes[i] >= '0' && runes[i] <= '9' {
		spec.width = spec.width*10 + int(runes[i]-'0')
		i++
	}
	if i < len(runes) && (runes[i] == ',' || runes[i] == '_') {
		spec.grouping = byte(runes[i])
		i++
	}
	if i < len(runes) && runes[i] == '.' {
		i++
		spec.prec = 0
		start := i
		for i < len(runes) && runes[i] >= '0' && runes[i] <= '9' {
			spec.prec = spec.prec*10 + int(runes[i]-'0')
			i++
		}
		if i == start {
			return spec, errors.New("Format specifier missing precision")
		}
	}
	if i < len(runes) {
		spec.typ = byte(runes[i])
		i++
	}
	if i != len(runes) {
		return spec, errors.New("Invalid format specifier")
	}
	if spec.zero && spec.align == 0 {
		spec.fill = '0'
		spec.align = '='
		spec.zero = false
	}
	return spec, nil
}
