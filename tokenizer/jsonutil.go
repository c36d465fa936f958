package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// FormatError reports a malformed tokenizer file: the file, the JSON key
// path (or line) that is wrong, and what is wrong with it.
type FormatError struct {
	File string
	Key  string
	Msg  string
}

// Error formats the error as "file: key: message".
func (e *FormatError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Key, e.Msg)
}

// jsonSyntaxError turns a decoding error into a FormatError with a line
// and column.
func jsonSyntaxError(file string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off >= 0 && off <= int64(len(data)) {
		line := 1 + bytes.Count(data[:off], []byte{'\n'})
		col := int(off) - bytes.LastIndexByte(data[:off], '\n')
		return &FormatError{File: file, Key: fmt.Sprintf("line %d column %d", line, col),
			Msg: fmt.Sprintf("invalid JSON (%v)", err)}
	}
	return &FormatError{File: file, Msg: fmt.Sprintf("invalid JSON (%v)", err)}
}

// obj is a JSON object read lazily, remembering where it sits in the file
// so that every error can name its key path.
type obj struct {
	file   string
	path   string
	fields map[string]json.RawMessage
}

func (o *obj) errf(key, format string, a ...any) error {
	p := o.path
	if key != "" {
		if p != "" {
			p += "."
		}
		p += key
	}
	return &FormatError{File: o.file, Key: p, Msg: fmt.Sprintf(format, a...)}
}

// parseObj decodes raw as an object; a JSON null gives nil.
func parseObj(file, path string, raw json.RawMessage) (*obj, error) {
	if isNull(raw) {
		return nil, nil
	}
	var f map[string]json.RawMessage
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, &FormatError{File: file, Key: path, Msg: "expected a JSON object"}
	}
	return &obj{file: file, path: path, fields: f}, nil
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

func (o *obj) has(key string) bool {
	raw, ok := o.fields[key]
	return ok && !isNull(raw)
}

// get decodes key into v; a missing or null key leaves v alone.
func (o *obj) get(key string, v any) error {
	raw, ok := o.fields[key]
	if !ok || isNull(raw) {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return o.errf(key, "%s", describeTypeError(err, v))
	}
	return nil
}

// need is get for a key that must be present.
func (o *obj) need(key string, v any) error {
	if !o.has(key) {
		return o.errf(key, "missing")
	}
	return o.get(key, v)
}

func describeTypeError(err error, v any) string {
	want := "a value of the right type"
	switch v.(type) {
	case *string:
		want = "a string"
	case *bool:
		want = "true or false"
	case *int, *int64, *float64:
		want = "a number"
	case *map[string]int:
		want = "an object of token → integer id"
	}
	return fmt.Sprintf("expected %s (%v)", want, err)
}

// child returns the object at key (nil when missing or null).
func (o *obj) child(key string) (*obj, error) {
	raw, ok := o.fields[key]
	if !ok {
		return nil, nil
	}
	return parseObj(o.file, o.sub(key), raw)
}

func (o *obj) sub(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

// list returns the objects of the array at key.
func (o *obj) list(key string) ([]*obj, error) {
	raw, ok := o.fields[key]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, o.errf(key, "expected an array")
	}
	out := make([]*obj, 0, len(items))
	for i, it := range items {
		c, err := parseObj(o.file, fmt.Sprintf("%s[%d]", o.sub(key), i), it)
		if err != nil {
			return nil, err
		}
		if c == nil {
			return nil, o.errf(fmt.Sprintf("%s[%d]", key, i), "is null")
		}
		out = append(out, c)
	}
	return out, nil
}

// typ returns the "type" field.
func (o *obj) typ() (string, error) {
	var t string
	if err := o.get("type", &t); err != nil {
		return "", err
	}
	return t, nil
}

// pattern reads a {"String": ...} or {"Regex": ...} pattern.
func (o *obj) pattern(key string) (matcher, error) {
	p, err := o.child(key)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, o.errf(key, "missing")
	}
	var lit, re string
	switch {
	case p.has("String"):
		if err := p.get("String", &lit); err != nil {
			return nil, err
		}
		return compilePattern(lit, "", false)
	case p.has("Regex"):
		if err := p.get("Regex", &re); err != nil {
			return nil, err
		}
		m, err := compilePattern("", re, true)
		if err != nil {
			return nil, p.errf("Regex", "%v", err)
		}
		return m, nil
	}
	return nil, o.errf(key, `expected {"String": ...} or {"Regex": ...}`)
}

// oneRune reads a string key holding exactly one character.
func (o *obj) oneRune(key string, def rune) (rune, error) {
	if !o.has(key) {
		return def, nil
	}
	var s string
	if err := o.get(key, &s); err != nil {
		return 0, err
	}
	r := []rune(s)
	if len(r) != 1 {
		return 0, o.errf(key, "expected a single character, got %q", s)
	}
	return r[0], nil
}

func unknownType(o *obj, kind, t string, known string) error {
	if t == "" {
		return o.errf("type", "missing (%s types: %s)", kind, known)
	}
	return o.errf("type", "unknown %s type %q (supported: %s)", kind, t, known)
}
