// Package robust measures how a metric degrades under image corruptions:
// deterministic perturbations of an image.Image at severities 1..5
// (brightness, occlusion, Gaussian blur, Gaussian noise, JPEG
// re-compression, rotation), and a runner that evaluates a metric callback
// under each perturbation and severity next to the clean value.
//
// Severity parameters follow ImageNet-C (Hendrycks and Dietterich, 2019)
// where it defines the corruption: brightness adds 0.1..0.5 to the HSV
// value, blur uses sigma 1, 2, 3, 4, 6, noise standard deviations are
// 0.08..0.38 of the intensity range, JPEG qualities are 25, 18, 15, 10, 7.
// Occlusion pastes 1..5 grey squares of side 10%..30% of the shorter image
// side; rotation turns by 5, 10, 15, 20, 30 degrees (direction chosen by the
// seed), bilinear, with black corners.
//
// Random perturbations (noise, occlusion, rotation direction) draw from a
// PCG source seeded by the run seed, the perturbation, the severity and a
// hash of the image's pixels, so the same image is always perturbed the
// same way, whatever the order or concurrency of the calls.
package robust

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// Perturbation is a named corruption. Apply returns a new image; it never
// modifies its input.
type Perturbation struct {
	Name  string
	Apply func(img image.Image, severity int, seed uint64) (image.Image, error)
}

// All returns the six perturbations in a fixed order.
func All() []Perturbation {
	return []Perturbation{
		{"brightness", func(im image.Image, s int, _ uint64) (image.Image, error) { return Brightness(im, s) }},
		{"occlusion", Occlude},
		{"gaussian_blur", func(im image.Image, s int, _ uint64) (image.Image, error) { return GaussianBlur(im, s) }},
		{"gaussian_noise", GaussianNoise},
		{"jpeg", func(im image.Image, s int, _ uint64) (image.Image, error) { return JPEG(im, s) }},
		{"rotation", Rotate},
	}
}

func checkSeverity(s int) error {
	if s < 1 || s > 5 {
		return fmt.Errorf("robust: severity %d out of range 1..5", s)
	}
	return nil
}

// toNRGBA copies img into a new NRGBA image with origin (0, 0).
func toNRGBA(img image.Image) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}

// imageSeed mixes the run seed, a tag and a hash of the pixels.
func imageSeed(img *image.NRGBA, seed uint64, tag string, severity int) (uint64, uint64) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d/%d/%dx%d/", tag, severity, seed, img.Rect.Dx(), img.Rect.Dy())
	h.Write(img.Pix)
	return seed, h.Sum64()
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

func to8(x float64) uint8 { return uint8(math.Round(clamp01(x) * 255)) }

// Brightness adds c = 0.1*severity to the HSV value of every pixel
// (hue and saturation unchanged, value clipped to 1), as ImageNet-C does.
func Brightness(img image.Image, severity int) (image.Image, error) {
	if err := checkSeverity(severity); err != nil {
		return nil, err
	}
	c := []float64{.1, .2, .3, .4, .5}[severity-1]
	out := toNRGBA(img)
	p := out.Pix
	for i := 0; i < len(p); i += 4 {
		r, g, b := float64(p[i])/255, float64(p[i+1])/255, float64(p[i+2])/255
		v := math.Max(r, math.Max(g, b))
		nv := clamp01(v + c)
		if v == 0 {
			p[i], p[i+1], p[i+2] = to8(nv), to8(nv), to8(nv)
			continue
		}
		k := nv / v
		p[i], p[i+1], p[i+2] = to8(r*k), to8(g*k), to8(b*k)
	}
	return out, nil
}

// Occlude pastes severity mid-grey squares with side (0.05+0.05*severity)
// of the shorter side at seeded random positions.
func Occlude(img image.Image, severity int, seed uint64) (image.Image, error) {
	if err := checkSeverity(severity); err != nil {
		return nil, err
	}
	out := toNRGBA(img)
	w, h := out.Rect.Dx(), out.Rect.Dy()
	if w == 0 || h == 0 {
		return out, nil
	}
	rng := rand.New(rand.NewPCG(imageSeed(out, seed, "occlusion", severity)))
	side := max(1, int(math.Round((0.05+0.05*float64(severity))*float64(min(w, h)))))
	grey := color.NRGBA{128, 128, 128, 255}
	for k := 0; k < severity; k++ {
		x0 := rng.IntN(max(1, w-side+1))
		y0 := rng.IntN(max(1, h-side+1))
		draw.Draw(out, image.Rect(x0, y0, x0+side, y0+side), &image.Uniform{grey}, image.Point{}, draw.Src)
	}
	return out, nil
}

