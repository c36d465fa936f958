package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/vlmtune/vlmtune/hf/internal/atomicfile"
)

// Tensor is a named tensor to write.
type Tensor struct {
	Name  string
	Shape []int
	// DType is the element type stored in the file.
	DType DType
	// F32 holds the values, in row-major order, for a floating-point DType
	// (F32, F16, BF16, F64); narrowing rounds to nearest, ties to even.
	F32 []float32
	// Raw holds the tensor's little-endian bytes, already in DType; it is
	// used, for any dtype, when F32 is nil.
	Raw []byte
}

// Int64Tensor returns an I64 tensor holding v.
func Int64Tensor(name string, shape []int, v []int64) Tensor {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	return Tensor{Name: name, Shape: shape, DType: I64, Raw: raw}
}

// Uint8Tensor returns a U8 tensor holding v.
func Uint8Tensor(name string, shape []int, v []uint8) Tensor {
	return Tensor{Name: name, Shape: shape, DType: U8, Raw: v}
}

// numBytes validates t and returns the size of its data in the file.
func (t *Tensor) numBytes() (int64, error) {
	if t.Name == metadataKey {
		return 0, fmt.Errorf("tensor name %q is reserved for the metadata map", t.Name)
	}
	if !t.DType.Valid() {
		return 0, fmt.Errorf("tensor %q: unknown dtype %q", t.Name, t.DType)
	}
	n := uint64(1)
	for _, d := range t.Shape {
		if d < 0 {
			return 0, fmt.Errorf("tensor %q: shape %v has a negative dimension", t.Name, t.Shape)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64/8 {
			return 0, fmt.Errorf("tensor %q: shape %v is too large", t.Name, t.Shape)
		}
		n = lo
	}
	size := int64(n) * int64(t.DType.Size())
	switch {
	case t.F32 != nil && t.Raw != nil:
		return 0, fmt.Errorf("tensor %q: both F32 and Raw data are set", t.Name)
	case t.F32 != nil:
		if !t.DType.IsFloat() {
			return 0, fmt.Errorf("tensor %q: float32 data cannot be stored as %s (give Raw bytes, or use F32, F16, BF16 or F64)", t.Name, t.DType)
		}
		if uint64(len(t.F32)) != n {
			return 0, fmt.Errorf("tensor %q: shape %v has %d elements but %d values were given", t.Name, t.Shape, n, len(t.F32))
		}
	default:
		if int64(len(t.Raw)) != size {
			return 0, fmt.Errorf("tensor %q: %s × shape %v needs %d bytes but %d were given", t.Name, t.DType, t.Shape, size, len(t.Raw))
		}
	}
	return size, nil
}

// layout sorts tensors as the reference implementation does (descending
// dtype alignment, then name), assigns contiguous offsets and returns the
// padded header JSON and the data size.
func layout(tensors []Tensor, metadata map[string]string) (order []Tensor, header []byte, dataSize int64, err error) {
	order = slices.Clone(tensors)
	slices.SortStableFunc(order, func(a, b Tensor) int {
		if a.DType != b.DType {
			return b.DType.rank() - a.DType.rank()
		}
		return strings.Compare(a.Name, b.Name)
	})
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	if metadata != nil {
		buf.WriteString(`"__metadata__":{`)
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(&buf, k)
			buf.WriteByte(':')
			writeJSONString(&buf, metadata[k])
		}
		buf.WriteByte('}')
		first = false
	}
	seen := make(map[string]bool, len(order))
	var offset int64
	for i := range order {
		t := &order[i]
		if seen[t.Name] {
			return nil, nil, 0, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		seen[t.Name] = true
		n, err := t.numBytes()
		if err != nil {
			return nil, nil, 0, err
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		writeJSONString(&buf, t.Name)
		buf.WriteString(`:{"dtype":"`)
		buf.WriteString(string(t.DType))
		buf.WriteString(`","shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(strconv.Itoa(d))
		}
		buf.WriteString(`],"data_offsets":[`)
		buf.WriteString(strconv.FormatInt(offset, 10))
		buf.WriteByte(',')
		buf.WriteString(strconv.FormatInt(offset+n, 10))
		buf.WriteString("]}")
		offset += n
	}
	buf.WriteByte('}')
	for buf.Len()%8 != 0 {
		buf.WriteByte(' ')
	}
	return order, buf.Bytes(), offset, nil
}

// writeJSONString writes s as a JSON string without HTML escaping, as
// serde_json does.
func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)               // cannot fail for a string
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

// Encode writes a safetensors file holding tensors and metadata (nil for
// none) to w and returns the number of bytes written. See Write for the
// layout.
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) (int64, error) {
	order, header, _, err := layout(tensors, metadata)
	if err != nil {
		return 0, fmt.Errorf("safetensors: %w", err)
	}
	n, err := encode(w, order, header)
	if err != nil {
		return n, fmt.Errorf("safetensors: %w", err)
	}
	return n, nil
}

// encode writes the prefix, the header and the tensors' data in order.
func encode(w io.Writer, order []Tensor, header []byte) (int64, error) {
	cw := &countWriter{w: w}
	var prefix [8]byte
	binary.LittleEndian.PutUint64(prefix[:], uint64(len(header)))
	cw.Write(prefix[:])
	cw.Write(header)
	var scratch []byte
	for _, t := range order {
		switch {
		case t.F32 == nil:
			cw.Write(t.Raw)
		case t.DType == F32 && littleEndianHost:
			cw.Write(f32Bytes(t.F32))
		default:
			const chunk = 1 << 16
			size := t.DType.Size()
			if scratch == nil {
				scratch = make([]byte, chunk*8)
			}
			for s := 0; s < len(t.F32); s += chunk {
				src := t.F32[s:min(s+chunk, len(t.F32))]
				dst := scratch[:len(src)*size]
				encodeFloat32s(dst, src, t.DType)
				cw.Write(dst)
			}
		}
		if cw.err != nil {
			break
		}
	}
	return cw.n, cw.err
}

// Marshal returns a safetensors file holding tensors and metadata as bytes.
func Marshal(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := Encode(&buf, tensors, metadata); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write creates or atomically replaces the safetensors file at path. The
// layout follows the Rust reference implementation byte for byte: the
// header lists "__metadata__" first (keys sorted), then the tensors sorted
// by descending dtype alignment and then by name (plain name order when
// all share a dtype), with contiguous increasing data_offsets from 0; the
// header JSON is padded with spaces to a multiple of 8 bytes so that every
// tensor's data is aligned. The data goes to a temporary file in the same
// directory, which is synced and renamed over path.
func Write(path string, tensors []Tensor, metadata map[string]string) error {
	order, header, _, err := layout(tensors, metadata)
	if err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		if _, err := encode(w, order, header); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// countWriter counts bytes and keeps the first error.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

// Write writes p, counting the bytes; after an error it writes nothing.
func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
