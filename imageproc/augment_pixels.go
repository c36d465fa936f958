package imageproc

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// GaussianNoise adds noise of standard deviation Std (in units of the
// rescaled [0, 1] pixel range) with probability P (default 1) to every
// sample before normalization and clips to [0, 1], as torchvision's
// v2.GaussianNoise(mean=0, sigma=Std, clip=True) between ToTensor and
// Normalize.
type GaussianNoise struct {
	Std float64 `json:"std" yaml:"std"`
	P   float64 `json:"p,omitempty" yaml:"p,omitempty"`
}

// Validate checks the ranges.
func (g *GaussianNoise) Validate() error {
	if !(g.Std >= 0 && g.Std <= 1) {
		return fmt.Errorf("augment.gaussian_noise.std: want 0..1 (fraction of the pixel range), got %v", g.Std)
	}
	if !(g.P >= 0 && g.P <= 1) {
		return fmt.Errorf("augment.gaussian_noise.p: a probability in [0, 1], got %v", g.P)
	}
	return nil
}

// normalizeInto writes the rescaled, noised and normalized pixels of img
// into dst (CHW).
func (g *GaussianNoise) normalizeInto(dst []float32, img *RGB, p *Processor, rng *rand.Rand) {
	prob := g.P
	if prob == 0 {
		prob = 1
	}
	apply := rng.Float64() < prob
	n := img.W * img.H
	for c := range 3 {
		m, s := float32(p.Mean[c]), float32(p.Std[c])
		for i := range n {
			u := img.Pix[(i/img.W)*img.Stride+3*(i%img.W)+c]
			if !apply {
				dst[c*n+i] = p.lut[c][u]
				continue
			}
			v := float32(float64(u) * p.RescaleFactor)
			if !p.DoRescale {
				v = float32(u)
			}
			v = clamp01(v + float32(g.Std*rng.NormFloat64()))
			if p.DoNormalize {
				v = (v - m) / s
			}
			dst[c*n+i] = v
		}
	}
}

// Cutout erases a random rectangle of the normalized image with
// probability P, as torchvision's RandomErasing: up to 10 attempts draw an
// area fraction from Scale (default [0.02, 0.33]) and a log-uniform aspect
// ratio from Ratio (default [0.3, 3.3]); the first rectangle strictly
// smaller than the image is filled with Value (0, the mean colour after
// normalization, by default) or, with Random, standard normal noise.
type Cutout struct {
	P      float64    `json:"p" yaml:"p"`
	Scale  [2]float64 `json:"scale,omitempty" yaml:"scale,omitempty"`
	Ratio  [2]float64 `json:"ratio,omitempty" yaml:"ratio,omitempty"`
	Value  float32    `json:"value,omitempty" yaml:"value,omitempty"`
	Random bool       `json:"random,omitempty" yaml:"random,omitempty"`
}

func (c *Cutout) params() (scale, ratio [2]float64) {
	scale, ratio = c.Scale, c.Ratio
	if scale == [2]float64{} {
		scale = [2]float64{0.02, 0.33}
	}
	if ratio == [2]float64{} {
		ratio = [2]float64{0.3, 3.3}
	}
	return scale, ratio
}

// Validate checks the ranges.
func (c *Cutout) Validate() error {
	scale, ratio := c.params()
	if !(c.P >= 0 && c.P <= 1) {
		return fmt.Errorf("augment.cutout.p: a probability in [0, 1], got %v", c.P)
	}
	if !(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1) {
		return fmt.Errorf("augment.cutout.scale: want 0 < min <= max <= 1, got %v", c.Scale)
	}
	if !(ratio[0] > 0 && ratio[0] <= ratio[1]) {
		return fmt.Errorf("augment.cutout.ratio: want 0 < min <= max, got %v", c.Ratio)
	}
	return nil
}

// Apply erases (or not) a rectangle of the CHW image chw of w×h.
func (c *Cutout) Apply(chw []float32, w, h int, rng *rand.Rand) {
	if rng.Float64() >= c.P {
		return
	}
	scale, ratio := c.params()
	area := float64(w * h)
	logR := [2]float64{math.Log(ratio[0]), math.Log(ratio[1])}
	for range 10 {
		target := area * (scale[0] + rng.Float64()*(scale[1]-scale[0]))
		aspect := math.Exp(logR[0] + rng.Float64()*(logR[1]-logR[0]))
		eh := int(math.RoundToEven(math.Sqrt(target * aspect)))
		ew := int(math.RoundToEven(math.Sqrt(target / aspect)))
		if !(eh < h && ew < w) {
			continue
		}
		y0 := rng.IntN(h - eh + 1)
		x0 := rng.IntN(w - ew + 1)
		for ch := range 3 {
			for y := y0; y < y0+eh; y++ {
				row := chw[ch*w*h+y*w+x0 : ch*w*h+y*w+x0+ew]
				for i := range row {
					if c.Random {
						row[i] = float32(rng.NormFloat64())
					} else {
						row[i] = c.Value
					}
				}
			}
		}
		return
	}
}
