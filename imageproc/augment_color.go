package imageproc

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// ColorJitter is torchvision's ColorJitter: brightness, contrast and
// saturation factors are drawn uniformly from [max(0, 1−v), 1+v], the hue
// shift from [−Hue, Hue] (Hue ≤ 0.5, a fraction of the colour wheel), and
// the four adjustments run in a random order (a permutation drawn first,
// then the factors, as torchvision does):
//
//   - brightness blends with black: x·f;
//   - contrast blends with the mean grey level (0.2989R + 0.587G + 0.114B
//     over the image): m + f·(x − m);
//   - saturation blends with each pixel's grey level: g + f·(x − g);
//   - hue converts to HSV, shifts H modulo 1 and converts back.
//
// Each step clamps to [0, 1]. vlmtune computes in float32 and rounds to 8
// bits once at the end; torchvision on PIL images rounds after every step
// (and PIL's contrast uses the rounded mean), so results differ by a level
// or so.
type ColorJitter struct {
	Brightness float64 `json:"brightness,omitempty" yaml:"brightness,omitempty"`
	Contrast   float64 `json:"contrast,omitempty" yaml:"contrast,omitempty"`
	Saturation float64 `json:"saturation,omitempty" yaml:"saturation,omitempty"`
	Hue        float64 `json:"hue,omitempty" yaml:"hue,omitempty"`
}

// Validate checks the ranges.
func (j *ColorJitter) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"brightness", j.Brightness}, {"contrast", j.Contrast}, {"saturation", j.Saturation}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("augment.color_jitter.%s: want a non-negative number, got %v", f.name, f.v)
		}
	}
	if !(j.Hue >= 0 && j.Hue <= 0.5) {
		return fmt.Errorf("augment.color_jitter.hue: want 0..0.5, got %v", j.Hue)
	}
	return nil
}

// Apply draws the order and the factors and adjusts a copy of img.
func (j *ColorJitter) Apply(img *RGB, rng *rand.Rand) *RGB {
	order := rng.Perm(4)
	factor := func(v float64) float64 { return max(0, 1-v) + rng.Float64()*(1+v-max(0, 1-v)) }
	var b, c, s, h float64 = 1, 1, 1, 0
	if j.Brightness > 0 {
		b = factor(j.Brightness)
	}
	if j.Contrast > 0 {
		c = factor(j.Contrast)
	}
	if j.Saturation > 0 {
		s = factor(j.Saturation)
	}
	if j.Hue > 0 {
		h = (rng.Float64()*2 - 1) * j.Hue
	}
	n := img.W * img.H
	px := make([]float32, 3*n)
	for y := range img.H {
		row := img.Row(y)
		for i, v := range row {
			px[3*y*img.W+i] = float32(v) / 255
		}
	}
	for _, op := range order {
		switch {
		case op == 0 && j.Brightness > 0:
			blend(px, float32(b), func(int) float32 { return 0 })
		case op == 1 && j.Contrast > 0:
			var sum float64
			for i := 0; i < len(px); i += 3 {
				sum += float64(gray(px[i:]))
			}
			m := float32(sum / float64(n))
			blend(px, float32(c), func(int) float32 { return m })
		case op == 2 && j.Saturation > 0:
			blend(px, float32(s), func(i int) float32 { return gray(px[i-i%3:]) })
		case op == 3 && j.Hue > 0:
			shiftHue(px, float32(h))
		}
	}
	out := NewRGB(img.W, img.H)
	for i, v := range px {
		out.Pix[i] = uint8(math.Round(float64(v) * 255))
	}
	return out
}

func gray(p []float32) float32 { return 0.2989*p[0] + 0.587*p[1] + 0.114*p[2] }

// blend sets every sample x to clamp(o + f·(x − o)) with o = other(i) read
// before the pixel is changed.
func blend(px []float32, f float32, other func(i int) float32) {
	for i := 0; i < len(px); i += 3 {
		o0, o1, o2 := other(i), other(i+1), other(i+2)
		px[i] = clamp01(o0 + f*(px[i]-o0))
		px[i+1] = clamp01(o1 + f*(px[i+1]-o1))
		px[i+2] = clamp01(o2 + f*(px[i+2]-o2))
	}
}

func clamp01(v float32) float32 { return min(1, max(0, v)) }

// shiftHue adds h to the hue of every pixel (torchvision's adjust_hue on
// tensors: RGB→HSV, H = (H + h) mod 1, HSV→RGB).
func shiftHue(px []float32, h float32) {
	for i := 0; i < len(px); i += 3 {
		r, g, b := px[i], px[i+1], px[i+2]
		maxc, minc := max(r, g, b), min(r, g, b)
		v := maxc
		cr := maxc - minc
		if cr == 0 { // grey: hue is undefined and unchanged
			continue
		}
		s := cr / maxc
		var hue float32
		switch {
		case maxc == r:
			hue = (g - b) / cr
		case maxc == g:
			hue = 2 + (b-r)/cr
		default:
			hue = 4 + (r-g)/cr
		}
		hue = hue / 6
		hue += h
		hue -= float32(math.Floor(float64(hue)))
		px[i], px[i+1], px[i+2] = hsvToRGB(hue, s, v)
	}
}

func hsvToRGB(h, s, v float32) (r, g, b float32) {
	h6 := h * 6
	sector := int(h6) % 6
	f := h6 - float32(int(h6))
	p := v * (1 - s)
	q := v * (1 - s*f)
	t := v * (1 - s*(1-f))
	switch sector {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	}
	return v, p, q
}
