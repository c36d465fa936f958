package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Expected bytes from the Rust reference implementation's unit tests
// (huggingface/safetensors, safetensors/src/tensor.rs: test_serialization,
// test_empty, test_serialization_forced_alignement).
func TestMarshalMatchesReferenceImplementation(t *testing.T) {
	f32 := func(v ...float32) []float32 { return v }
	cases := []struct {
		name     string
		tensors  []Tensor
		metadata map[string]string
		want     []byte
	}{
		{"serialization", []Tensor{{Name: "attn.0", Shape: []int{1, 2, 3}, DType: F32, F32: f32(0, 1, 2, 3, 4, 5)}}, nil, []byte{
			64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
			116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
			58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
			101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
			0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64}},
		{"empty", nil, nil, []byte{8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32}},
		{"empty with metadata", nil, map[string]string{"framework": "pt"}, []byte{
			40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
			95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
			116, 34, 125, 125, 32, 32, 32, 32, 32}},
		{"forced alignment", []Tensor{{Name: "attn0", Shape: []int{1, 1, 2, 3}, DType: F32, F32: f32(0, 1, 2, 3, 4, 5)}}, nil, []byte{
			72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
			121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
			91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
			115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
			32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
			160, 64}},
	}
	for _, c := range cases {
		got, err := Marshal(c.tensors, c.metadata)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// checkSpec checks, with its own JSON parsing, that buf is laid out as the
// reference writer does: header length a multiple of 8 and padded with
// spaces, tensors in header order sorted by descending dtype alignment then
// name, offsets contiguous from 0 to the end of the file, every tensor's
// data aligned to its element size.
func checkSpec(t *testing.T, buf []byte) {
	t.Helper()
	n := int(binary.LittleEndian.Uint64(buf))
	if n%8 != 0 {
		t.Fatalf("header length %d is not a multiple of 8", n)
	}
	hdr := buf[8 : 8+n]
	trimmed := bytes.TrimRight(hdr, " ")
	if trimmed[len(trimmed)-1] != '}' {
		t.Fatalf("header is not padded with spaces: %q", hdr[len(trimmed):])
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.Token()
	var prevName string
	prevRank := 1 << 30
	var offset int64
	for dec.More() {
		tok, _ := dec.Token()
		name := tok.(string)
		var e struct {
			DType       DType   `json:"dtype"`
			Shape       []int   `json:"shape"`
			DataOffsets []int64 `json:"data_offsets"`
		}
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		if name == "__metadata__" {
			if offset != 0 || prevName != "" {
				t.Fatal("__metadata__ is not first")
			}
			continue
		}
		r := e.DType.rank()
		if r > prevRank || (r == prevRank && name <= prevName) {
			t.Fatalf("tensor %q (%s) out of order after %q", name, e.DType, prevName)
		}
		if e.DataOffsets[0] != offset {
			t.Fatalf("tensor %q starts at %d, want %d", name, e.DataOffsets[0], offset)
		}
		if (int64(8+n)+offset)%int64(e.DType.Size()) != 0 {
			t.Fatalf("tensor %q data at file offset %d is not aligned", name, int64(8+n)+offset)
		}
		offset = e.DataOffsets[1]
		prevName, prevRank = name, r
	}
	if int64(8+n)+offset != int64(len(buf)) {
		t.Fatalf("tensors end at %d, file is %d bytes", int64(8+n)+offset, len(buf))
	}
}

func randFloats(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func TestWriteOpenRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), math.MaxFloat32, math.SmallestNonzeroFloat32}
	weights := append(randFloats(r, 61), specials...)
	raw16 := make([]byte, 2*5)
	for i := range raw16 {
		raw16[i] = byte(r.Uint32())
	}
	tensors := []Tensor{
		{Name: "w", Shape: []int{67}, DType: F32, F32: weights},
		{Name: "b.small", Shape: []int{3, 1}, DType: F32, F32: []float32{1, -2, 3.5}},
		{Name: "scalar", Shape: []int{}, DType: F32, F32: []float32{42}},
		{Name: "empty", Shape: []int{0, 4}, DType: F32, F32: []float32{}},
		{Name: "ids", Shape: []int{2, 2}, DType: I64, Raw: Int64Tensor("", nil, []int64{-1, 0, 1 << 40, math.MaxInt64}).Raw},
		Uint8Tensor("image", []int{1, 2, 3}, []uint8{0, 1, 2, 253, 254, 255}),
		{Name: "mask", Shape: []int{3}, DType: BOOL, Raw: []byte{1, 0, 1}},
		{Name: "i16", Shape: []int{5}, DType: I16, Raw: raw16},
		{Name: "double", Shape: []int{2}, DType: F64, F32: []float32{0.1, -7}},
	}
	meta := map[string]string{"format": "pt", "note": `quotes " and <tags> & ünïcode`}
	path := filepath.Join(t.TempDir(), "rt.safetensors")
	if err := Write(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	buf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSpec(t, buf)
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(f.Metadata()) != 2 || f.Metadata()["note"] != meta["note"] {
		t.Errorf("metadata %v, want %v", f.Metadata(), meta)
	}
	if len(f.Tensors()) != len(tensors) {
		t.Fatalf("%d tensors, want %d", len(f.Tensors()), len(tensors))
	}
	for _, want := range tensors {
		info, err := f.Info(want.Name)
		if err != nil {
			t.Fatal(err)
		}
		if info.DType != want.DType || !slices.Equal(info.Shape, want.Shape) {
			t.Errorf("%s: %s %v, want %s %v", want.Name, info.DType, info.Shape, want.DType, want.Shape)
		}
		switch {
		case want.DType == F32:
			got, err := f.Float32s(want.Name)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want.F32[i]) {
					t.Errorf("%s[%d] = %g, want %g (bit-identical)", want.Name, i, got[i], want.F32[i])
				}
			}
		case want.DType == F64:
			got, _ := f.Float32s(want.Name)
			if !slices.Equal(got, want.F32) {
				t.Errorf("%s = %v, want %v", want.Name, got, want.F32)
			}
		default:
			got, _, err := f.Bytes(want.Name)
			if err != nil || !bytes.Equal(got, want.Raw) {
				t.Errorf("%s bytes = %v (%v), want %v", want.Name, got, err, want.Raw)
			}
		}
	}
	ids, err := f.Int64s("ids")
	if err != nil || !slices.Equal(ids, []int64{-1, 0, 1 << 40, math.MaxInt64}) {
		t.Errorf("Int64s(ids) = %v, %v", ids, err)
	}
	img, err := f.Uint8s("image")
	if err != nil || !slices.Equal(img, []uint8{0, 1, 2, 253, 254, 255}) {
		t.Errorf("Uint8s(image) = %v, %v", img, err)
	}
	mask, err := f.Int64s("mask")
	if err != nil || !slices.Equal(mask, []int64{1, 0, 1}) {
		t.Errorf("Int64s(mask) = %v, %v", mask, err)
	}
	if fl, err := f.Float32s("image"); err != nil || fl[5] != 255 {
		t.Errorf("Float32s(image) = %v, %v", fl, err)
	}
	if _, err := f.Int64s("w"); err == nil {
		t.Error("Int64s of an F32 tensor succeeded")
	}
	if _, err := f.Uint8s("ids"); err == nil {
		t.Error("Uint8s of an I64 tensor succeeded")
	}
	if _, err := f.Float32s("nope"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), path) {
		t.Errorf("missing tensor error = %v", err)
	}
	if err := f.Float32sInto("w", make([]float32, 3)); err == nil || !strings.Contains(err.Error(), "destination has 3") {
		t.Errorf("short destination error = %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Float32s("w"); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

func TestHalfPrecisionWrite(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	// Values exactly representable in both F16 and BF16 survive exactly.
	exact := []float32{0, 1, -1, 0.5, 1.5, -2.75, 1024, 3.0517578e-05, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))}
	vals := randFloats(r, 1000)
	for _, dt := range []DType{F16, BF16} {
		buf, err := Marshal([]Tensor{
			{Name: "exact", Shape: []int{len(exact)}, DType: dt, F32: exact},
			{Name: "rand", Shape: []int{10, 100}, DType: dt, F32: vals},
			{Name: "nan", Shape: []int{1}, DType: dt, F32: []float32{float32(math.NaN())}},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkSpec(t, buf)
		f, err := Parse("half", buf)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.Float32s("exact")
		for i := range exact {
			if math.Float32bits(got[i]) != math.Float32bits(exact[i]) {
				t.Errorf("%s: exact[%d] = %g, want %g", dt, i, got[i], exact[i])
			}
		}
		got, _ = f.Float32s("rand")
		for i, v := range vals {
			want := F16ToF32(F32ToF16(v))
			if dt == BF16 {
				want = BF16ToF32(F32ToBF16(v))
			}
			if got[i] != want {
				t.Fatalf("%s: rand[%d] = %g, want %g", dt, i, got[i], want)
			}
		}
		if nan, _ := f.Float32s("nan"); !math.IsNaN(float64(nan[0])) {
			t.Errorf("%s: NaN became %g", dt, nan[0])
		}
		// Reading back and writing again in the same dtype is bit-identical.
		again, err := Marshal([]Tensor{
			{Name: "exact", Shape: []int{len(exact)}, DType: dt, F32: mustF32(t, f, "exact")},
			{Name: "rand", Shape: []int{10, 100}, DType: dt, F32: mustF32(t, f, "rand")},
			{Name: "nan", Shape: []int{1}, DType: dt, F32: mustF32(t, f, "nan")},
		}, nil)
		if err != nil || !bytes.Equal(again, buf) {
			t.Errorf("%s: second write differs from the first (%v)", dt, err)
		}
	}
}

func mustF32(t *testing.T, f *File, name string) []float32 {
	t.Helper()
	v, err := f.Float32s(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWriteRejectsBadTensors(t *testing.T) {
	cases := []struct {
		name    string
		tensors []Tensor
		want    string
	}{
		{"duplicate", []Tensor{{Name: "a", DType: F32, F32: []float32{1}}, {Name: "a", DType: F16, F32: []float32{1}}}, `"a" appears twice`},
		{"reserved name", []Tensor{{Name: "__metadata__", DType: F32, F32: []float32{1}}}, "reserved"},
		{"bad dtype", []Tensor{{Name: "a", DType: "F12", F32: []float32{1}}}, `unknown dtype "F12"`},
		{"negative dim", []Tensor{{Name: "a", Shape: []int{-1}, DType: F32, F32: []float32{}}}, "negative dimension"},
		{"count mismatch", []Tensor{{Name: "a", Shape: []int{2, 2}, DType: F32, F32: []float32{1, 2, 3}}}, "4 elements but 3 values"},
		{"raw size mismatch", []Tensor{{Name: "a", Shape: []int{2}, DType: I64, Raw: []byte{1}}}, "needs 16 bytes but 1"},
		{"float data for int dtype", []Tensor{{Name: "a", Shape: []int{1}, DType: I64, F32: []float32{1}}}, "cannot be stored as I64"},
		{"both data", []Tensor{{Name: "a", Shape: []int{1}, DType: F32, F32: []float32{1}, Raw: []byte{0, 0, 0, 0}}}, "both F32 and Raw"},
		{"huge shape", []Tensor{{Name: "a", Shape: []int{1 << 40, 1 << 40}, DType: F32}}, "too large"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		path := filepath.Join(dir, c.name+".safetensors")
		err := Write(path, c.tensors, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and containing %q", c.name, err, path, c.want)
		}
		if _, serr := os.Stat(path); serr == nil {
			t.Errorf("%s: a file was written despite the error", c.name)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.safetensors")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	good, _ := Marshal([]Tensor{{Name: "a", Shape: []int{4}, DType: F32, F32: []float32{1, 2, 3, 4}}}, nil)
	p := filepath.Join(dir, "trunc.safetensors")
	os.WriteFile(p, good[:len(good)-3], 0o644)
	_, err := Open(p)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
}

func TestTruncatedWhileMapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	big := make([]float32, 1<<16)
	if err := Write(path, []Tensor{{Name: "a", Shape: []int{len(big)}, DType: F32, F32: big}, Uint8Tensor("u", []int{8192}, make([]byte, 8192))}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.mapped == nil {
		t.Skip("file is not memory-mapped on this platform")
	}
	if err := os.Truncate(path, 100); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Float32s("a"); err == nil || !strings.Contains(err.Error(), "truncated after it was opened") {
		t.Errorf("Float32s after truncation: %v", err)
	}
	if _, err := f.Uint8s("u"); err == nil || !strings.Contains(err.Error(), "truncated or changed after it was opened") {
		t.Errorf("Uint8s after truncation: %v", err)
	}
}
