package imageproc

import (
	"fmt"
	"image"
)

// Resize returns src resized to w×h exactly as PIL's Image.resize((w, h),
// resample=f) does on an 8-bit RGB image: a separable convolution whose
// support grows with the downscale factor (antialiasing), 22-bit fixed-point
// weights, rounding and clipping, and an 8-bit intermediate between the
// horizontal and the vertical pass. It panics on a non-positive size or an
// invalid filter (programmer errors).
func Resize(src *RGB, w, h int, f Filter) *RGB {
	dst := NewRGB(w, h)
	var rs resizer
	rs.resize(rgbSource{src}, src.W, src.H, w, h, f, image.Rect(0, 0, w, h), rgbSink{dst})
	return dst
}

// rowSource produces planar rows of a source image: row y's red, green
// and blue samples of columns [x0, x0+len(r)).
type rowSource interface {
	row(y, x0 int, r, g, b []uint8)
}

// rowSink consumes planar output rows; y counts from the window's top.
type rowSink interface {
	row(y int, r, g, b []uint8)
}

type rgbSource struct{ m *RGB }

func (s rgbSource) row(y, x0 int, r, g, b []uint8) {
	in := s.m.Pix[y*s.m.Stride+3*x0:]
	in = in[:3*len(r)]
	g, b = g[:len(r)], b[:len(r)]
	for i := range r {
		q := in[3*i : 3*i+3 : 3*i+3]
		r[i], g[i], b[i] = q[0], q[1], q[2]
	}
}

type rgbSink struct{ m *RGB }

func (s rgbSink) row(y int, r, g, b []uint8) {
	out := s.m.Pix[y*s.m.Stride:]
	out = out[:3*len(r)]
	g, b = g[:len(r)], b[:len(r)]
	for i := range r {
		q := out[3*i : 3*i+3 : 3*i+3]
		q[0], q[1], q[2] = r[i], g[i], b[i]
	}
}

// resizer holds reusable scratch memory for resize.
type resizer struct {
	mid   []uint8   // planar intermediate: 3 planes of rows × window width
	in    []uint8   // one planar source row (3 × source width)
	pairs []pixPair // two source rows, packed
	out   []uint8   // one planar output row (3 × window width)
	acc   []int32
	xs    []int // nearest-neighbour source columns
	axes  [2]axisCache
}

// axisCache remembers the last weights computed for an axis: a batch of
// images of one size reuses them.
type axisCache struct {
	in, out int
	f       Filter
	a       axis
}

