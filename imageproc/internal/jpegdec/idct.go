package jpegdec

// The inverse DCT of libjpeg's "islow" method (jidctint.c, the default
// dct_method of libjpeg-turbo and so of PIL): the Loeffler–Ligtenberg–
// Moschytz algorithm in 13-bit fixed point, columns first with 2 extra bits
// of precision, then rows, each output rounded, shifted and passed through
// libjpeg's range-limit table (which clamps to 0..255 and wraps far-out
// values the way that table does).

const (
	idctConstBits = 13
	idctPass1Bits = 2

	fix0_298631336 = 2446
	fix0_390180644 = 3196
	fix0_541196100 = 4433
	fix0_765366865 = 6270
	fix0_899976223 = 7373
	fix1_175875602 = 9633
	fix1_501321110 = 12299
	fix1_847759065 = 15137
	fix1_961570560 = 16069
	fix2_053119869 = 16819
	fix2_562915447 = 20995
	fix3_072711026 = 25172
)

// idctRange is libjpeg's post-IDCT range-limit table indexed by
// (x & 1023) for an IDCT output x (before adding 128).
var idctRange [1024]uint8

func init() {
	for i := range idctRange {
		switch {
		case i < 128:
			idctRange[i] = uint8(i + 128)
		case i < 512:
			idctRange[i] = 255
		case i < 896:
			idctRange[i] = 0
		default:
			idctRange[i] = uint8(i - 896)
		}
	}
}

// idctIslow inverse-transforms one block of dequantized coefficients
// (natural order) and writes the 8×8 samples to out (rows stride bytes
// apart). libjpeg's JLONG intermediates are 64 bits wide on LP64 systems;
// int64 here keeps extreme coefficients bit-exact too.
func idctIslow(coef *[64]int32, out []uint8, stride int) {
	var ws [64]int32
	for c := range 8 {
		idctColumn(coef, &ws, c)
	}
	for r := range 8 {
		idctRow((*[8]int32)(ws[8*r:]), out[r*stride:r*stride+8:r*stride+8])
	}
}

// idctColumn is pass 1 on column c, with 2 extra bits of precision.
func idctColumn(coef, ws *[64]int32, c int) {
	if coef[8+c] == 0 && coef[16+c] == 0 && coef[24+c] == 0 && coef[32+c] == 0 &&
		coef[40+c] == 0 && coef[48+c] == 0 && coef[56+c] == 0 {
		dc := coef[c] << idctPass1Bits
		ws[c], ws[8+c], ws[16+c], ws[24+c], ws[32+c], ws[40+c], ws[48+c], ws[56+c] = dc, dc, dc, dc, dc, dc, dc, dc
		return
	}
	// Even part.
	z2, z3 := int64(coef[16+c]), int64(coef[48+c])
	z1 := (z2 + z3) * fix0_541196100
	t2 := z1 - z3*fix1_847759065
	t3 := z1 + z2*fix0_765366865
	z2, z3 = int64(coef[c]), int64(coef[32+c])
	t0 := (z2 + z3) << idctConstBits
	t1 := (z2 - z3) << idctConstBits
	t10, t13 := t0+t3, t0-t3
	t11, t12 := t1+t2, t1-t2
	// Odd part: frequencies 7, 5, 3, 1.
	o0, o1, o2, o3 := int64(coef[56+c]), int64(coef[40+c]), int64(coef[24+c]), int64(coef[8+c])
	p1, p2, p3, p4 := o0+o3, o1+o2, o0+o2, o1+o3
	p5 := (p3 + p4) * fix1_175875602
	p1 *= -fix0_899976223
	p2 *= -fix2_562915447
	p3 = p3*-fix1_961570560 + p5
	p4 = p4*-fix0_390180644 + p5
	o0 = o0*fix0_298631336 + p1 + p3
	o1 = o1*fix2_053119869 + p2 + p4
	o2 = o2*fix3_072711026 + p2 + p3
	o3 = o3*fix1_501321110 + p1 + p4
	const sh = idctConstBits - idctPass1Bits
	const rnd = 1 << (sh - 1)
	ws[c] = int32((t10 + o3 + rnd) >> sh)
	ws[56+c] = int32((t10 - o3 + rnd) >> sh)
	ws[8+c] = int32((t11 + o2 + rnd) >> sh)
	ws[48+c] = int32((t11 - o2 + rnd) >> sh)
	ws[16+c] = int32((t12 + o1 + rnd) >> sh)
	ws[40+c] = int32((t12 - o1 + rnd) >> sh)
	ws[24+c] = int32((t13 + o0 + rnd) >> sh)
	ws[32+c] = int32((t13 - o0 + rnd) >> sh)
}

// idctRow is pass 2 on one row, descaled and range-limited into o.
func idctRow(w *[8]int32, o []uint8) {
	o = o[:8]
	if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
		v := idctRange[((int64(w[0])+(1<<(idctPass1Bits+2)))>>(idctPass1Bits+3))&1023]
		o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = v, v, v, v, v, v, v, v
		return
	}
	z2, z3 := int64(w[2]), int64(w[6])
	z1 := (z2 + z3) * fix0_541196100
	t2 := z1 - z3*fix1_847759065
	t3 := z1 + z2*fix0_765366865
	t0 := (int64(w[0]) + int64(w[4])) << idctConstBits
	t1 := (int64(w[0]) - int64(w[4])) << idctConstBits
	t10, t13 := t0+t3, t0-t3
	t11, t12 := t1+t2, t1-t2
	o0, o1, o2, o3 := int64(w[7]), int64(w[5]), int64(w[3]), int64(w[1])
	p1, p2, p3, p4 := o0+o3, o1+o2, o0+o2, o1+o3
	p5 := (p3 + p4) * fix1_175875602
	p1 *= -fix0_899976223
	p2 *= -fix2_562915447
	p3 = p3*-fix1_961570560 + p5
	p4 = p4*-fix0_390180644 + p5
	o0 = o0*fix0_298631336 + p1 + p3
	o1 = o1*fix2_053119869 + p2 + p4
	o2 = o2*fix3_072711026 + p2 + p3
	o3 = o3*fix1_501321110 + p1 + p4
	const sh = idctConstBits + idctPass1Bits + 3
	const rnd = 1 << (sh - 1)
	o[0] = idctRange[((t10+o3+rnd)>>sh)&1023]
	o[7] = idctRange[((t10-o3+rnd)>>sh)&1023]
	o[1] = idctRange[((t11+o2+rnd)>>sh)&1023]
	o[6] = idctRange[((t11-o2+rnd)>>sh)&1023]
	o[2] = idctRange[((t12+o1+rnd)>>sh)&1023]
	o[5] = idctRange[((t12-o1+rnd)>>sh)&1023]
	o[3] = idctRange[((t13+o0+rnd)>>sh)&1023]
	o[4] = idctRange[((t13-o0+rnd)>>sh)&1023]
}
