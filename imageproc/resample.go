package imageproc

import (
	"fmt"
	"math"
)

// Filter is a resampling filter, numbered as PIL's Image.Resampling (and so
// as the "resample" field of preprocessor_config.json).
type Filter int

// The resampling filters.
const (
	Nearest  Filter = 0
	Lanczos  Filter = 1
	Bilinear Filter = 2
	Bicubic  Filter = 3
	Box      Filter = 4
	Hamming  Filter = 5
)

// String returns the PIL name of the filter.
func (f Filter) String() string {
	switch f {
	case Nearest:
		return "nearest"
	case Lanczos:
		return "lanczos"
	case Bilinear:
		return "bilinear"
	case Bicubic:
		return "bicubic"
	case Box:
		return "box"
	case Hamming:
		return "hamming"
	}
	return fmt.Sprintf("Filter(%d)", int(f))
}

// Valid reports whether f is one of PIL's six filters.
func (f Filter) Valid() bool { return f >= Nearest && f <= Hamming }

// support returns the filter's kernel and its support radius at scale 1
// (Pillow's Resample.c).
func (f Filter) kernel() (func(float64) float64, float64) {
	switch f {
	case Box:
		return func(x float64) float64 {
			if x > -0.5 && x <= 0.5 {
				return 1
			}
			return 0
		}, 0.5
	case Bilinear:
		return func(x float64) float64 {
			x = math.Abs(x)
			if x < 1 {
				return 1 - x
			}
			return 0
		}, 1
	case Hamming:
		return func(x float64) float64 {
			x = math.Abs(x)
			if x == 0 {
				return 1
			}
			if x >= 1 {
				return 0
			}
			x *= math.Pi
			return math.Sin(x) / x * (float64(float32(0.54)) + float64(float32(0.46))*math.Cos(x))
		}, 1
	case Lanczos:
		sinc := func(x float64) float64 {
			if x == 0 {
				return 1
			}
			x *= math.Pi
			return math.Sin(x) / x
		}
		return func(x float64) float64 {
			if -3 <= x && x < 3 {
				return sinc(x) * sinc(x/3)
			}
			return 0
		}, 3
	}
	// Bicubic, a = -0.5.
	return func(x float64) float64 {
		const a = -0.5
		x = math.Abs(x)
		if x < 1 {
			return ((a+2)*x-(a+3))*x*x + 1
		}
		if x < 2 {
			return (((x-5)*x+8)*x - 4) * a
		}
		return 0
	}, 2
}

// precisionBits is Pillow's PRECISION_BITS for 8-bit images.
const precisionBits = 32 - 8 - 2

// axis holds one axis's resampling weights in Pillow's fixed point: output
// sample i reads n[i] input samples from start[i] with weights
// k[i*ksize : i*ksize+n[i]].
type axis struct {
	ksize    int
	start, n []int32
	k        []int32
}

// newAxis is Pillow's precompute_coeffs followed by normalize_coeffs_8bpc
// for an input span [0, inSize) resampled to outSize samples.
func newAxis(inSize, outSize int, f Filter) axis {
	kern, sup := f.kernel()
	scale := float64(inSize) / float64(outSize)
	filterscale := max(scale, 1)
	support := sup * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	a := axis{ksize: ksize, start: make([]int32, outSize), n: make([]int32, outSize), k: make([]int32, outSize*ksize)}
	w := make([]float64, ksize)
	for xx := range outSize {
		center := (float64(xx) + 0.5) * scale
		ss := 1 / filterscale
		xmin := max(int(center-support+0.5), 0) // C's (int) truncates toward zero
		xmax := min(int(center+support+0.5), inSize) - xmin
		ww := 0.0
		for x := range xmax {
			w[x] = kern((float64(x+xmin) - center + 0.5) * ss)
			ww += w[x]
		}
		k := a.k[xx*ksize : (xx+1)*ksize]
		for x := range xmax {
			v := w[x]
			if ww != 0 {
				v /= ww
			}
			if v < 0 {
				k[x] = int32(-0.5 + v*(1<<precisionBits))
			} else {
				k[x] = int32(0.5 + v*(1<<precisionBits))
			}
		}
		a.start[xx], a.n[xx] = int32(xmin), int32(max(xmax, 0))
	}
	return a
}

// clip8Table[(v>>22)&1023] is Pillow's clip8 of v: the fixed-point sum
// shifted down (an int32 shifted by 22 lies in [−512, 511]) and clamped to
// 0..255, with a table lookup instead of branches.
var clip8Table [1024]uint8

func init() {
	for i := range clip8Table {
		v := i
		if i >= 512 {
			v = i - 1024
		}
		clip8Table[i] = uint8(min(255, max(0, v)))
	}
}

// clip8 is Pillow's clip8: the fixed-point sum shifted down and clamped.
func clip8(v int32) uint8 { return clip8Table[(v>>precisionBits)&1023] }
