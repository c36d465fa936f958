package jpegdec

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestIDCTAgainstFloat compares the integer IDCT with the textbook
// floating-point 2-D IDCT on random blocks: libjpeg's islow is accurate to
// within one level (IEEE 1180 accuracy).
func TestIDCTAgainstFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	worst := 0.0
	for range 200 {
		var coef [64]int32
		for i := range coef {
			if rng.IntN(3) == 0 {
				coef[i] = int32(rng.IntN(200) - 100)
			}
		}
		coef[0] = int32(rng.IntN(1600) - 800)
		out := make([]uint8, 64)
		idctIslow(&coef, out, 8)
		for y := range 8 {
			for x := range 8 {
				var s float64
				for v := range 8 {
					for u := range 8 {
						cu, cv := 1.0, 1.0
						if u == 0 {
							cu = 1 / math.Sqrt2
						}
						if v == 0 {
							cv = 1 / math.Sqrt2
						}
						s += cu * cv * float64(coef[8*v+u]) *
							math.Cos(float64(2*x+1)*float64(u)*math.Pi/16) * math.Cos(float64(2*y+1)*float64(v)*math.Pi/16)
					}
				}
				want := math.Min(255, math.Max(0, math.Round(s/4+128)))
				worst = math.Max(worst, math.Abs(want-float64(out[8*y+x])))
			}
		}
	}
	if worst > 1 {
		t.Errorf("integer IDCT differs from the float IDCT by %v levels, want at most 1", worst)
	}
}

func TestDecodeErrors(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	good := read("dec_420.jpg")
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"arithmetic", read("unsupported_arith.jpg"), ErrUnsupported},
		{"cmyk", read("dec_cmyk.jpg"), ErrUnsupported},
		{"truncated scan", good[:len(good)-40], ErrTruncated},
		{"no EOI", good[:len(good)-2], ErrTruncated},
	}
	for _, c := range cases {
		if _, err := Decode(c.data); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
	for _, bad := range [][]byte{nil, []byte("\xff\xd8"), []byte("\xff\xd8\xff\xd9"), []byte("not a jpeg")} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}

// TestDecodeShapes checks sizes and sample layouts against image/jpeg.
func TestDecodeShapes(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "dec_*.jpg"))
	if len(names) < 10 {
		t.Fatalf("only %d test JPEGs", len(names))
	}
	for _, n := range names {
		data, _ := os.ReadFile(n)
		img, err := Decode(data)
		if errors.Is(err, ErrUnsupported) {
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		std, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			// image/jpeg rejects some valid files that libjpeg and PIL
			// read (progressive with restart intervals: "missing 0xff00
			// sequence"); the PIL parity test covers their pixels.
			t.Logf("%s: image/jpeg: %v", n, err)
			continue
		}
		if img.Bounds() != std.Bounds() {
			t.Errorf("%s: bounds %v, image/jpeg %v", n, img.Bounds(), std.Bounds())
		}
		switch m := img.(type) {
		case *image.YCbCr:
			s, ok := std.(*image.YCbCr)
			if !ok || m.SubsampleRatio != s.SubsampleRatio {
				t.Errorf("%s: subsampling %v, image/jpeg %T", n, m.SubsampleRatio, std)
			}
		case *image.Gray:
			if _, ok := std.(*image.Gray); !ok {
				t.Errorf("%s: grey, image/jpeg %T", n, std)
			}
		}
	}
}
