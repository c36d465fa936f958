package imageproc

import (
	"fmt"
	"image"
	"image/color"
)

// RGB is an 8-bit RGB image with packed pixels: the red, green and blue
// values of the pixel at (x, y) are Pix[y*Stride+3*x+0..2]. The origin is
// always (0, 0). It implements image.Image, so it can be encoded with the
// standard library's encoders.
type RGB struct {
	// Pix holds the pixels, row after row.
	Pix []uint8
	// Stride is the distance in bytes between vertically adjacent pixels
	// (at least 3*W).
	Stride int
	// W and H are the width and height in pixels.
	W, H int
}

// NewRGB returns a black image of the given size. It panics when a side is
// negative (a programmer error; sizes from files are checked by Decode).
func NewRGB(w, h int) *RGB {
	if w < 0 || h < 0 {
		panic(fmt.Sprintf("imageproc: NewRGB(%d, %d): negative size", w, h))
	}
	return &RGB{Pix: make([]uint8, 3*w*h), Stride: 3 * w, W: w, H: h}
}

// ColorModel returns color.RGBAModel.
func (m *RGB) ColorModel() color.Model { return color.RGBAModel }

// Bounds returns the rectangle (0, 0)–(W, H).
func (m *RGB) Bounds() image.Rectangle { return image.Rect(0, 0, m.W, m.H) }

// At returns the colour of the pixel at (x, y) (opaque), or transparent
// black outside the image.
func (m *RGB) At(x, y int) color.Color {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return color.RGBA{}
	}
	i := y*m.Stride + 3*x
	return color.RGBA{m.Pix[i], m.Pix[i+1], m.Pix[i+2], 0xff}
}

// Opaque reports true: an RGB image has no alpha channel. The PNG encoder
// uses it to write 24-bit truecolour.
func (m *RGB) Opaque() bool { return true }

// Set sets the pixel at (x, y) to c, converted to RGB without alpha; points
// outside the image are ignored.
func (m *RGB) Set(x, y int, c color.Color) {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return
	}
	r, g, b, _ := c.RGBA()
	i := y*m.Stride + 3*x
	m.Pix[i], m.Pix[i+1], m.Pix[i+2] = uint8(r>>8), uint8(g>>8), uint8(b>>8)
}

// Row returns the 3*W bytes of row y.
func (m *RGB) Row(y int) []uint8 {
	i := y * m.Stride
	return m.Pix[i : i+3*m.W : i+3*m.W]
}

// Crop returns the part of m inside r (clipped to the image) as a view that
// shares m's pixels. An empty intersection gives a 0×0 image.
func (m *RGB) Crop(r image.Rectangle) *RGB {
	r = r.Intersect(m.Bounds())
	if r.Empty() {
		return &RGB{}
	}
	i := r.Min.Y*m.Stride + 3*r.Min.X
	end := (r.Max.Y-1)*m.Stride + 3*r.Max.X
	return &RGB{Pix: m.Pix[i:end], Stride: m.Stride, W: r.Dx(), H: r.Dy()}
}

// Clone returns a compact copy of m (Stride = 3*W).
func (m *RGB) Clone() *RGB {
	out := NewRGB(m.W, m.H)
	for y := 0; y < m.H; y++ {
		copy(out.Row(y), m.Row(y))
	}
	return out
}

// ToNRGBA returns an opaque *image.NRGBA copy of m, for encoders and image
// libraries that have fast paths for the standard types.
func (m *RGB) ToNRGBA() *image.NRGBA {
	out := image.NewNRGBA(m.Bounds())
	for y := 0; y < m.H; y++ {
		src := m.Row(y)
		dst := out.Pix[y*out.Stride : y*out.Stride+4*m.W]
		for x, j := 0, 0; j < len(src); x, j = x+4, j+3 {
			dst[x], dst[x+1], dst[x+2], dst[x+3] = src[j], src[j+1], src[j+2], 0xff
		}
	}
	return out
}
