package safetensors

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// build returns a file with the given header JSON followed by dataLen bytes.
func build(header string, dataLen int) []byte {
	b := make([]byte, 8, 8+len(header)+dataLen)
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	b = append(b, header...)
	for i := range dataLen {
		b = append(b, byte(i))
	}
	return b
}

func TestParseBadInput(t *testing.T) {
	const okEntry = `"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`
	tooLong := make([]byte, 8)
	binary.LittleEndian.PutUint64(tooLong, 200_000_000)
	huge := make([]byte, 8)
	binary.LittleEndian.PutUint64(huge, 1<<63+5)
	cases := []struct {
		name   string
		file   []byte
		tensor string // the tensor the error must name, if any
		want   string
	}{
		{"empty file", nil, "", "shorter than the 8-byte header length"},
		{"truncated prefix", []byte{1, 2, 3}, "", "shorter than the 8-byte header length"},
		{"header too large", append(tooLong, '{', '}'), "", "exceeds the 100000000-byte limit"},
		{"header length overflow", append(huge, '{', '}'), "", "exceeds"},
		{"header past end", build(`{}`, 0)[:9], "", "runs past the end of the 9-byte file"},
		{"truncated header JSON", build(`{"a":{"dtype":"F32",`, 0), "", "unexpected end of JSON"},
		{"not UTF-8", build("{\"a\xff\":1}", 0), "", "not valid UTF-8"},
		{"not an object", build(`[1,2]`, 0), "", "does not start with '{'"},
		{"leading space", build(` {}`, 0), "", "does not start with '{'"},
		{"malformed JSON", build(`{"a":{"dtype":"F32"`+"\n"+`,,}}`, 0), "", "syntax error at byte"},
		{"trailing data", build(`{}x`, 0), "", "unexpected data after the JSON object"},
		{"duplicate tensor", build(`{`+okEntry+`,`+okEntry+`}`, 8), "", `key "a" appears twice`},
		{"entry not object", build(`{"a":[1]}`, 0), "a", "not an object with dtype"},
		{"missing dtype", build(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, 8), "a", "lacks dtype"},
		{"missing shape and offsets", build(`{"a":{"dtype":"F32"}}`, 0), "a", "lacks shape, data_offsets"},
		{"unknown dtype", build(`{"a":{"dtype":"F99","shape":[2],"data_offsets":[0,8]}}`, 8), "a", `unknown dtype "F99"`},
		{"dtype not string", build(`{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, 8), "a", "dtype is 4, not a string"},
		{"negative dim", build(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, 8), "a", "not a non-negative integer"},
		{"float dim", build(`{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}`, 8), "a", "not a non-negative integer"},
		{"shape not array", build(`{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}`, 8), "a", "not a JSON array"},
		{"huge dim", build(`{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}}`, 8), "a", "too large"},
		{"shape overflow", build(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}`, 8), "a", "more elements than fit in 64 bits"},
		{"bytes overflow", build(`{"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]}}`, 8), "a", "more bytes than fit"},
		{"one offset", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8]}}`, 8), "a", "has 1 numbers, want 2"},
		{"offsets reversed", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, 8), "a", "end before they begin"},
		{"size not dtype*shape", build(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8), "a", "span 8 bytes but F32 × shape [3] needs 12"},
		{"out of range (truncated data)", build(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, 10), "a", "run past the end of the 10-byte data section"},
		{"gap at start", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, 12), "a", "bytes [0, 4) of the data section before this tensor belong to no tensor"},
		{"gap between", build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, 12), "b", `bytes [4, 8) between tensor "a" and this tensor`},
		{"overlap", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, 12), "b", `overlap tensor "a", which ends at 8`},
		{"same range twice", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 8), "b", `overlap tensor "a"`},
		{"trailing bytes", build(`{`+okEntry+`}`, 12), "", "4 bytes after the last tensor's data belong to no tensor"},
		{"data but no tensors", build(`{}`, 3), "", "3 bytes after the last tensor"},
		{"metadata not strings", build(`{"__metadata__":{"format":1}}`, 0), "", `value of "format" is 1, not a string`},
		{"metadata not object", build(`{"__metadata__":[1]}`, 0), "", "__metadata__ is not a JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse("bad.safetensors", c.file)
			if err == nil {
				t.Fatalf("Parse succeeded (%d tensors), want error containing %q", len(f.Tensors()), c.want)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %v does not wrap ErrFormat", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, "safetensors: bad.safetensors: ") {
				t.Errorf("error %q, want it to name the file and contain %q", msg, c.want)
			}
			var fe *FormatError
			if errors.As(err, &fe) && fe.Tensor != c.tensor {
				t.Errorf("error names tensor %q, want %q", fe.Tensor, c.tensor)
			}
		})
	}
}

func TestParseAcceptsValidLayouts(t *testing.T) {
	cases := []struct {
		name    string
		file    []byte
		tensors []string // in data order
	}{
		{"empty header", build(`{}`, 0), nil},
		{"padded header", build(`{}      `, 0), nil},
		{"metadata null", build(`{"__metadata__":null}`, 0), nil},
		{"scalar", build(`{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, 4), []string{"s"}},
		{"zero-size tensors share an offset", build(`{"b":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"c":{"dtype":"U8","shape":[0],"data_offsets":[8,8]}}`, 8), []string{"b", "a", "c"}},
		{"header order differs from data order", build(`{"z":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}`, 3), []string{"z", "a"}},
		{"unknown entry fields ignored", build(`{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2],"extra":true}}`, 2), []string{"a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse("ok.safetensors", c.file)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ti := range f.Tensors() {
				got = append(got, ti.Name)
			}
			if strings.Join(got, ",") != strings.Join(c.tensors, ",") {
				t.Errorf("tensors %v, want %v", got, c.tensors)
			}
		})
	}
}
