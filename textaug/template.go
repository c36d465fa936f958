package textaug

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Template is a caption pattern whose {field} placeholders are filled from
// an example's metadata, e.g. "This {color} {item_type} is {size}." Write
// {{ and }} for literal braces.
type Template struct {
	src   string
	parts []tplPart
}

type tplPart struct {
	text  string
	field bool
}

// ParseTemplate parses a template, reporting unbalanced braces and empty
// placeholders with their byte offset.
func ParseTemplate(src string) (*Template, error) {
	t := &Template{src: src}
	var lit strings.Builder
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '{' && i+1 < len(src) && src[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(src) && src[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(src[i+1:], '}')
			if end < 0 {
				return nil, fmt.Errorf("textaug: template %q: '{' at offset %d is not closed (write {{ for a literal brace)", src, i)
			}
			name := strings.TrimSpace(src[i+1 : i+1+end])
			if name == "" || strings.ContainsAny(name, "{") {
				return nil, fmt.Errorf("textaug: template %q: bad placeholder at offset %d: want {field_name}", src, i)
			}
			if lit.Len() > 0 {
				t.parts = append(t.parts, tplPart{text: lit.String()})
				lit.Reset()
			}
			t.parts = append(t.parts, tplPart{text: name, field: true})
			i += end + 1
		case c == '}':
			return nil, fmt.Errorf("textaug: template %q: unmatched '}' at offset %d (write }} for a literal brace)", src, i)
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, tplPart{text: lit.String()})
	}
	return t, nil
}

// String returns the template's source.
func (t *Template) String() string { return t.src }

// Fields returns the placeholder names, in order of first use.
func (t *Template) Fields() []string {
	var out []string
	for _, p := range t.parts {
		if p.field && !slices.Contains(out, p.text) {
			out = append(out, p.text)
		}
	}
	return out
}

// Execute fills the template from meta. A field missing from meta, null, or
// holding a list or an object is an error that names the field and the
// fields meta does have.
func (t *Template) Execute(meta map[string]any) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if !p.field {
			b.WriteString(p.text)
			continue
		}
		v, ok := meta[p.text]
		if !ok {
			return "", fmt.Errorf("textaug: template %q: unknown field %q (the metadata has: %s)", t.src, p.text, fieldList(meta))
		}
		s, err := formatValue(v)
		if err != nil {
			return "", fmt.Errorf("textaug: template %q: field %q: %w", t.src, p.text, err)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func fieldList(meta map[string]any) string {
	if len(meta) == 0 {
		return "no fields"
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// formatValue writes a metadata value as text: strings as they are,
// numbers without a trailing ".0", booleans as true/false.
func formatValue(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatInt(int64(v), 10), nil
		}
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case float32:
		return formatValue(float64(v))
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case bool:
		return strconv.FormatBool(v), nil
	case fmt.Stringer:
		return v.String(), nil
	case nil:
		return "", fmt.Errorf("the value is null")
	}
	return "", fmt.Errorf("a %T cannot fill a caption; use a text or number field", v)
}
