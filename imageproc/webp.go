package imageproc

// Lossy WebP frames (VP8 YUV 4:2:0, which golang.org/x/image/webp returns
// as an *image.YCbCr) are converted as libwebp does by default, and so as
// PIL does: VP8 samples are BT.601 limited range ("studio swing"), not
// JFIF full range; chroma is upsampled with libwebp's "fancy" upsampler
// (9-3-3-1 weights, rows paired like EmitFancyRGB, edges mirrored) and
// converted with libwebp's 14-bit fixed-point formulas (VP8YUVToR/G/B).
// yuvSource (ycbcr.go) drives these functions.

// upsampleVP8 is one row of libwebp's UpsampleRgbLinePair for the chroma
// plane: near is the chroma row nearest to the output row, far the other
// row of the pair (equal to near on the first row and on the last row of an
// even-height image); n is the output width.
func upsampleVP8(out, near, far []uint8, n int) {
	out[0] = uint8((3*int32(near[0]) + int32(far[0]) + 2) >> 2)
	last := (n - 1) >> 1
	for x := 1; x <= last; x++ {
		tl, t := int32(near[x-1]), int32(near[x])
		l, c := int32(far[x-1]), int32(far[x])
		d12 := (tl + 3*t + 3*l + c + 8) >> 3
		d03 := (3*tl + t + l + 3*c + 8) >> 3
		out[2*x-1] = uint8((d12 + tl) >> 1)
		out[2*x] = uint8((d03 + t) >> 1)
	}
	if n%2 == 0 {
		out[n-1] = uint8((3*int32(near[last]) + int32(far[last]) + 2) >> 2)
	}
}

// vp8YUVToRGB is libwebp's VP8YUVToR/G/B (YUV_FIX2 = 6).
func vp8YUVToRGB(y, u, v int32) (r, g, b uint8) {
	multHi := func(a, c int32) int32 { return (a * c) >> 8 }
	clip := func(x int32) uint8 {
		if x&^(256<<6-1) == 0 {
			return uint8(x >> 6)
		}
		if x < 0 {
			return 0
		}
		return 255
	}
	yy := multHi(y, 19077)
	r = clip(yy + multHi(v, 26149) - 14234)
	g = clip(yy - multHi(u, 6419) - multHi(v, 13320) + 8708)
	b = clip(yy + multHi(u, 33050) - 17685)
	return r, g, b
}