// GaussianBlur convolves with a separable Gaussian of sigma 1, 2, 3, 4 or 6
// (radius ceil(3 sigma), edges clamped).
func GaussianBlur(img image.Image, severity int) (image.Image, error) {
	if err := checkSeverity(severity); err != nil {
		return nil, err
	}
	sigma := []float64{1, 2, 3, 4, 6}[severity-1]
	src := toNRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	r := int(math.Ceil(3 * sigma))
	kernel := make([]float64, 2*r+1)
	sum := 0.0
	for i := range kernel {
		x := float64(i - r)
		kernel[i] = math.Exp(-x * x / (2 * sigma * sigma))
		sum += kernel[i]
	}
	for i := range kernel {
		kernel[i] /= sum
	}
	tmp := make([]float64, w*h*3)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				acc := 0.0
				for k, kv := range kernel {
					xx := min(max(x+k-r, 0), w-1)
					acc += kv * float64(src.Pix[y*src.Stride+xx*4+c])
				}
				tmp[(y*w+x)*3+c] = acc
			}
		}
	}
	out := image.NewNRGBA(src.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				acc := 0.0
				for k, kv := range kernel {
					yy := min(max(y+k-r, 0), h-1)
					acc += kv * tmp[(yy*w+x)*3+c]
				}
				out.Pix[y*out.Stride+x*4+c] = uint8(math.Round(math.Max(0, math.Min(255, acc))))
			}
			out.Pix[y*out.Stride+x*4+3] = src.Pix[y*src.Stride+x*4+3]
		}
	}
	return out, nil
}

// GaussianNoise adds independent N(0, s^2) noise to every channel, with s
// 0.08, 0.12, 0.18, 0.26 or 0.38 of the intensity range, then clips.
func GaussianNoise(img image.Image, severity int, seed uint64) (image.Image, error) {
	if err := checkSeverity(severity); err != nil {
		return nil, err
	}
	s := []float64{.08, .12, .18, .26, .38}[severity-1]
	out := toNRGBA(img)
	rng := rand.New(rand.NewPCG(imageSeed(out, seed, "gaussian_noise", severity)))
	p := out.Pix
	for i := 0; i < len(p); i += 4 {
		for c := 0; c < 3; c++ {
			p[i+c] = to8(float64(p[i+c])/255 + rng.NormFloat64()*s)
		}
	}
	return out, nil
}

// JPEG re-encodes the image with quality 25, 18, 15, 10 or 7 and decodes
// it again (Go's image/jpeg codec, 4:2:0 chroma subsampling).
func JPEG(img image.Image, severity int) (image.Image, error) {
	if err := checkSeverity(severity); err != nil {
		return nil, err
	}
	q := []int{25, 18, 15, 10, 7}[severity-1]
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, toNRGBA(img), &jpeg.Options{Quality: q}); err != nil {
		return nil, fmt.Errorf("robust: jpeg encode: %w", err)
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		return nil, fmt.Errorf("robust: jpeg decode: %w", err)
	}
	return toNRGBA(dec), nil
}

// Rotate turns the image about its centre by 5, 10, 15, 20 or 30 degrees,
// clockwise or counter-clockwise as the seed decides, with bilinear
// sampling; pixels from outside the source are black and opaque.
func Rotate(img image.Image, severity int, seed uint64) (image.Image, error) {
	if err := checkSeverity(severity); err != nil {
		return nil, err
	}
	src := toNRGBA(img)
	rng := rand.New(rand.NewPCG(imageSeed(src, seed, "rotation", severity)))
	deg := []float64{5, 10, 15, 20, 30}[severity-1]
	if rng.IntN(2) == 1 {
		deg = -deg
	}
	return RotateDegrees(src, deg), nil
}

// RotateDegrees rotates img by deg degrees counter-clockwise about its
// centre (bilinear, black outside).
func RotateDegrees(img image.Image, deg float64) *image.NRGBA {
	src := toNRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	out := image.NewNRGBA(src.Rect)
	th := deg * math.Pi / 180
	cos, sin := math.Cos(th), math.Sin(th)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	at := func(x, y, c int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			if c == 3 {
				return 255
			}
			return 0
		}
		return float64(src.Pix[y*src.Stride+x*4+c])
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// Inverse mapping: the source point that lands on (x, y).
			dx, dy := float64(x)-cx, float64(y)-cy
			sx := cos*dx - sin*dy + cx
			sy := sin*dx + cos*dy + cy
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			for c := 0; c < 4; c++ {
				v := (1-fx)*(1-fy)*at(x0, y0, c) + fx*(1-fy)*at(x0+1, y0, c) +
					(1-fx)*fy*at(x0, y0+1, c) + fx*fy*at(x0+1, y0+1, c)
				out.Pix[y*out.Stride+x*4+c] = uint8(math.Round(math.Max(0, math.Min(255, v))))
			}
		}
	}
	return out
}
