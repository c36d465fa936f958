package jinja

// The tojson filter of transformers' environment: json.dumps(x,
// ensure_ascii=False, indent=indent, separators=separators,
// sort_keys=sort_keys), in the key order of the dict, with Python's float
// repr and escaping.

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

type jsonEncoder struct {
	ensureASCII bool
	sortKeys    bool
	indented    bool
	indent      string
	itemSep     string
	keySep      string
}

func (j *jsonEncoder) newline(sb *strings.Builder, level int) {
	if j.indented {
		sb.WriteByte('\n')
		for range level {
			sb.WriteString(j.indent)
		}
	}
}

func (j *jsonEncoder) encode(sb *strings.Builder, v Value, level int) error {
	switch v.kind {
	case KindNone:
		sb.WriteString("null")
	case KindBool:
		if v.AsBool() {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case KindInt:
		sb.WriteString(strconv.FormatInt(v.AsInt(), 10))
	case KindFloat:
		f := v.AsFloat()
		switch {
		case math.IsNaN(f):
			sb.WriteString("NaN")
		case math.IsInf(f, 1):
			sb.WriteString("Infinity")
		case math.IsInf(f, -1):
			sb.WriteString("-Infinity")
		default:
			sb.WriteString(pyFloatRepr(f))
		}
	case KindString:
		j.encodeString(sb, v.AsString())
	case KindList:
		if !v.AsList().plain() {
			return fmt.Errorf("Object of type %s is not JSON serializable", typeName(v))
		}
		items := v.AsList().Items
		if len(items) == 0 {
			sb.WriteString("[]")
			return nil
		}
		sb.WriteByte('[')
		for i, item := range items {
			if i > 0 {
				sb.WriteString(j.itemSep)
			}
			j.newline(sb, level+1)
			if err := j.encode(sb, item, level+1); err != nil {
				return err
			}
		}
		j.newline(sb, level)
		sb.WriteByte(']')
	case KindDict:
		d := v.AsDict()
		if d.namespace {
			return fmt.Errorf("Object of type Namespace is not JSON serializable")
		}
		if d.Len() == 0 {
			sb.WriteString("{}")
			return nil
		}
		keys := d.Keys
		if j.sortKeys {
			keys = append([]string(nil), keys...)
			sort.Strings(keys)
		}
		sb.WriteByte('{')
		for i, key := range keys {
			if i > 0 {
				sb.WriteString(j.itemSep)
			}
			j.newline(sb, level+1)
			j.encodeString(sb, key)
			sb.WriteString(j.keySep)
			if err := j.encode(sb, d.Data[key], level+1); err != nil {
				return err
			}
		}
		j.newline(sb, level)
		sb.WriteByte('}')
	default:
		return fmt.Errorf("Object of type %s is not JSON serializable", typeName(v))
	}
	return nil
}

// encodeString escapes as json.dumps does: \" \\ \n \r \t \b \f, other
// control characters as \u00XX, and with ensure_ascii everything outside
// printable ASCII as \uXXXX (surrogate pairs above U+FFFF).
func (j *jsonEncoder) encodeString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (j.ensureASCII && r > 0x7e):
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(sb, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(sb, `\u%04x`, r)
				}
			case r == utf8.RuneError:
				sb.WriteRune(r)
			default:
				sb.WriteRune(r)
			}
		}
	}
	sb.WriteByte('"')
}
