package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxHeaderSize is the largest header, in bytes, that the reader accepts;
// the reference implementation uses the same limit.
const MaxHeaderSize = 100_000_000

// metadataKey is the reserved header key of the free-form metadata map.
const metadataKey = "__metadata__"

// TensorInfo describes one tensor of a file.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	// Begin and End are the header's data_offsets: the tensor's bytes are
	// [Begin, End) of the data section, which follows the header.
	Begin, End int64
}

// NumElements returns the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= int64(d)
	}
	return n
}

// NumBytes returns the size of the tensor's data in bytes.
func (t TensorInfo) NumBytes() int64 { return t.End - t.Begin }

// Header is a parsed and validated safetensors header.
type Header struct {
	// Tensors lists every tensor in data order (increasing offsets).
	Tensors []TensorInfo
	// Metadata is the "__metadata__" map, nil when the file has none.
	Metadata map[string]string
	// Size is the length N of the header JSON in bytes, padding included
	// (the data section starts at byte 8+N of the file).
	Size int64

	index map[string]int
}

// DataSize returns the length of the data section in bytes.
func (h *Header) DataSize() int64 {
	if len(h.Tensors) == 0 {
		return 0
	}
	return h.Tensors[len(h.Tensors)-1].End
}

// Lookup returns the tensor called name.
func (h *Header) Lookup(name string) (TensorInfo, bool) {
	i, ok := h.index[name]
	if !ok {
		return TensorInfo{}, false
	}
	return h.Tensors[i], true
}

// Names returns the tensor names in sorted order.
func (h *Header) Names() []string {
	names := make([]string, len(h.Tensors))
	for i, t := range h.Tensors {
		names[i] = t.Name
	}
	slices.Sort(names)
	return names
}

// ReadHeader reads and validates the header of a safetensors file of
// fileSize bytes without reading any tensor data. Errors are *FormatError
// (without a Path) or I/O errors.
func ReadHeader(r io.ReaderAt, fileSize int64) (*Header, error) {
	var prefix [8]byte
	if fileSize < 8 {
		return nil, formatErr("", "file is %d bytes long, shorter than the 8-byte header length: truncated or not a safetensors file", fileSize)
	}
	if _, err := r.ReadAt(prefix[:], 0); err != nil {
		return nil, err
	}
	n, err := headerLength(prefix[:], fileSize)
	if err != nil {
		return nil, err
	}
	js := make([]byte, n)
	if _, err := r.ReadAt(js, 8); err != nil {
		return nil, err
	}
	return decodeHeader(js, fileSize-8-n)
}

// headerLength checks the 8-byte prefix against the file size and returns N.
func headerLength(prefix []byte, fileSize int64) (int64, error) {
	u := binary.LittleEndian.Uint64(prefix)
	if u > MaxHeaderSize {
		return 0, formatErr("", "header length %d exceeds the %d-byte limit: corrupt or not a safetensors file", u, MaxHeaderSize)
	}
	n := int64(u)
	if 8+n > fileSize {
		return 0, formatErr("", "header length %d runs past the end of the %d-byte file: truncated or not a safetensors file", n, fileSize)
	}
	return n, nil
}

// decodeHeader parses the header JSON js and checks every tensor against a
// data section of dataSize bytes.
func decodeHeader(js []byte, dataSize int64) (*Header, error) {
	if !utf8.Valid(js) {
		return nil, formatErr("", "header is not valid UTF-8")
	}
	if len(js) == 0 || js[0] != '{' {
		return nil, formatErr("", "header does not start with '{': not a safetensors file or a corrupt header")
	}
	entries, err := objectEntries(js)
	if err != nil {
		return nil, formatErr("", "header JSON: %v", err)
	}
	h := &Header{Size: int64(len(js)), index: make(map[string]int, len(entries))}
	for _, e := range entries {
		if e.key == metadataKey {
			if h.Metadata, err = decodeMetadata(e.value); err != nil {
				return nil, err
			}
			continue
		}
		t, err := decodeTensorInfo(e.key, e.value)
		if err != nil {
			return nil, err
		}
		if err := checkTensor(t, dataSize); err != nil {
			return nil, err
		}
		h.Tensors = append(h.Tensors, t)
	}
	slices.SortFunc(h.Tensors, func(a, b TensorInfo) int {
		if a.Begin != b.Begin {
			return cmpInt64(a.Begin, b.Begin)
		}
		if a.End != b.End {
			return cmpInt64(a.End, b.End)
		}
		return strings.Compare(a.Name, b.Name)
	})
	if err := checkLayout(h.Tensors, dataSize); err != nil {
		return nil, err
	}
	for i, t := range h.Tensors {
		h.index[t.Name] = i
	}
	return h, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkTensor checks one tensor's byte range against its dtype and shape
// and against the data section.
func checkTensor(t TensorInfo, dataSize int64) error {
	if t.Begin > t.End {
		return formatErr(t.Name, "data_offsets [%d, %d] end before they begin", t.Begin, t.End)
	}
	n := uint64(1)
	for _, d := range t.Shape {
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64 {
			return formatErr(t.Name, "shape %v has more elements than fit in 64 bits", t.Shape)
		}
		n = lo
	}
	hi, want := bits.Mul64(n, uint64(t.DType.Size()))
	if hi != 0 || want > math.MaxInt64 {
		return formatErr(t.Name, "shape %v of %s needs more bytes than fit in 64 bits", t.Shape, t.DType)
	}
	if got := uint64(t.End - t.Begin); got != want {
		return formatErr(t.Name, "data_offsets [%d, %d] span %d bytes but %s × shape %v needs %d", t.Begin, t.End, got, t.DType, t.Shape, want)
	}
	if t.End > dataSize {
		return formatErr(t.Name, "data_offsets [%d, %d] run past the end of the %d-byte data section: the file is truncated or the header is wrong", t.Begin, t.End, dataSize)
	}
	return nil
}

// checkLayout checks that the tensors, sorted by offset, tile the data
// section exactly: no gap, no overlap, no trailing bytes.
func checkLayout(ts []TensorInfo, dataSize int64) error {
	var end int64
	prev := ""
	for _, t := range ts {
		switch {
		case t.Begin > end && prev == "":
			return formatErr(t.Name, "bytes [0, %d) of the data section before this tensor belong to no tensor (gap)", t.Begin)
		case t.Begin > end:
			return formatErr(t.Name, "bytes [%d, %d) between tensor %q and this tensor belong to no tensor (gap)", end, t.Begin, prev)
		case t.Begin < end:
			return formatErr(t.Name, "data_offsets [%d, %d] overlap tensor %q, which ends at %d", t.Begin, t.End, prev, end)
		}
		end, prev = t.End, t.Name
	}
	if end != dataSize {
		return formatErr("", "%d bytes after the last tensor's data belong to no tensor (data section is %d bytes, tensors cover %d)", dataSize-end, dataSize, end)
	}
	return nil
}

type jsonEntry struct {
	key   string
	value json.RawMessage
}

// objectEntries splits a JSON object into its entries in order, rejecting
// duplicate keys and anything but white space after the object.
func objectEntries(js []byte) ([]jsonEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out []jsonEntry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is not a string at byte %d", dec.InputOffset())
		}
		if seen[key] {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, jsonErr(err)
		}
		out = append(out, jsonEntry{key, v})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, jsonErr(err)
	}
	if rest := js[dec.InputOffset():]; len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("unexpected data after the JSON object at byte %d", dec.InputOffset())
	}
	return out, nil
}

