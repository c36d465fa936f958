package imageproc

import (
	"image"
	"image/color"
)

// ToRGB converts any image to 8-bit RGB the way PIL's Image.convert("RGB")
// (and so transformers' convert_rgb) does:
//
//   - grayscale is replicated into the three channels;
//   - alpha is dropped, not composited: the stored colour of a translucent
//     pixel is kept (premultiplied Go images are un-premultiplied first, so
//     the result is the straight colour PIL would hold; fully transparent
//     premultiplied pixels become black);
//   - paletted images take their palette's colours;
//   - CMYK uses PIL's formula, channel = (255−K) − round(C·(255−K)/255);
//   - YCbCr is treated as JPEG's full-range JFIF and converted with libjpeg's
//     integer tables and fancy chroma upsampling (Decode converts WebP's
//     limited-range YCbCr with libwebp's formulas instead);
//   - 16-bit samples keep their high byte. PIL differs here for 16-bit
//     grayscale, which it opens as 32-bit integers and clips to 255 (so most
//     such images turn white); vlmtune scales instead.
//
// An *RGB with Stride = 3*W is returned as is; other inputs are copied. The
// result's origin is (0, 0) whatever the input's bounds.
func ToRGB(img image.Image) *RGB {
	if m, ok := img.(*RGB); ok {
		return m
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return &RGB{}
	}
	dst := NewRGB(w, h)
	switch src := img.(type) {
	case *image.YCbCr:
		newYUVSource(src, false).toRGB(dst)
	case *image.NYCbCrA:
		newYUVSource(&src.YCbCr, false).toRGB(dst)
	case *image.Gray:
		for y := range h {
			row := src.Pix[(y)*src.Stride : y*src.Stride+w]
			out := dst.Row(y)
			for x, v := range row {
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case *image.Gray16:
		for y := range h {
			row := src.Pix[y*src.Stride : y*src.Stride+2*w]
			out := dst.Row(y)
			for x := range w {
				v := row[2*x]
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case *image.NRGBA:
		for y := range h {
			row := src.Pix[y*src.Stride : y*src.Stride+4*w]
			out := dst.Row(y)
			for x := range w {
				out[3*x], out[3*x+1], out[3*x+2] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
	case *image.NRGBA64:
		for y := range h {
			row := src.Pix[y*src.Stride : y*src.Stride+8*w]
			out := dst.Row(y)
			for x := range w {
				out[3*x], out[3*x+1], out[3*x+2] = row[8*x], row[8*x+2], row[8*x+4]
			}
		}
	case *image.RGBA:
		for y := range h {
			row := src.Pix[y*src.Stride : y*src.Stride+4*w]
			out := dst.Row(y)
			for x := range w {
				p := row[4*x : 4*x+4 : 4*x+4]
				out[3*x], out[3*x+1], out[3*x+2] = unpremul8(p[0], p[3]), unpremul8(p[1], p[3]), unpremul8(p[2], p[3])
			}
		}
	case *image.CMYK:
		for y := range h {
			row := src.Pix[y*src.Stride : y*src.Stride+4*w]
			out := dst.Row(y)
			for x := range w {
				p := row[4*x : 4*x+4 : 4*x+4]
				nk := 255 - int32(p[3])
				out[3*x] = clampU8(nk - mulDiv255(int32(p[0]), nk))
				out[3*x+1] = clampU8(nk - mulDiv255(int32(p[1]), nk))
				out[3*x+2] = clampU8(nk - mulDiv255(int32(p[2]), nk))
			}
		}
	case *image.Paletted:
		var pal [256][3]uint8
		for i, c := range src.Palette {
			if i < 256 {
				pal[i] = straightRGB(c)
			}
		}
		for y := range h {
			row := src.Pix[y*src.Stride : y*src.Stride+w]
			out := dst.Row(y)
			for x, idx := range row {
				p := pal[idx]
				out[3*x], out[3*x+1], out[3*x+2] = p[0], p[1], p[2]
			}
		}
	default:
		for y := range h {
			out := dst.Row(y)
			for x := range w {
				p := straightRGB(img.At(b.Min.X+x, b.Min.Y+y))
				out[3*x], out[3*x+1], out[3*x+2] = p[0], p[1], p[2]
			}
		}
	}
	return dst
}

// straightRGB returns the non-premultiplied 8-bit colour of c, dropping
// alpha.
func straightRGB(c color.Color) [3]uint8 {
	switch c := c.(type) {
	case color.NRGBA:
		return [3]uint8{c.R, c.G, c.B}
	case color.NRGBA64:
		return [3]uint8{uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8)}
	case color.Gray:
		return [3]uint8{c.Y, c.Y, c.Y}
	case color.RGBA:
		return [3]uint8{unpremul8(c.R, c.A), unpremul8(c.G, c.A), unpremul8(c.B, c.A)}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [3]uint8{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)}
}

// unpremul8 undoes alpha premultiplication of one 8-bit channel (rounding
// to nearest).
func unpremul8(v, a uint8) uint8 {
	switch a {
	case 255:
		return v
	case 0:
		return 0
	}
	return uint8(min((uint32(v)*255+uint32(a)/2)/uint32(a), 255))
}

// mulDiv255 is PIL's MULDIV255: round(a*b/255) in integers.
func mulDiv255(a, b int32) int32 {
	t := a*b + 128
	return ((t >> 8) + t) >> 8
}
