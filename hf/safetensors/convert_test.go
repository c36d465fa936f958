package safetensors

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestF32ToF16Table holds values whose half-precision bits were computed by
// CPython 3's struct.pack('<e', x) (PyFloat_Pack2: round to nearest, ties to
// even) on the float32 value. Where CPython raises OverflowError the IEEE
// result, Inf, is expected.
func TestF32ToF16Table(t *testing.T) {
	inf := float32(math.Inf(1))
	cases := []struct {
		in   float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2.5, 0xc100},
		{65504, 0x7bff},
		{65519.99609375, 0x7bff},
		{65520, 0x7c00}, // CPython: OverflowError
		{1e6, 0x7c00},   // CPython: OverflowError
		{5.960464477539063e-08, 0x0001},
		{2.9802322387695312e-08, 0x0000}, // 2^-25: tie, rounds to even 0
		{2.980232594040899e-08, 0x0001},
		{8.940696716308594e-08, 0x0002}, // 1.5 × 2^-24: tie, rounds to even 2
		{6.103515625e-05, 0x0400},
		{6.097555160522461e-05, 0x03ff},
		{0.10000000149011612, 0x2e66},
		{0.3333333432674408, 0x3555},
		{1.0009765625, 0x3c01},
		{1.00048828125, 0x3c00}, // tie, rounds to even
		{1.00146484375, 0x3c02}, // tie, rounds to even
		{2049, 0x6800},
		{2051, 0x6802},
		{-1.000000013351432e-10, 0x8000},
		{inf, 0x7c00},
		{-inf, 0xfc00},
		{3.1415927410125732, 0x4248},
	}
	for _, c := range cases {
		if got := F32ToF16(c.in); got != c.want {
			t.Errorf("F32ToF16(%g) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}

// halfValue is an independent float64 decoding of half-precision bits.
func halfValue(h uint16) float64 {
	s := 1.0
	if h&0x8000 != 0 {
		s = -1
	}
	e := int(h>>10) & 0x1f
	m := float64(h & 0x3ff)
	switch e {
	case 0:
		return s * m * math.Pow(2, -24)
	case 31:
		if m == 0 {
			return s * math.Inf(1)
		}
		return math.NaN()
	}
	return s * (1 + m/1024) * math.Pow(2, float64(e-15))
}

func TestF16ToF32Exhaustive(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := F16ToF32(uint16(h))
		want := halfValue(uint16(h))
		if math.IsNaN(want) {
			if !math.IsNaN(float64(f)) {
				t.Fatalf("F16ToF32(%#04x) = %g, want NaN", h, f)
			}
			// NaN round trip keeps the sign and the payload.
			if back := F32ToF16(f); back != uint16(h)|0x200 {
				t.Fatalf("NaN %#04x round-trips to %#04x", h, back)
			}
			continue
		}
		if float64(f) != want || math.Signbit(float64(f)) != (h&0x8000 != 0) {
			t.Fatalf("F16ToF32(%#04x) = %g, want %g", h, f, want)
		}
		if back := F32ToF16(f); back != uint16(h) {
			t.Fatalf("F32ToF16(F16ToF32(%#04x)) = %#04x", h, back)
		}
	}
}

// refF16 rounds x to half precision by searching the half values for the
// nearest one (ties to the even bit pattern), in float64.
func refF16(x float32) uint16 {
	v := float64(x)
	var sign uint16
	if math.Signbit(v) {
		sign, v = 0x8000, -v
	}
	if math.IsInf(v, 1) || v >= 65520 { // 65520 is the tie between 65504 (odd) and 2^16
		return sign | 0x7c00
	}
	lo, hi := uint16(0), uint16(0x7bff)
	for lo < hi { // largest h with halfValue(h) <= v
		mid := (lo + hi + 1) / 2
		if halfValue(mid) <= v {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0x7bff || halfValue(lo) == v {
		return sign | lo
	}
	dl, dh := v-halfValue(lo), halfValue(lo+1)-v
	switch {
	case dl < dh:
		return sign | lo
	case dh < dl:
		return sign | (lo + 1)
	case lo&1 == 0:
		return sign | lo
	}
	return sign | (lo + 1)
}

// refBF16 rounds x to bfloat16 by comparing the two neighbours in float64.
func refBF16(x float32) uint16 {
	b := math.Float32bits(x)
	lo := b &^ 0xffff
	if lo == b {
		return uint16(b >> 16)
	}
	v := math.Abs(float64(x))
	vl := math.Abs(float64(math.Float32frombits(lo)))
	// The next bfloat16 magnitude, computed in float64 so that it exists
	// even past the largest finite value (where rounding up gives Inf).
	e := int((lo >> 23) & 0xff)
	vh := vl + math.Ldexp(1, max(e, 1)-127-7)
	switch dl, dh := v-vl, vh-v; {
	case dl < dh:
		return uint16(lo >> 16)
	case dh < dl:
		return uint16(lo>>16) + 1
	case (lo>>16)&1 == 0:
		return uint16(lo >> 16)
	}
	return uint16(lo>>16) + 1
}

func TestNarrowingMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var inputs []float32
	for range 200000 {
		inputs = append(inputs, math.Float32frombits(r.Uint32()))
	}
	// Values near the half range, where random bit patterns rarely land.
	for range 100000 {
		inputs = append(inputs, float32(r.NormFloat64()*math.Pow(2, float64(r.IntN(44)-28))))
	}
	// Every midpoint between neighbouring halves, and one float32 ulp either side.
	for h := uint16(0); h < 0x7bff; h++ {
		mid := float32((halfValue(h) + halfValue(h+1)) / 2)
		inputs = append(inputs, mid, math.Nextafter32(mid, 0), math.Nextafter32(mid, 1e9), -mid)
	}
	for _, x := range inputs {
		if math.IsNaN(float64(x)) {
			continue
		}
		if got, want := F32ToF16(x), refF16(x); got != want {
			t.Fatalf("F32ToF16(%g [%#08x]) = %#04x, want %#04x", x, math.Float32bits(x), got, want)
		}
		if got, want := F32ToBF16(x), refBF16(x); got != want {
			t.Fatalf("F32ToBF16(%g [%#08x]) = %#04x, want %#04x", x, math.Float32bits(x), got, want)
		}
	}
}

func TestBF16RoundTripAndSpecials(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := BF16ToF32(uint16(h))
		if math.IsNaN(float64(f)) {
			if back := F32ToBF16(f); back != uint16(h)|0x40 || !math.IsNaN(float64(BF16ToF32(back))) {
				t.Fatalf("NaN %#04x round-trips to %#04x", h, back)
			}
			continue
		}
		if back := F32ToBF16(f); back != uint16(h) {
			t.Fatalf("F32ToBF16(BF16ToF32(%#04x)) = %#04x", h, back)
		}
	}
	cases := []struct {
		in   uint32
		want uint16
	}{
		{0x3f808000, 0x3f80}, // tie, even stays
		{0x3f818000, 0x3f82}, // tie, odd rounds up
		{0x3f808001, 0x3f81},
		{0x7f7fffff, 0x7f80}, // max float32 rounds to Inf
		{0x7f800000, 0x7f80},
		{0xff800000, 0xff80},
		{0x7f800001, 0x7fc0}, // signalling NaN with a low payload stays NaN
		{0x00000001, 0x0000},
		{0x80000001, 0x8000},
	}
	for _, c := range cases {
		if got := F32ToBF16(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}

func TestDecodeIntegersToFloat32(t *testing.T) {
	raw := Int64Tensor("x", []int{3}, []int64{-5, 1 << 24, 1<<40 + 0}).Raw
	dst := make([]float32, 3)
	if err := decodeFloat32s(dst, raw, I64); err != nil {
		t.Fatal(err)
	}
	if dst[0] != -5 || dst[1] != 1<<24 || dst[2] != 1<<40 {
		t.Errorf("got %v", dst)
	}
	raw = Int64Tensor("x", []int{1}, []int64{1<<24 + 1}).Raw
	if err := decodeFloat32s(dst[:1], raw, I64); err == nil {
		t.Error("2^24+1 converted to float32 without error")
	}
	raw = Int64Tensor("x", []int{1}, []int64{math.MaxInt64}).Raw
	if err := decodeFloat32s(dst[:1], raw, I64); err == nil {
		t.Error("MaxInt64 converted to float32 without error")
	}
	if err := decodeFloat32s(dst[:1], []byte{1}, F8E4M3); err == nil {
		t.Error("F8_E4M3 converted to float32")
	}
}
