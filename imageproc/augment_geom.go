package imageproc

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
)

// RandomResizedCrop is torchvision's RandomResizedCrop: up to 10 attempts
// draw an area fraction uniformly from Scale and a log-uniform aspect ratio
// from Ratio; the first crop that fits is taken at a uniform position;
// otherwise the fallback is the largest centred crop whose aspect ratio is
// clamped to Ratio. Sides are rounded half to even, as Python's round().
// The crop is resized to Size×Size (Height×Width when both are set) with
// Interpolation (default bilinear, antialiased like PIL); Size 0 keeps the
// crop as it is and lets the model's processor resize it. torchvision draws
// from torch's generator, so the crops follow the same distribution but are
// not the same crops.
type RandomResizedCrop struct {
	Size          int        `json:"size,omitempty" yaml:"size,omitempty"`
	Height        int        `json:"height,omitempty" yaml:"height,omitempty"`
	Width         int        `json:"width,omitempty" yaml:"width,omitempty"`
	Scale         [2]float64 `json:"scale,omitempty" yaml:"scale,omitempty"` // default [0.08, 1]
	Ratio         [2]float64 `json:"ratio,omitempty" yaml:"ratio,omitempty"` // default [3/4, 4/3]
	Interpolation string     `json:"interpolation,omitempty" yaml:"interpolation,omitempty"`
}

// filterNames maps interpolation names to filters.
var filterNames = map[string]Filter{"": Bilinear, "nearest": Nearest, "bilinear": Bilinear, "bicubic": Bicubic,
	"lanczos": Lanczos, "box": Box, "hamming": Hamming}

func (c *RandomResizedCrop) params() (scale, ratio [2]float64) {
	scale, ratio = c.Scale, c.Ratio
	if scale == [2]float64{} {
		scale = [2]float64{0.08, 1}
	}
	if ratio == [2]float64{} {
		ratio = [2]float64{3.0 / 4, 4.0 / 3}
	}
	return scale, ratio
}

func (c *RandomResizedCrop) outSize() (w, h int) {
	if c.Height > 0 || c.Width > 0 {
		return c.Width, c.Height
	}
	return c.Size, c.Size
}

// Validate checks the ranges.
func (c *RandomResizedCrop) Validate() error {
	scale, ratio := c.params()
	if !(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1) {
		return fmt.Errorf("augment.random_resized_crop.scale: want 0 < min <= max <= 1, got %v", c.Scale)
	}
	if !(ratio[0] > 0 && ratio[0] <= ratio[1]) {
		return fmt.Errorf("augment.random_resized_crop.ratio: want 0 < min <= max, got %v", c.Ratio)
	}
	if c.Size < 0 || c.Height < 0 || c.Width < 0 || (c.Height > 0) != (c.Width > 0) {
		return fmt.Errorf("augment.random_resized_crop: size must be >= 0, and height and width set together (got size %d, height %d, width %d)", c.Size, c.Height, c.Width)
	}
	if _, ok := filterNames[c.Interpolation]; !ok {
		return fmt.Errorf("augment.random_resized_crop.interpolation: %q is not one of nearest, bilinear, bicubic, lanczos, box, hamming", c.Interpolation)
	}
	return nil
}

// Rect draws the crop rectangle for an image of w×h (torchvision's
// RandomResizedCrop.get_params).
func (c *RandomResizedCrop) Rect(w, h int, rng *rand.Rand) image.Rectangle {
	scale, ratio := c.params()
	area := float64(w * h)
	logR := [2]float64{math.Log(ratio[0]), math.Log(ratio[1])}
	for range 10 {
		target := area * (scale[0] + rng.Float64()*(scale[1]-scale[0]))
		aspect := math.Exp(logR[0] + rng.Float64()*(logR[1]-logR[0]))
		cw := int(math.RoundToEven(math.Sqrt(target * aspect)))
		ch := int(math.RoundToEven(math.Sqrt(target / aspect)))
		if cw > 0 && cw <= w && ch > 0 && ch <= h {
			y := rng.IntN(h - ch + 1)
			x := rng.IntN(w - cw + 1)
			return image.Rect(x, y, x+cw, y+ch)
		}
	}
	in := float64(w) / float64(h)
	cw, ch := w, h
	switch {
	case in < ratio[0]:
		ch = int(math.RoundToEven(float64(cw) / ratio[0]))
	case in > ratio[1]:
		cw = int(math.RoundToEven(float64(ch) * ratio[1]))
	}
	x, y := (w-cw)/2, (h-ch)/2
	return image.Rect(x, y, x+cw, y+ch)
}

// Apply crops and resizes img.
func (c *RandomResizedCrop) Apply(img *RGB, rng *rand.Rand) *RGB {
	crop := img.Crop(c.Rect(img.W, img.H, rng))
	w, h := c.outSize()
	if w == 0 || h == 0 {
		return crop.Clone()
	}
	return Resize(crop, w, h, filterNames[c.Interpolation])
}