func (c *axisCache) get(in, out int, f Filter) *axis {
	if c.a.k == nil || c.in != in || c.out != out || c.f != f {
		c.in, c.out, c.f, c.a = in, out, f, newAxis(in, out, f)
	}
	return &c.a
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// resize computes the window win of the w×h resize of a sw×sh source and
// hands its rows to sink. Every output pixel is computed as PIL computes
// it, so a window of the result equals the same crop of PIL's full result.
func (rs *resizer) resize(src rowSource, sw, sh, w, h int, f Filter, win image.Rectangle, sink rowSink) {
	if w <= 0 || h <= 0 || !f.Valid() || !win.In(image.Rect(0, 0, w, h)) || win.Empty() {
		panic(fmt.Sprintf("imageproc: resize %dx%d to %dx%d window %v with %v", sw, sh, w, h, win, f))
	}
	ww := win.Dx()
	rs.out = grow(rs.out, 3*ww)
	or, og, ob := rs.out[:ww], rs.out[ww:2*ww], rs.out[2*ww:]
	if w == sw && h == sh { // PIL returns a copy
		for y := win.Min.Y; y < win.Max.Y; y++ {
			src.row(y, win.Min.X, or, og, ob)
			sink.row(y-win.Min.Y, or, og, ob)
		}
		return
	}
	if f == Nearest {
		rs.nearest(src, sw, sh, w, h, win, sink)
		return
	}
	needH, needV := w != sw, h != sh
	var ya *axis
	rowLo, rowHi := win.Min.Y, win.Max.Y // source rows the vertical pass reads
	if needV {
		ya = rs.axes[1].get(sh, h, f)
		rowLo = int(ya.start[win.Min.Y])
		rowHi = rowLo
		for y := win.Min.Y; y < win.Max.Y; y++ {
			rowHi = max(rowHi, int(ya.start[y]+ya.n[y]))
		}
	}
	var xa *axis
	colLo, colHi := 0, sw // source columns the horizontal pass reads
	if needH {
		xa = rs.axes[0].get(sw, w, f)
		rs.in = grow(rs.in, 3*(sw+xa.ksize))
		colLo, colHi = int(xa.start[win.Min.X]), 0
		for x := win.Min.X; x < win.Max.X; x++ {
			colHi = max(colHi, int(xa.start[x]+xa.n[x]))
		}
	}
	// Horizontal pass, straight to the sink when there is no vertical one.
	nr := rowHi - rowLo
	if needV {
		rs.mid = grow(rs.mid, 3*ww*nr)
	}
	plane := ww * nr
	rowOut := func(y int) (r, g, b []uint8) {
		if !needV {
			return or, og, ob
		}
		o := (y - rowLo) * ww
		return rs.mid[o : o+ww], rs.mid[plane+o : plane+o+ww], rs.mid[2*plane+o : 2*plane+o+ww]
	}
	switch {
	case needH && needV:
		rs.horizontalPairs(src, sw, colLo, colHi, rowLo, rowHi, xa, win.Min.X, rowOut)
	case needH:
		st := sw + xa.ksize
		ir, ig, ib := rs.in[:st], rs.in[st:2*st], rs.in[2*st:]
		for y := rowLo; y < rowHi; y++ {
			src.row(y, colLo, ir[colLo:colHi], ig[colLo:colHi], ib[colLo:colHi])
			horizontal(or, og, ob, ir, ig, ib, xa, win.Min.X)
			sink.row(y-rowLo, or, og, ob)
		}
	default:
		for y := rowLo; y < rowHi; y++ {
			r, g, b := rowOut(y)
			src.row(y, win.Min.X, r, g, b)
			if !needV {
				sink.row(y-rowLo, r, g, b)
			}
		}
	}
	if !needV {
		return
	}
	rs.acc = grow(rs.acc, ww)
	for y := win.Min.Y; y < win.Max.Y; y++ {
		start, cnt := int(ya.start[y])-rowLo, int(ya.n[y])
		k := ya.k[y*ya.ksize : y*ya.ksize+cnt]
		for c, out := range [3][]uint8{or, og, ob} {
			p := rs.mid[c*plane+start*ww : c*plane+(start+cnt)*ww]
			vertical(out, p, ww, k, rs.acc)
		}
		sink.row(y-win.Min.Y, or, og, ob)
	}
}

// horizontal resamples one planar row: output column x0+o of each plane
// goes to or/og/ob[o]. Every output reads a.ksize inputs (the weights past
// a.n are zero), so the input planes must extend a.ksize samples past the
// last source column (any values).
func horizontal(or, og, ob, ir, ig, ib []uint8, a *axis, x0 int) {
	ks := a.ksize
	starts := a.start[x0 : x0+len(or)]
	kk := a.k[x0*ks : (x0+len(or))*ks]
	og, ob = og[:len(or)], ob[:len(or)]
	const half = 1 << (precisionBits - 1)
	for o := range or {
		s := int(starts[o])
		r, g, b := dot3(kk[o*ks:o*ks+ks], ir[s:], ig[s:], ib[s:])
		or[o], og[o], ob[o] = clip8(r+half), clip8(g+half), clip8(b+half)
	}
}

// dot3 returns the dot products of k with the first len(k) samples of three
// planes. It is a separate, small function so that the compiler keeps the
// three accumulators in registers.
//
//go:noinline
func dot3(k []int32, pr, pg, pb []uint8) (r, g, b int32) {
	pr, pg, pb = pr[:len(k)], pg[:len(k)], pb[:len(k)]
	for j, kj := range k {
		r += int32(pr[j]) * kj
		g += int32(pg[j]) * kj
		b += int32(pb[j]) * kj
	}
	return r, g, b
}

// pixPair holds one column of two source rows for horizontalPairs: red
// and blue packed into one uint64 per row (R + B·2³²), so that one 64-bit
// multiply–add serves two channels (each channel's sum fits in 31 bits, so
// the packed sum holds both exactly), and green on its own.
type pixPair struct {
	rbA, rbB uint64
	gA, gB   int32
}

// horizontalPairs runs the horizontal pass over source rows [rowLo,
// rowHi) two rows at a time, writing each row's result where out says.
func (rs *resizer) horizontalPairs(src rowSource, sw, colLo, colHi, rowLo, rowHi int, a *axis, x0 int, out func(y int) (r, g, b []uint8)) {
	st := sw + a.ksize
	rs.in = grow(rs.in, 6*st)
	ir, ig, ib := rs.in[:st], rs.in[st:2*st], rs.in[2*st:3*st]
	jr, jg, jb := rs.in[3*st:4*st], rs.in[4*st:5*st], rs.in[5*st:]
	rs.pairs = grow(rs.pairs, st)
	ks := a.ksize
	for y := rowLo; y < rowHi; y += 2 {
		src.row(y, colLo, ir[colLo:colHi], ig[colLo:colHi], ib[colLo:colHi])
		ar, ag, ab := out(y)
		br, bg, bb := ar, ag, ab // a lone last row is computed twice
		if y+1 < rowHi {
			src.row(y+1, colLo, jr[colLo:colHi], jg[colLo:colHi], jb[colLo:colHi])
			br, bg, bb = out(y + 1)
		} else {
			copy(jr, ir)
			copy(jg, ig)
			copy(jb, ib)
		}
		p := rs.pairs[colLo:colHi]
		r0, g0, b0 := ir[colLo:colHi], ig[colLo:colHi], ib[colLo:colHi]
		r1, g1, b1 := jr[colLo:colHi], jg[colLo:colHi], jb[colLo:colHi]
		for x := range p {
			p[x] = pixPair{uint64(r0[x]) | uint64(b0[x])<<32, uint64(r1[x]) | uint64(b1[x])<<32, int32(g0[x]), int32(g1[x])}
		}
		n := len(ar)
		ag, ab, br, bg, bb = ag[:n], ab[:n], br[:n], bg[:n], bb[:n]
		starts := a.start[x0 : x0+n]
		kk := a.k[x0*ks : (x0+n)*ks]
		for o := range n {
			s := int(starts[o])
			rbSumA, gSumA, rbSumB, gSumB := dot6(kk[o*ks:o*ks+ks], rs.pairs[s:])
			ar[o], ag[o], ab[o] = unpackClip(rbSumA, gSumA)
			br[o], bg[o], bb[o] = unpackClip(rbSumB, gSumB)
		}
	}
}

// unpackClip splits a packed red/blue sum and clips the three channels.
func unpackClip(rb int64, g int32) (uint8, uint8, uint8) {
	const half = 1 << (precisionBits - 1)
	r := int32(rb)
	b := int32((rb - int64(r)) >> 32)
	return clip8(r + half), clip8(g + half), clip8(b + half)
}

// dot6 returns the weighted sums of len(k) columns of two rows (see
// pixPair). It is a small function of its own so that the compiler keeps
// the four sums in registers.
//
//go:noinline
func dot6(k []int32, p []pixPair) (sumRBA int64, sumGA int32, sumRBB int64, sumGB int32) {
	p = p[:len(k)]
	for j, kj := range k {
		e := &p[j]
		k64 := int64(kj)
		sumRBA += int64(e.rbA) * k64
		sumRBB += int64(e.rbB) * k64
		sumGA += e.gA * kj
		sumGB += e.gB * kj
	}
	return sumRBA, sumGA, sumRBB, sumGB
}

// vertical computes one output row of one plane from the rows of p
// (len(k) rows of width w) with weights k; acc is scratch of length w.
func vertical(out, p []uint8, w int, k []int32, acc []int32) {
	acc = acc[:w]
	out = out[:w]
	for i := range acc {
		acc[i] = 1 << (precisionBits - 1)
	}
	j := 0
	for ; j+3 < len(k); j += 4 {
		k0, k1, k2, k3 := k[j], k[j+1], k[j+2], k[j+3]
		r0 := p[j*w : (j+1)*w]
		r1 := p[(j+1)*w : (j+2)*w]
		r2 := p[(j+2)*w : (j+3)*w]
		r3 := p[(j+3)*w : (j+4)*w]
		r0, r1, r2, r3 = r0[:len(acc)], r1[:len(acc)], r2[:len(acc)], r3[:len(acc)]
		for i := range acc {
			acc[i] += int32(r0[i])*k0 + int32(r1[i])*k1 + int32(r2[i])*k2 + int32(r3[i])*k3
		}
	}
	for ; j < len(k); j++ {
		kj := k[j]
		r := p[j*w : (j+1)*w]
		r = r[:len(acc)]
		for i := range acc {
			acc[i] += int32(r[i]) * kj
		}
	}
	for i, v := range acc {
		out[i] = clip8(v)
	}
}

// nearest is PIL's nearest-neighbour resize (ImagingScaleAffine): source
// coordinates accumulate in float64 from the pixel centres and are
// truncated.
func (rs *resizer) nearest(src rowSource, sw, sh, w, h int, win image.Rectangle, sink rowSink) {
	ax := float64(sw) / float64(w)
	ay := float64(sh) / float64(h)
	rs.xs = grow(rs.xs, w)
	xo := ax * 0.5
	for x := range w {
		rs.xs[x] = min(int(xo), sw-1)
		xo += ax
	}
	rs.in = grow(rs.in, 3*sw)
	ir, ig, ib := rs.in[:sw], rs.in[sw:2*sw], rs.in[2*sw:]
	ww := win.Dx()
	or, og, ob := rs.out[:ww], rs.out[ww:2*ww], rs.out[2*ww:]
	yo := ay * 0.5
	for y := range h {
		yi := min(int(yo), sh-1)
		yo += ay
		if y < win.Min.Y || y >= win.Max.Y {
			continue
		}
		src.row(yi, 0, ir, ig, ib)
		for x := win.Min.X; x < win.Max.X; x++ {
			i := rs.xs[x]
			or[x-win.Min.X], og[x-win.Min.X], ob[x-win.Min.X] = ir[i], ig[i], ib[i]
		}
		sink.row(y-win.Min.Y, or, og, ob)
	}
}
