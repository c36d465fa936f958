package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// File is an open safetensors file whose header has been validated. Tensor
// data is read on demand from a read-only memory map (or from memory when
// the file was read or parsed from a buffer). A File is safe for concurrent
// reads; Close must not run concurrently with them.
type File struct {
	path   string
	header *Header
	data   []byte   // the data section
	mapped []byte   // the whole mapping, unmapped by Close; nil when not mapped
	fh     *os.File // open while mapped: F32 tensors are read with pread
	closed bool
}

// Open opens and validates the safetensors file at path, memory-mapping it
// read-only where the platform allows (and reading it into memory
// otherwise). Call Close to release the mapping; slices returned by Bytes
// are valid until then.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("safetensors: %s is not a regular file", path)
	}
	size := st.Size()
	h, err := ReadHeader(f, size)
	if err != nil {
		return nil, fileErr(err, path)
	}
	sf := &File{path: path, header: h}
	start := 8 + h.Size
	if b, ok := mapFile(f, size); ok {
		sf.mapped = b
		sf.data = b[start:]
		sf.fh, keep = f, true
		return sf, nil
	}
	sf.data = make([]byte, size-start)
	if _, err := f.ReadAt(sf.data, start); err != nil && !(err == io.EOF && len(sf.data) == 0) {
		return nil, fmt.Errorf("safetensors: reading %s: %w", path, err)
	}
	return sf, nil
}

func fileErr(err error, path string) error {
	if _, ok := err.(*FormatError); ok {
		return withPath(err, path)
	}
	return fmt.Errorf("safetensors: reading %s: %w", path, err)
}

// Parse validates buf as a whole safetensors file and returns a File that
// reads from buf (without copying it). name is used in error messages.
func Parse(name string, buf []byte) (*File, error) {
	if len(buf) < 8 {
		return nil, withPath(formatErr("", "file is %d bytes long, shorter than the 8-byte header length: truncated or not a safetensors file", len(buf)), name)
	}
	n, err := headerLength(buf[:8], int64(len(buf)))
	if err != nil {
		return nil, withPath(err, name)
	}
	h, err := decodeHeader(buf[8:8+n], int64(len(buf))-8-n)
	if err != nil {
		return nil, withPath(err, name)
	}
	return &File{path: name, header: h, data: buf[8+n:]}, nil
}

// Path returns the path the file was opened from (or the name given to Parse).
func (f *File) Path() string { return f.path }

// Header returns the validated header.
func (f *File) Header() *Header { return f.header }

// Tensors returns the tensors in data order (increasing offsets).
func (f *File) Tensors() []TensorInfo { return f.header.Tensors }

// Metadata returns the "__metadata__" map (nil when absent).
func (f *File) Metadata() map[string]string { return f.header.Metadata }

// Names lists the tensors in data order.
func (f *File) Names() []string { return f.header.Names() }

// Shape returns a tensor's shape.
func (f *File) Shape(name string) ([]int, bool) {
	t, ok := f.header.Lookup(name)
	return t.Shape, ok
}

// Info returns the description of the tensor called name.
func (f *File) Info(name string) (TensorInfo, error) {
	t, ok := f.header.Lookup(name)
	if !ok {
		return t, fmt.Errorf("safetensors: %s: %q: %w", f.path, name, ErrNotFound)
	}
	return t, nil
}

// Bytes returns the raw little-endian bytes of the tensor called name. The
// slice aliases the file's memory: do not modify it, and do not use it
// after Close. (If another program truncates the file while it is mapped,
// reading the slice faults; the converting accessors turn that into an
// error, Bytes' callers must not let it happen.)
func (f *File) Bytes(name string) ([]byte, TensorInfo, error) {
	if f.closed {
		return nil, TensorInfo{}, fmt.Errorf("safetensors: %s: %w", f.path, ErrClosed)
	}
	t, err := f.Info(name)
	if err != nil {
		return nil, t, err
	}
	return f.data[t.Begin:t.End:t.End], t, nil
}

