package safetensors

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser. It must never panic; what
// it accepts must be fully readable, and writing the accepted tensors back
// must give a file that parses to the same tensors. Run it with
//
//	go test ./hf/safetensors -run '^$' -fuzz FuzzParse -fuzztime 5m
//
// Inputs that once failed, and a sample of the corpus, are kept in
// testdata/fuzz/FuzzParse and replayed by every plain go test.
func FuzzParse(f *testing.F) {
	good, _ := Marshal([]Tensor{
		{Name: "w", Shape: []int{2, 2}, DType: F32, F32: []float32{1, 2, 3, 4}},
		{Name: "h", Shape: []int{3}, DType: F16, F32: []float32{1, 0.5, -2}},
		Int64Tensor("ids", []int{2}, []int64{7, -1}),
		Uint8Tensor("img", []int{1, 1, 3}, []uint8{9, 8, 7}),
	}, map[string]string{"format": "pt"})
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(build(`{}`, 0))
	f.Add(build(`{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BOOL","shape":[0],"data_offsets":[4,4]}}`, 4))
	f.Add(build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, 12))
	f.Add(build(`{"a":{"dtype":"U64","shape":[1],"data_offsets":[0,8]}}`, 8))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz", data)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error does not wrap ErrFormat: %v", err)
			}
			return
		}
		var again []Tensor
		for _, ti := range file.Tensors() {
			raw, info, err := file.Bytes(ti.Name)
			if err != nil || int64(len(raw)) != ti.NumBytes() || info.Name != ti.Name {
				t.Fatalf("Bytes(%q) = %d bytes, %v", ti.Name, len(raw), err)
			}
			if ti.DType.IsFloat() {
				v, err := file.Float32s(ti.Name)
				if err != nil || int64(len(v)) != ti.NumElements() {
					t.Fatalf("Float32s(%q): %d values, %v", ti.Name, len(v), err)
				}
			}
			if ti.DType.IsInteger() {
				file.Int64s(ti.Name) // U64 overflow is a legitimate error
				file.Float32s(ti.Name)
			}
			again = append(again, Tensor{Name: ti.Name, Shape: ti.Shape, DType: ti.DType, Raw: raw})
		}
		buf, err := Marshal(again, file.Metadata())
		if err != nil {
			t.Fatalf("rewriting an accepted file: %v", err)
		}
		back, err := Parse("rewritten", buf)
		if err != nil {
			t.Fatalf("rewritten file does not parse: %v", err)
		}
		if len(back.Tensors()) != len(file.Tensors()) || len(back.Metadata()) != len(file.Metadata()) {
			t.Fatalf("rewritten file has %d tensors, %d metadata keys; want %d, %d",
				len(back.Tensors()), len(back.Metadata()), len(file.Tensors()), len(file.Metadata()))
		}
		for k, v := range file.Metadata() {
			if back.Metadata()[k] != v {
				t.Fatalf("metadata %q = %q after rewrite, want %q", k, back.Metadata()[k], v)
			}
		}
		for _, ti := range file.Tensors() {
			b1, _, _ := file.Bytes(ti.Name)
			b2, bi, err := back.Bytes(ti.Name)
			if err != nil || bi.DType != ti.DType || !slices.Equal(bi.Shape, ti.Shape) || !bytes.Equal(b1, b2) {
				t.Fatalf("tensor %q changed in the rewrite", ti.Name)
			}
		}
	})
}

// FuzzHeaderJSON fuzzes the header JSON alone, in front of a data section
// of dataLen bytes, so that the fuzzer spends its time on the JSON and the
// offset checks rather than on the length prefix.
func FuzzHeaderJSON(f *testing.F) {
	f.Add(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, uint16(8))
	f.Add(`{"__metadata__":{"k":"v"},"a":{"dtype":"I8","shape":[1,1],"data_offsets":[0,1]},"b":{"dtype":"U16","shape":[],"data_offsets":[1,3]}}`, uint16(3))
	f.Add(`{"a":{"dtype":"F64","shape":[0],"data_offsets":[0,0]}}  `, uint16(0))
	f.Add(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, uint16(8))
	f.Fuzz(func(t *testing.T, header string, dataLen uint16) {
		file, err := Parse("fuzz", build(header, int(dataLen)))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error does not wrap ErrFormat: %v", err)
			}
			return
		}
		var end int64
		for _, ti := range file.Tensors() {
			if ti.Begin != end || ti.NumBytes() != ti.NumElements()*int64(ti.DType.Size()) {
				t.Fatalf("accepted a bad layout: %+v after offset %d", ti, end)
			}
			end = ti.End
		}
		if end != int64(dataLen) {
			t.Fatalf("accepted tensors covering %d of %d data bytes", end, dataLen)
		}
	})
}