// RandomAffine rotates by an angle drawn uniformly from [−Degrees, Degrees]
// (counter-clockwise for positive angles) and scales by a factor drawn
// uniformly from Scale, about the image centre, keeping the image size;
// uncovered pixels take Fill. This is torchvision's RandomAffine without
// translation and shear, except that the default interpolation here is
// bilinear (torchvision's is nearest; set "nearest" to match it).
type RandomAffine struct {
	Degrees       float64    `json:"degrees,omitempty" yaml:"degrees,omitempty"`
	Scale         [2]float64 `json:"scale,omitempty" yaml:"scale,omitempty"` // zero: no scaling
	Fill          [3]uint8   `json:"fill,omitempty" yaml:"fill,omitempty"`
	Interpolation string     `json:"interpolation,omitempty" yaml:"interpolation,omitempty"` // bilinear (default) or nearest
}

// Validate checks the ranges.
func (a *RandomAffine) Validate() error {
	if !(a.Degrees >= 0 && a.Degrees <= 180) {
		return fmt.Errorf("augment.affine.degrees: want 0..180, got %v", a.Degrees)
	}
	if a.Scale != [2]float64{} && !(a.Scale[0] > 0 && a.Scale[0] <= a.Scale[1]) {
		return fmt.Errorf("augment.affine.scale: want 0 < min <= max, got %v", a.Scale)
	}
	if a.Interpolation != "" && a.Interpolation != "bilinear" && a.Interpolation != "nearest" {
		return fmt.Errorf("augment.affine.interpolation: %q is not bilinear or nearest", a.Interpolation)
	}
	return nil
}

// Apply draws the angle and the scale and transforms img.
func (a *RandomAffine) Apply(img *RGB, rng *rand.Rand) *RGB {
	angle := (rng.Float64()*2 - 1) * a.Degrees
	scale := 1.0
	if a.Scale != [2]float64{} {
		scale = a.Scale[0] + rng.Float64()*(a.Scale[1]-a.Scale[0])
	}
	return affine(img, angle, scale, a.Fill, a.Interpolation == "nearest")
}

// affine maps each output pixel centre back through the inverse rotation
// and scaling about the image centre and samples img there.
func affine(img *RGB, degrees, scale float64, fill [3]uint8, nearest bool) *RGB {
	w, h := img.W, img.H
	out := NewRGB(w, h)
	th := degrees * math.Pi / 180
	// Inverse of "scale, then rotate counter-clockwise by th" in image
	// coordinates (y down): rotate clockwise by th, then divide by scale.
	cos, sin := math.Cos(th)/scale, math.Sin(th)/scale
	cx, cy := float64(w)/2, float64(h)/2
	for y := range h {
		row := out.Row(y)
		dy := float64(y) + 0.5 - cy
		for x := range w {
			dx := float64(x) + 0.5 - cx
			sx := cx + cos*dx - sin*dy - 0.5
			sy := cy + sin*dx + cos*dy - 0.5
			p := row[3*x : 3*x+3 : 3*x+3]
			if nearest {
				ix, iy := int(math.Round(sx)), int(math.Round(sy))
				if ix < 0 || iy < 0 || ix >= w || iy >= h {
					p[0], p[1], p[2] = fill[0], fill[1], fill[2]
					continue
				}
				i := iy*img.Stride + 3*ix
				p[0], p[1], p[2] = img.Pix[i], img.Pix[i+1], img.Pix[i+2]
				continue
			}
			bilinearAt(p, img, sx, sy, fill)
		}
	}
	return out
}

// bilinearAt writes the bilinear interpolation of img at (sx, sy) (pixel
// centres at integers) into p, treating pixels outside the image as fill.
func bilinearAt(p []uint8, img *RGB, sx, sy float64, fill [3]uint8) {
	x0, y0 := math.Floor(sx), math.Floor(sy)
	fx, fy := sx-x0, sy-y0
	ix, iy := int(x0), int(y0)
	if ix < -1 || iy < -1 || ix >= img.W || iy >= img.H {
		p[0], p[1], p[2] = fill[0], fill[1], fill[2]
		return
	}
	var acc [3]float64
	for _, t := range [4]struct {
		dx, dy int
		w      float64
	}{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
		x, y := ix+t.dx, iy+t.dy
		if x < 0 || y < 0 || x >= img.W || y >= img.H {
			for c := range 3 {
				acc[c] += t.w * float64(fill[c])
			}
			continue
		}
		i := y*img.Stride + 3*x
		for c := range 3 {
			acc[c] += t.w * float64(img.Pix[i+c])
		}
	}
	for c := range 3 {
		p[c] = uint8(min(255, max(0, math.Round(acc[c]))))
	}
}