// Float32s returns the tensor called name as float32 values in row-major
// order. F16 and BF16 widen exactly, F64 rounds to nearest; integer and
// bool tensors convert when every value is exactly representable.
func (f *File) Float32s(name string) ([]float32, error) {
	t, err := f.Info(name)
	if err != nil {
		return nil, err
	}
	dst := make([]float32, t.NumElements())
	if err := f.Float32sInto(name, dst); err != nil {
		return nil, err
	}
	return dst, nil
}

// Float32sInto converts the tensor called name into dst, which must have
// exactly as many elements as the tensor (see Float32s).
func (f *File) Float32sInto(name string, dst []float32) (err error) {
	b, t, err := f.Bytes(name)
	if err != nil {
		return err
	}
	if int64(len(dst)) != t.NumElements() {
		return fmt.Errorf("safetensors: %s: tensor %q has %d elements (shape %v), destination has %d", f.path, name, t.NumElements(), t.Shape, len(dst))
	}
	if t.DType == F32 && littleEndianHost && f.fh != nil {
		// One copy from the page cache, without faulting the mapping in:
		// measurably faster than copying from the mapping.
		if _, err := f.fh.ReadAt(f32Bytes(dst), 8+f.header.Size+t.Begin); err != nil && len(dst) > 0 {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("safetensors: %s: tensor %q: the file was truncated after it was opened", f.path, name)
			}
			return fmt.Errorf("safetensors: reading %s: tensor %q: %w", f.path, name, err)
		}
		return nil
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer f.recoverFault(name, &err)
	if err := decodeFloat32s(dst, b, t.DType); err != nil {
		return fmt.Errorf("safetensors: %s: tensor %q: %w", f.path, name, err)
	}
	return nil
}

// Int64s returns an integer or bool tensor (any of BOOL, U8, I8, I16, U16,
// I32, U32, I64, U64) as int64 values; U64 values above MaxInt64 are an error.
func (f *File) Int64s(name string) (_ []int64, err error) {
	b, t, err := f.Bytes(name)
	if err != nil {
		return nil, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer f.recoverFault(name, &err)
	if !t.DType.IsInteger() {
		return nil, fmt.Errorf("safetensors: %s: tensor %q is %s, not an integer type", f.path, name, t.DType)
	}
	out := make([]int64, t.NumElements())
	if t.DType == I64 {
		for i := range out {
			out[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
		}
		return out, nil
	}
	for i := range out {
		if out[i], err = intAt(b, t.DType, i); err != nil {
			return nil, fmt.Errorf("safetensors: %s: tensor %q: %w", f.path, name, err)
		}
	}
	return out, nil
}

// Uint8s returns a U8 or BOOL tensor as a fresh byte slice.
func (f *File) Uint8s(name string) (_ []uint8, err error) {
	b, t, err := f.Bytes(name)
	if err != nil {
		return nil, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer f.recoverFault(name, &err)
	if t.DType != U8 && t.DType != BOOL {
		return nil, fmt.Errorf("safetensors: %s: tensor %q is %s, not U8 or BOOL", f.path, name, t.DType)
	}
	return append([]uint8(nil), b...), nil
}

// recoverFault turns a memory fault while reading the mapping (the file was
// truncated by another program after Open) into an error; other panics
// propagate.
func (f *File) recoverFault(name string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	if _, ok := r.(interface{ Addr() uintptr }); ok {
		*err = fmt.Errorf("safetensors: %s: tensor %q: memory fault reading the mapped file: it was truncated or changed after it was opened", f.path, name)
		return
	}
	panic(r)
}

// Close releases the file's memory map. Slices from Bytes become invalid;
// later accessor calls return ErrClosed.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.data = nil
	if f.fh != nil {
		f.fh.Close()
		f.fh = nil
	}
	if f.mapped != nil {
		m := f.mapped
		f.mapped = nil
		if err := unmapFile(m); err != nil {
			return fmt.Errorf("safetensors: unmapping %s: %w", f.path, err)
		}
	}
	return nil
}
