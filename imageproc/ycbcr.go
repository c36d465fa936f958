package imageproc

import (
	"image"
)

// libjpeg's integer YCbCr→RGB tables (jdcolor.c, SCALEBITS = 16): R = Y +
// crR[Cr], G = Y + ((cbG[Cb] + crG[Cr]) >> 16), B = Y + cbB[Cb].
var (
	jpegCrR, jpegCbB [256]int32
	jpegCrG, jpegCbG [256]int32
)

func init() {
	const scaleBits = 16
	const oneHalf = 1 << (scaleBits - 1)
	fix := func(x float64) int32 { return int32(x*(1<<scaleBits) + 0.5) }
	for i := range 256 {
		x := int32(i - 128)
		jpegCrR[i] = (fix(1.40200)*x + oneHalf) >> scaleBits
		jpegCbB[i] = (fix(1.77200)*x + oneHalf) >> scaleBits
		jpegCrG[i] = -fix(0.71414) * x
		jpegCbG[i] = -fix(0.34414)*x + oneHalf
	}
}

func clampU8(v int32) uint8 {
	if uint32(v) <= 255 {
		return uint8(v)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// yuvSource converts a decoded JPEG (Go's *image.YCbCr, full-range JFIF)
// or lossy WebP (VP8, limited range) to RGB row by row, as libjpeg(-turbo)
// and libwebp do by default, and so as PIL does. JPEG chroma is upsampled
// with libjpeg's "fancy" triangular filters for 4:2:2, 4:2:0 and 4:4:0
// (edges replicated, as its context rows are) and by replication for the
// other ratios, then converted with libjpeg's integer tables; WebP uses
// webpChroma and vp8YUVToRGB.
type yuvSource struct {
	src    *image.YCbCr
	webp   bool
	w, h   int
	cb, cr []uint8
	sum    []int32
}

func newYUVSource(src *image.YCbCr, webp bool) *yuvSource {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	return &yuvSource{src: src, webp: webp, w: w, h: h, cb: make([]uint8, w+4), cr: make([]uint8, w+4), sum: make([]int32, w+4)}
}

// chroma fills s.cb[x0:x1] and s.cr[x0:x1] with row y's upsampled chroma
// (it may write one sample more on each side).
func (s *yuvSource) chroma(y, x0, x1 int) {
	src, w := s.src, s.w
	hs, vs := chromaFactors(src.SubsampleRatio)
	if s.webp {
		hs, vs = 2, 2
	}
	cw, ch := (w+hs-1)/hs, (s.h+vs-1)/vs
	cy := y / vs
	// libjpeg uses the fancy filters only when the chroma row is wider than
	// two samples (h2) and for 4:4:0 always; libwebp always.
	fancyH := hs == 2 && (cw > 2 || s.webp) && (vs == 1 || vs == 2)
	fancyV := vs == 2 && (hs == 1 || fancyH)
	nb := cy
	if fancyV {
		if y%2 == 0 {
			nb = max(cy-1, 0)
		} else {
			nb = min(cy+1, ch-1)
		}
	}
	bx, by := src.Rect.Min.X, src.Rect.Min.Y
	rowCb := src.Cb[src.COffset(bx, by+cy*vs):]
	rowCr := src.Cr[src.COffset(bx, by+cy*vs):]
	nbCb := src.Cb[src.COffset(bx, by+nb*vs):]
	nbCr := src.Cr[src.COffset(bx, by+nb*vs):]
	switch {
	case s.webp:
		upsampleVP8(s.cb, rowCb[:cw], nbCb[:cw], w)
		upsampleVP8(s.cr, rowCr[:cw], nbCr[:cw], w)
	case fancyH && fancyV:
		upsampleH2V2(s.cb, rowCb[:cw], nbCb[:cw], x0, x1)
		upsampleH2V2(s.cr, rowCr[:cw], nbCr[:cw], x0, x1)
	case fancyH:
		upsampleH2V1(s.cb, rowCb[:cw], x0, x1)
		upsampleH2V1(s.cr, rowCr[:cw], x0, x1)
	case fancyV: // 4:4:0
		bias := int32(1)
		if y%2 == 1 {
			bias = 2
		}
		for x := x0; x < x1; x++ {
			s.cb[x] = uint8((3*int32(rowCb[x]) + int32(nbCb[x]) + bias) >> 2)
			s.cr[x] = uint8((3*int32(rowCr[x]) + int32(nbCr[x]) + bias) >> 2)
		}
	default:
		for x := x0; x < x1; x++ {
			s.cb[x], s.cr[x] = rowCb[x/hs], rowCr[x/hs]
		}
	}
}

func (s *yuvSource) luma(y int) []uint8 {
	i := s.src.YOffset(s.src.Rect.Min.X, s.src.Rect.Min.Y+y)
	return s.src.Y[i : i+s.w]
}

// row implements rowSource: planar RGB of row y, columns [x0, x0+len(r)).
func (s *yuvSource) row(y, x0 int, r, g, b []uint8) {
	n := len(r)
	s.chroma(y, x0, x0+n)
	yr, cb, cr := s.luma(y)[x0:x0+n], s.cb[x0:x0+n], s.cr[x0:x0+n]
	g, b = g[:n], b[:n]
	if s.webp {
		for x := range yr {
			r[x], g[x], b[x] = vp8YUVToRGB(int32(yr[x]), int32(cb[x]), int32(cr[x]))
		}
		return
	}
	for x := range yr {
		yy := int32(yr[x])
		u, v := cb[x], cr[x]
		r[x] = clampU8(yy + jpegCrR[v])
		g[x] = clampU8(yy + ((jpegCbG[u] + jpegCrG[v]) >> 16))
		b[x] = clampU8(yy + jpegCbB[u])
	}
}

// toRGB converts the whole image into dst (of the same size).
func (s *yuvSource) toRGB(dst *RGB) {
	for y := range s.h {
		s.chroma(y, 0, s.w)
		yr, cb, cr := s.luma(y), s.cb[:s.w], s.cr[:s.w]
		out := dst.Row(y)
		for x := range yr {
			o := out[3*x : 3*x+3 : 3*x+3]
			yy, u, v := int32(yr[x]), cb[x], cr[x]
			if s.webp {
				o[0], o[1], o[2] = vp8YUVToRGB(yy, int32(u), int32(v))
				continue
			}
			o[0] = clampU8(yy + jpegCrR[v])
			o[1] = clampU8(yy + ((jpegCbG[u] + jpegCrG[v]) >> 16))
			o[2] = clampU8(yy + jpegCbB[u])
		}
	}
}

// chromaFactors returns the horizontal and vertical chroma subsampling
// factors of a ratio.
func chromaFactors(r image.YCbCrSubsampleRatio) (h, v int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

// upsampleH2V1 is libjpeg's h2v1_fancy_upsample (for rows of more than two
// samples) on output columns [x0, x1): each output is 3/4 of the nearer and
// 1/4 of the further input, rounding alternately down and up. libjpeg's
// special first and last columns equal this formula with the input index
// clamped, which is how it is written here.
func upsampleH2V1(out, in []uint8, x0, x1 int) {
	n := len(in)
	for x := x0; x < x1; x++ {
		i := x >> 1
		v := 3 * int32(in[i])
		if x&1 == 0 {
			out[x] = uint8((v + int32(in[max(i-1, 0)]) + 1) >> 2)
		} else {
			out[x] = uint8((v + int32(in[min(i+1, n-1)]) + 2) >> 2)
		}
	}
}

// upsampleH2V2 is libjpeg's h2v2_fancy_upsample for one output row on
// columns [x0, x1) (it may also write column x1): near is the nearest chroma
// row, far the next nearest (above for even output rows, below for odd
// ones). With S(i) = 3·near[i] + far[i] (i clamped to the row), even
// outputs are (3·S(i) + S(i−1) + 8) >> 4 and odd ones (3·S(i) + S(i+1) +
// 7) >> 4, which also covers libjpeg's special first and last columns.
func upsampleH2V2(out, near, far []uint8, x0, x1 int) {
	n := len(near)
	far = far[:n]
	i0, i1 := x0>>1, (x1-1)>>1
	p := max(i0-1, 0)
	prev := 3*int32(near[p]) + int32(far[p])
	cur := 3*int32(near[i0]) + int32(far[i0])
	last := min(i1, n-2) // iterations with a right neighbour
	o := out[2*i0 : 2*i1+2]
	j := 0
	for i := i0; i <= last; i++ {
		next := 3*int32(near[i+1]) + int32(far[i+1])
		t := 3 * cur
		oo := o[j : j+2 : j+2]
		oo[0] = uint8((t + prev + 8) >> 4)
		oo[1] = uint8((t + next + 7) >> 4)
		prev, cur = cur, next
		j += 2
	}
	if i1 == n-1 { // the last chroma sample repeats itself on the right
		t := 3 * cur
		o[j] = uint8((t + prev + 8) >> 4)
		o[j+1] = uint8((t + cur + 7) >> 4)
	}
}
