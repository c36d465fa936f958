package safetensors

import (
	"fmt"
	"strings"
)

// DType is a safetensors element type, spelled as in the file header.
type DType string

// The dtypes the safetensors format defines, in the Rust reference
// implementation's order (increasing alignment), which Write uses to lay
// out tensors.
const (
	BOOL   DType = "BOOL"
	U8     DType = "U8"
	I8     DType = "I8"
	F8E5M2 DType = "F8_E5M2"
	F8E4M3 DType = "F8_E4M3"
	I16    DType = "I16"
	U16    DType = "U16"
	F16    DType = "F16"
	BF16   DType = "BF16"
	I32    DType = "I32"
	U32    DType = "U32"
	F32    DType = "F32"
	F64    DType = "F64"
	I64    DType = "I64"
	U64    DType = "U64"
)

var dtypeOrder = []DType{BOOL, U8, I8, F8E5M2, F8E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64}

// DTypes returns every dtype the format defines, in layout order.
func DTypes() []DType { return append([]DType(nil), dtypeOrder...) }

// rank is the position of d in the reference ordering, or -1.
func (d DType) rank() int {
	for i, x := range dtypeOrder {
		if x == d {
			return i
		}
	}
	return -1
}

// Valid reports whether d is a dtype the format defines.
func (d DType) Valid() bool { return d.rank() >= 0 }

// Size returns the size of one element in bytes, or 0 for an unknown dtype.
func (d DType) Size() int {
	switch d {
	case BOOL, U8, I8, F8E5M2, F8E4M3:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case I64, U64, F64:
		return 8
	}
	return 0
}

// IsFloat reports whether d is a floating-point dtype that Float32s converts
// (F64, F32, F16, BF16).
func (d DType) IsFloat() bool {
	switch d {
	case F64, F32, F16, BF16:
		return true
	}
	return false
}

// IsInteger reports whether d is an integer or boolean dtype.
func (d DType) IsInteger() bool {
	switch d {
	case BOOL, U8, I8, I16, U16, I32, U32, I64, U64:
		return true
	}
	return false
}

// ParseDType returns the dtype spelled s (as in a header, e.g. "BF16"), or
// an error listing the valid spellings.
func ParseDType(s string) (DType, error) {
	d := DType(s)
	if d.Valid() {
		return d, nil
	}
	names := make([]string, len(dtypeOrder))
	for i, x := range dtypeOrder {
		names[i] = string(x)
	}
	return "", fmt.Errorf("unknown dtype %q (valid: %s)", s, strings.Join(names, ", "))
}