func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("syntax error at byte %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of JSON (header truncated)")
	}
	return err
}

func decodeMetadata(raw json.RawMessage) (map[string]string, error) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, formatErr("", "%s is not a JSON object of strings", metadataKey)
	}
	entries, err := objectEntries(raw)
	if err != nil {
		return nil, formatErr("", "%s: %v", metadataKey, err)
	}
	m := make(map[string]string, len(entries))
	for _, e := range entries {
		var s string
		if len(e.value) == 0 || e.value[0] != '"' || json.Unmarshal(e.value, &s) != nil {
			return nil, formatErr("", "%s: value of %q is %s, not a string", metadataKey, e.key, abbrev(e.value))
		}
		m[e.key] = s
	}
	return m, nil
}

func decodeTensorInfo(name string, raw json.RawMessage) (TensorInfo, error) {
	t := TensorInfo{Name: name}
	if len(raw) == 0 || raw[0] != '{' {
		return t, formatErr(name, "header entry is %s, not an object with dtype, shape and data_offsets", abbrev(raw))
	}
	entries, err := objectEntries(raw)
	if err != nil {
		return t, formatErr(name, "%v", err)
	}
	var haveDType, haveShape, haveOffsets bool
	for _, e := range entries {
		switch e.key {
		case "dtype":
			var s string
			if len(e.value) == 0 || e.value[0] != '"' || json.Unmarshal(e.value, &s) != nil {
				return t, formatErr(name, "dtype is %s, not a string", abbrev(e.value))
			}
			if t.DType, err = ParseDType(s); err != nil {
				return t, formatErr(name, "%v", err)
			}
			haveDType = true
		case "shape":
			dims, err := uintArray(e.value)
			if err != nil {
				return t, formatErr(name, "shape %s: %v", abbrev(e.value), err)
			}
			t.Shape = make([]int, len(dims))
			for i, d := range dims {
				if d > math.MaxInt {
					return t, formatErr(name, "shape dimension %d is too large", d)
				}
				t.Shape[i] = int(d)
			}
			haveShape = true
		case "data_offsets":
			offs, err := uintArray(e.value)
			if err == nil && len(offs) != 2 {
				err = fmt.Errorf("has %d numbers, want 2 ([begin, end])", len(offs))
			}
			if err != nil {
				return t, formatErr(name, "data_offsets %s: %v", abbrev(e.value), err)
			}
			t.Begin, t.End = offs[0], offs[1]
			haveOffsets = true
		}
	}
	var missing []string
	for _, m := range []struct {
		ok  bool
		key string
	}{{haveDType, "dtype"}, {haveShape, "shape"}, {haveOffsets, "data_offsets"}} {
		if !m.ok {
			missing = append(missing, m.key)
		}
	}
	if len(missing) > 0 {
		return t, formatErr(name, "header entry lacks %s", strings.Join(missing, ", "))
	}
	return t, nil
}

// uintArray parses a JSON array of non-negative integers that fit in int64.
func uintArray(raw json.RawMessage) ([]int64, error) {
	var elems []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, errors.New("not a JSON array of integers")
	}
	out := make([]int64, len(elems))
	for i, e := range elems {
		s := string(bytes.TrimSpace(e))
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return nil, fmt.Errorf("element %d (%s) is not a non-negative integer", i, abbrev(e))
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("element %d (%s) is too large", i, abbrev(e))
		}
		out[i] = v
	}
	return out, nil
}

// abbrev shortens a JSON value for an error message.
func abbrev(raw []byte) string {
	s := string(bytes.TrimSpace(raw))
	if s == "" {
		return "empty"
	}
	if r := []rune(s); len(r) > 40 {
		s = string(r[:37]) + "..."
	}
	return s
}
