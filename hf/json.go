package hf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/vlmtune/vlmtune/hf/internal/atomicfile"
)

// Validator is implemented by config structs that check their own values;
// DecodeJSON calls Validate after decoding.
type Validator interface {
	Validate() error
}

// JSONError reports a problem in a JSON file: where it is (Line and Column,
// 1-based, 0 when unknown), which key it concerns (a dotted path such as
// "text_config.hidden_size", empty when none) and what is wrong.
type JSONError struct {
	File   string
	Line   int
	Column int
	Key    string
	Msg    string
	Err    error // the underlying error, if any (e.g. from Validate)
}

// Error formats the error as "FILE:LINE:COLUMN: KEY: MSG".
func (e *JSONError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *JSONError) Unwrap() error { return e.Err }

// DecodeJSON decodes data, the content of the JSON file called name, into
// v (a pointer, usually to a config struct). Keys that v has no field for
// are ignored here; they stay in data, and MergeJSON writes them back.
// Errors are *JSONError: a syntax error with line and column; a value of
// the wrong type with its key path and position; every missing key of a
// field tagged `hf:"required"` (nested structs are checked when present);
// and an error from v's Validate method, if it has one.
func DecodeJSON(name string, data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return decodeError(name, data, reflect.TypeOf(v), err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(data, end+firstNonSpace(data[end:]))
		return &JSONError{File: name, Line: line, Column: col, Msg: "unexpected data after the JSON value"}
	}
	if missing := missingRequired(data, reflect.TypeOf(v), ""); len(missing) > 0 {
		return &JSONError{File: name, Msg: "missing required keys: " + strings.Join(missing, ", ")}
	}
	if val, ok := v.(Validator); ok {
		if err := val.Validate(); err != nil {
			return &JSONError{File: name, Msg: err.Error(), Err: err}
		}
	}
	return nil
}

func decodeError(name string, data []byte, t reflect.Type, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return &JSONError{File: name, Msg: "file is empty, want a JSON object", Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := lineCol(data, int64(len(data)))
		return &JSONError{File: name, Line: line, Column: col, Msg: "unexpected end of file: the JSON is truncated", Err: err}
	case errors.As(err, &se):
		line, col := lineCol(data, se.Offset-1) // Offset counts the bad byte
		return &JSONError{File: name, Line: line, Column: col, Msg: "malformed JSON: " + se.Error(), Err: err}
	case errors.As(err, &te):
		off := te.Offset
		key := jsonPath(t, te.Field)
		if key != "" {
			if o, ok := locate(data, strings.Split(key, ".")); ok {
				off = o
			}
		} else {
			off = firstNonSpace(data)
		}
		line, col := lineCol(data, off)
		return &JSONError{File: name, Line: line, Column: col, Key: key,
			Msg: fmt.Sprintf("got %s, want %s", te.Value, describeType(te.Type)), Err: err}
	}
	return &JSONError{File: name, Msg: err.Error(), Err: err}
}

// jsonPath turns the Field of a json.UnmarshalTypeError, a dotted path
// that names embedded structs by their type, into the key path of the
// document (embedded structs' fields sit in their parent object).
func jsonPath(t reflect.Type, field string) string {
	if field == "" {
		return ""
	}
	var keys []string
	for _, part := range strings.Split(field, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t != nil && t.Kind() == reflect.Struct {
			if f, ok := t.FieldByName(part); ok && f.Anonymous && !hasJSONName(f) {
				t = f.Type
				continue
			}
			t = fieldByJSONName(t, part)
		} else {
			t = nil
		}
		keys = append(keys, part)
	}
	return strings.Join(keys, ".")
}

func hasJSONName(f reflect.StructField) bool {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name != ""
}

// fieldByJSONName returns the type of the field of struct t (or of its
// embedded structs) that decodes the key name, or nil.
func fieldByJSONName(t reflect.Type, name string) reflect.Type {
	for _, f := range reflect.VisibleFields(t) {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || (tag == "" && strings.EqualFold(f.Name, name)) {
			return f.Type
		}
	}
	return nil
}

// expecter lets a custom JSON type describe the values it accepts.
type expecter interface{ jsonExpected() string }

