package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// littleEndianHost reports whether the machine stores numbers little-endian,
// as the format does, so that F32 data can be copied without swapping.
var littleEndianHost = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// F16ToF32 widens an IEEE 754 half-precision value (given as its bits) to
// float32. The conversion is exact; NaN payloads and signs are kept.
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
	case mant == 0: // ±0
		return math.Float32frombits(sign)
	}
	// Subnormal: mant × 2^-24; normalize it for float32.
	e := uint32(113)
	for mant&0x400 == 0 {
		mant <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
}

// F32ToF16 narrows f to IEEE 754 half precision (returned as bits),
// rounding to nearest with ties to even. Values beyond the half range become
// ±Inf, values below half the smallest subnormal become ±0, NaN stays NaN
// (quiet, keeping the sign and the top payload bits).
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	switch {
	case exp == 0xff:
		if mant == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(mant>>13)
	case exp == 0: // float32 zero or subnormal: far below the half range
		return sign
	}
	e := exp - 112 // half-precision biased exponent
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e >= 1 {
		h := uint32(e)<<10 | mant>>13
		rem := mant & 0x1fff
		if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
			h++ // may carry into the exponent, up to Inf: both are correct
		}
		return sign | uint16(h)
	}
	// Half subnormal: the value is m × 2^(exp-150) = hm × 2^-24.
	shift := uint32(126 - exp)
	if shift > 24 {
		return sign
	}
	m := mant | 0x800000
	hm := m >> shift
	rem := m & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rem > half || (rem == half && hm&1 == 1) {
		hm++
	}
	return sign | uint16(hm)
}

// BF16ToF32 widens a bfloat16 value (given as its bits) to float32 exactly.
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// F32ToBF16 narrows f to bfloat16 (returned as bits), rounding to nearest
// with ties to even; NaN stays NaN (quiet, sign and top payload bits kept).
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// f32Bytes views dst as its little-endian bytes (valid on little-endian hosts).
func f32Bytes(dst []float32) []byte {
	if len(dst) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)*4)
}

// decodeFloat32s converts len(dst) elements of dtype dt from src to float32.
// src must hold exactly len(dst)*dt.Size() bytes. Integer dtypes convert
// only when every value is exactly representable in float32.
func decodeFloat32s(dst []float32, src []byte, dt DType) error {
	if len(src) != len(dst)*dt.Size() {
		return fmt.Errorf("%d bytes of %s do not hold %d elements", len(src), dt, len(dst))
	}
	le := binary.LittleEndian
	switch dt {
	case F32:
		if littleEndianHost {
			copy(f32Bytes(dst), src)
			return nil
		}
		for i := range dst {
			dst[i] = math.Float32frombits(le.Uint32(src[4*i:]))
		}
	case F16:
		for i := range dst {
			dst[i] = F16ToF32(le.Uint16(src[2*i:]))
		}
	case BF16:
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(le.Uint16(src[2*i:])) << 16)
		}
	case F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(le.Uint64(src[8*i:])))
		}
	default:
		if !dt.IsInteger() {
			return fmt.Errorf("dtype %s cannot be converted to float32", dt)
		}
		for i := range dst {
			v, err := intAt(src, dt, i)
			if err != nil {
				return err
			}
			f := float32(v)
			if v > 1<<24 || v < -(1<<24) {
				if f >= 0x1p63 || int64(f) != v {
					return fmt.Errorf("element %d (%d) of %s is not exactly representable as float32", i, v, dt)
				}
			}
			dst[i] = f
		}
	}
	return nil
}

// intAt returns element i of an integer or boolean buffer as int64.
func intAt(src []byte, dt DType, i int) (int64, error) {
	le := binary.LittleEndian
	switch dt {
	case BOOL, U8:
		return int64(src[i]), nil
	case I8:
		return int64(int8(src[i])), nil
	case I16:
		return int64(int16(le.Uint16(src[2*i:]))), nil
	case U16:
		return int64(le.Uint16(src[2*i:])), nil
	case I32:
		return int64(int32(le.Uint32(src[4*i:]))), nil
	case U32:
		return int64(le.Uint32(src[4*i:])), nil
	case I64:
		return int64(le.Uint64(src[8*i:])), nil
	case U64:
		u := le.Uint64(src[8*i:])
		if u > math.MaxInt64 {
			return 0, fmt.Errorf("element %d (%d) of U64 does not fit in int64", i, u)
		}
		return int64(u), nil
	}
	return 0, fmt.Errorf("dtype %s is not an integer type", dt)
}

// encodeFloat32s writes src as dtype dt (F32, F16, BF16 or F64) into dst,
// which must hold len(src)*dt.Size() bytes.
func encodeFloat32s(dst []byte, src []float32, dt DType) {
	le := binary.LittleEndian
	switch dt {
	case F32:
		if littleEndianHost {
			copy(dst, f32Bytes(src))
			return
		}
		for i, v := range src {
			le.PutUint32(dst[4*i:], math.Float32bits(v))
		}
	case F16:
		for i, v := range src {
			le.PutUint16(dst[2*i:], F32ToF16(v))
		}
	case BF16:
		for i, v := range src {
			le.PutUint16(dst[2*i:], F32ToBF16(v))
		}
	case F64:
		for i, v := range src {
			le.PutUint64(dst[8*i:], math.Float64bits(float64(v)))
		}
	default:
		panic("safetensors: encodeFloat32s called with " + string(dt))
	}
}