func describeType(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	if e, ok := reflect.New(t).Interface().(expecter); ok {
		return e.jsonExpected()
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer (" + t.Kind().String() + ")"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// lineCol converts a byte offset into a 1-based line and column (in bytes).
func lineCol(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func firstNonSpace(data []byte) int64 {
	return int64(len(data) - len(bytes.TrimLeft(data, " \t\r\n")))
}

// locate returns the offset of the value at a key path in a JSON document.
func locate(data []byte, path []string) (int64, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	for depth, key := range path {
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return 0, false
		}
		for {
			tok, err := dec.Token()
			if err != nil || tok == json.Delim('}') {
				return 0, false
			}
			if tok == key {
				break
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0, false
			}
		}
		if depth == len(path)-1 {
			off := dec.InputOffset()
			rest := bytes.TrimLeft(data[off:], " \t\r\n:")
			return int64(len(data) - len(rest)), true
		}
	}
	return 0, false
}

// missingRequired lists the dotted paths of `hf:"required"` fields of type
// t that data (a JSON object) lacks, descending into nested structs that
// are present.
func missingRequired(data []byte, t reflect.Type, prefix string) []string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil || obj == nil {
		return nil
	}
	return missingInStruct(obj, t, prefix)
}

func missingInStruct(obj map[string]json.RawMessage, t reflect.Type, prefix string) []string {
	var missing []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			missing = append(missing, missingInStruct(obj, ft, prefix)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		raw, ok := obj[name]
		if !ok {
			if f.Tag.Get("hf") == "required" {
				missing = append(missing, prefix+name)
			}
			continue
		}
		missing = append(missing, missingRequired(raw, ft, prefix+name+".")...)
	}
	return missing
}

// ReadJSON reads the JSON file at path into v (see DecodeJSON) and returns
// the file's bytes, which MergeJSON needs to write it back.
func ReadJSON(path string, v any) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := DecodeJSON(path, data, v); err != nil {
		return nil, err
	}
	return data, nil
}

// MergeJSON returns v encoded as JSON and merged over orig, the original
// file's bytes (nil for a new file): keys of orig that v does not encode
// are kept, objects are merged recursively (so unknown keys inside
// text_config or vision_config survive too), and values of v replace those
// of orig unless they are equal, in which case orig's spelling is kept
// (10000.0 stays 10000.0). A field with omitempty that is empty in v keeps
// orig's value, so use pointers (or no omitempty) for fields that may be
// written as zero. The result is indented by two spaces with sorted keys
// and a final newline, as transformers writes config.json.
func MergeJSON(orig []byte, v any) ([]byte, error) {
	typed, err := marshalNoEscape(v)
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", v, err)
	}
	merged := typed
	if len(bytes.TrimSpace(orig)) > 0 {
		if !json.Valid(orig) {
			return nil, errors.New("original JSON is malformed")
		}
		if merged, err = mergeValues(orig, typed); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, merged, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// WriteJSON atomically writes MergeJSON(orig, v) to path.
func WriteJSON(path string, orig []byte, v any) error {
	data, err := MergeJSON(orig, v)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteBytes(path, data)
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func isObject(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// mergeValues merges typed over orig (both valid JSON).
func mergeValues(orig, typed json.RawMessage) (json.RawMessage, error) {
	if isObject(orig) && isObject(typed) {
		var o, t map[string]json.RawMessage
		if err := json.Unmarshal(orig, &o); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(typed, &t); err != nil {
			return nil, err
		}
		for k, tv := range t {
			if ov, ok := o[k]; ok {
				m, err := mergeValues(ov, tv)
				if err != nil {
					return nil, err
				}
				o[k] = m
			} else {
				o[k] = tv
			}
		}
		return marshalNoEscape(o)
	}
	if jsonEqual(orig, typed) {
		return orig, nil
	}
	return typed, nil
}

// jsonEqual reports whether two JSON values are equal, comparing numbers
// by value (1e-06 equals 0.000001, 10000.0 equals 10000).
func jsonEqual(a, b []byte) bool {
	var x, y any
	da := json.NewDecoder(bytes.NewReader(a))
	da.UseNumber()
	db := json.NewDecoder(bytes.NewReader(b))
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	return valuesEqual(x, y)
}

func valuesEqual(x, y any) bool {
	switch x := x.(type) {
	case json.Number:
		y, ok := y.(json.Number)
		return ok && numbersEqual(x, y)
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !valuesEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !valuesEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return x == y
}

func numbersEqual(a, b json.Number) bool {
	if a == b {
		return true
	}
	ai, errA := a.Int64()
	bi, errB := b.Int64()
	if errA == nil && errB == nil {
		return ai == bi
	}
	af, errA := a.Float64()
	bf, errB := b.Float64()
	return errA == nil && errB == nil && af == bf
}
