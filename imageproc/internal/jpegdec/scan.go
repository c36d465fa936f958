package jpegdec

import (
	"encoding/binary"
	"errors"
	"fmt"
)

var errHuffman = errors.New("jpeg: bad Huffman code")

// ErrTruncated reports a file that ends inside a scan or before its EOI
// marker (PIL refuses such files too).
var ErrTruncated = errors.New("jpeg: the data ends inside a scan or lacks its EOI marker (truncated file)")

// huffTable is a Huffman decoding table: a 9-bit lookahead table and, for
// longer codes, libjpeg's maxcode/valoffset per code length.
type huffTable struct {
	lut     [512]uint16 // length<<8 | symbol; 0 when the code is longer
	maxcode [18]int32
	valoff  [17]int32
	vals    []uint8
	ok      bool
}

func (t *huffTable) build(counts [16]int, vals []uint8) error {
	*t = huffTable{vals: append([]uint8(nil), vals...), ok: true}
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		n := counts[l-1]
		t.valoff[l] = int32(k) - code
		for range n {
			if code >= 1<<l {
				return fmt.Errorf("jpeg: bad Huffman table")
			}
			if l <= 9 {
				lo := int(code) << (9 - l)
				for i := range 1 << (9 - l) {
					t.lut[lo+i] = uint16(l<<8) | uint16(vals[k])
				}
			}
			code++
			k++
		}
		t.maxcode[l] = code - 1
		if n == 0 {
			t.maxcode[l] = -1
		}
		code <<= 1
	}
	t.maxcode[17] = 0x7fffffff
	return nil
}

// bitReader reads entropy-coded bits MSB first, removing stuffed zero
// bytes; at a marker or the end of the data it supplies zero bits, as
// libjpeg does.
type bitReader struct {
	data   []byte
	pos    int
	acc    uint64 // the next n bits, left-aligned
	n      uint
	marker bool
	eof    bool // the data ended inside the entropy-coded segment
}

func (b *bitReader) reset(data []byte, pos int) { *b = bitReader{data: data, pos: pos} }

func (b *bitReader) fill() {
	// Fast path: the next eight bytes hold no 0xFF (no stuffing, no
	// marker), so whole bytes can be shifted in at once.
	if !b.marker && b.pos+8 <= len(b.data) {
		w := binary.BigEndian.Uint64(b.data[b.pos:])
		if x := ^w; (x-0x0101010101010101)&^x&0x8080808080808080 == 0 {
			nb := (64 - b.n) / 8
			b.acc |= w >> (64 - 8*nb) << (64 - b.n - 8*nb)
			b.pos += int(nb)
			b.n += 8 * nb
			return
		}
	}
	for b.n <= 56 {
		var c byte
		if !b.marker && b.pos >= len(b.data) {
			b.eof = true
		}
		if !b.marker && b.pos < len(b.data) {
			c = b.data[b.pos]
			if c == 0xFF {
				j := b.pos + 1
				for j < len(b.data) && b.data[j] == 0xFF {
					j++
				}
				if j < len(b.data) && b.data[j] == 0 {
					b.pos = j + 1
				} else {
					b.marker = true // leave pos at the marker
					c = 0
				}
			} else {
				b.pos++
			}
		}
		b.acc |= uint64(c) << (56 - b.n)
		b.n += 8
	}
}

func (b *bitReader) bits(k uint) int32 {
	if k == 0 {
		return 0
	}
	if b.n < k {
		b.fill()
	}
	v := int32(b.acc >> (64 - k))
	b.acc <<= k
	b.n -= k
	return v
}

// receiveExtend reads s bits and sign-extends them (JPEG's EXTEND).
func (b *bitReader) receiveExtend(s int) int32 {
	v := b.bits(uint(s))
	if s > 0 && v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}

func (b *bitReader) decode(t *huffTable) (int, error) {
	if b.n < 16 {
		b.fill()
	}
	if v := t.lut[b.acc>>(64-9)]; v != 0 {
		l := uint(v >> 8)
		b.acc <<= l
		b.n -= l
		return int(v & 0xff), nil
	}
	for l := 10; l <= 16; l++ {
		code := int32(b.acc >> (64 - uint(l)))
		if code <= t.maxcode[l] {
			b.acc <<= uint(l)
			b.n -= uint(l)
			i := t.valoff[l] + code
			if i < 0 || int(i) >= len(t.vals) {
				return 0, errHuffman
			}
			return int(t.vals[i]), nil
		}
	}
	return 0, errHuffman
}

// symbol decodes one Huffman symbol and, when its low four bits s are not
// zero, the s magnitude bits that follow, sign-extended (JPEG's
// RECEIVE/EXTEND). One refill covers both: the longest code (16 bits) and
// magnitude (16 bits) fit in what fill leaves (57 bits or more).
func (b *bitReader) symbol(t *huffTable) (sym int, v int32, err error) {
	if b.n < 32 {
		b.fill()
	}
	if e := t.lut[b.acc>>(64-9)]; e != 0 {
		l := uint(e >> 8)
		b.acc <<= l
		b.n -= l
		sym = int(e & 0xff)
	} else {
		sym = -1
		for l := 10; l <= 16; l++ {
			code := int32(b.acc >> (64 - uint(l)))
			if code <= t.maxcode[l] {
				b.acc <<= uint(l)
				b.n -= uint(l)
				i := t.valoff[l] + code
				if i < 0 || int(i) >= len(t.vals) {
					return 0, 0, errHuffman
				}
				sym = int(t.vals[i])
				break
			}
		}
		if sym < 0 {
			return 0, 0, errHuffman
		}
	}
	s := uint(sym & 15)
	if s == 0 {
		return sym, 0, nil
	}
	v = int32(b.acc >> (64 - s))
	b.acc <<= s
	b.n -= s
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return sym, v, nil
}

// skipEntropy returns the position of the marker that ends the entropy
// data starting at pos.
func skipEntropy(data []byte, pos int) int {
	for pos+1 < len(data) {
		if data[pos] != 0xFF {
			pos++
			continue
		}
		switch m := data[pos+1]; {
		case m == 0 || (m >= 0xD0 && m <= 0xD7):
			pos += 2
		case m == 0xFF:
			pos++
		default:
			return pos
		}
	}
	return len(data)
}

// scan decodes one scan (SOS segment seg followed by entropy data).
func (d *jpegDecoder) scan(seg []byte) error {
	if !d.frameSeen {
		return fmt.Errorf("jpeg: scan before frame")
	}
	if len(seg) < 1 {
		return fmt.Errorf("jpeg: bad SOS")
	}
	ns := int(seg[0])
	if ns < 1 || ns > len(d.comps) || len(seg) < 4+2*ns {
		return fmt.Errorf("jpeg: bad SOS")
	}
	comps := make([]*jpegComponent, ns)
	for i := range ns {
		id, tables := int(seg[1+2*i]), seg[2+2*i]
		for k := range d.comps {
			if d.comps[k].id == id {
				comps[i] = &d.comps[k]
			}
		}
		if comps[i] == nil {
			return fmt.Errorf("jpeg: scan names unknown component %d", id)
		}
		comps[i].dcTable, comps[i].acTable = int(tables>>4), int(tables&15)
		if comps[i].dcTable > 3 || comps[i].acTable > 3 {
			return fmt.Errorf("jpeg: bad table selector")
		}
	}
	ss, se := int(seg[1+2*ns]), int(seg[2+2*ns])
	ah, al := uint(seg[3+2*ns]>>4), uint(seg[3+2*ns]&15)
	if !d.progressive && (ss != 0 || se != 63 || ah != 0 || al != 0) {
		return fmt.Errorf("jpeg: bad sequential scan parameters")
	}
	if d.progressive && (ss > se || se > 63 || (ss == 0 && se != 0) || (ss > 0 && ns != 1) || al > 13) {
		return fmt.Errorf("jpeg: bad progressive scan parameters")
	}
	for _, c := range comps {
		c.dcPred = 0
		needDC := ss == 0 && ah == 0
		needAC := se > 0
		if (needDC && !d.dc[c.dcTable].ok) || (needAC && !d.ac[c.acTable].ok) {
			return fmt.Errorf("jpeg: missing Huffman table")
		}
		if !d.progressive && !d.quantSet[c.tq] {
			return fmt.Errorf("jpeg: missing quantization table")
		}
	}
	d.eobrun = 0
	d.bits.reset(d.data, d.pos)

	var decodeBlock func(c *jpegComponent, bx, by int) error
	switch {
	case !d.progressive:
		decodeBlock = d.sequentialBlock
	case ss == 0 && ah == 0:
		decodeBlock = func(c *jpegComponent, bx, by int) error {
			s, err := d.bits.decode(&d.dc[c.dcTable])
			if err != nil {
				return err
			}
			c.dcPred += d.bits.receiveExtend(s)
			c.coef[(by*c.bw+bx)*64] = c.dcPred << al
			return nil
		}
	case ss == 0:
		decodeBlock = func(c *jpegComponent, bx, by int) error {
			if d.bits.bits(1) != 0 {
				c.coef[(by*c.bw+bx)*64] |= 1 << al
			}
			return nil
		}
	case ah == 0:
		decodeBlock = func(c *jpegComponent, bx, by int) error {
			return d.acFirst((*[64]int32)(c.coef[(by*c.bw+bx)*64:]), &d.ac[c.acTable], ss, se, al)
		}
	default:
		decodeBlock = func(c *jpegComponent, bx, by int) error {
			return d.acRefine((*[64]int32)(c.coef[(by*c.bw+bx)*64:]), &d.ac[c.acTable], ss, se, al)
		}
	}

	// MCU geometry: a single-component scan walks that component's real
	// blocks one by one; an interleaved scan walks whole MCUs.
	mcusX, mcusY := d.mcusX, d.mcusY
	if ns == 1 {
		mcusX, mcusY = comps[0].realBW, comps[0].realBH
	}
	total := mcusX * mcusY
	for m := range total {
		if d.restart > 0 && m > 0 && m%d.restart == 0 {
			d.restartMarker(comps)
		}
		mx, my := m%mcusX, m/mcusX
		if ns == 1 {
			if err := decodeBlock(comps[0], mx, my); err != nil {
				return err
			}
			continue
		}
		for _, c := range comps {
			for v := range c.v {
				for h := range c.h {
					if err := decodeBlock(c, mx*c.h+h, my*c.v+v); err != nil {
						return err
					}
				}
			}
		}
	}
	if d.bits.eof {
		return ErrTruncated
	}
	d.pos = skipEntropy(d.data, d.bitsPos())
	d.scansDecoded++
	return nil
}

// bitsPos is where the entropy data read so far ends (the bytes buffered
// in the reader but not consumed are not yet part of the next segment).
func (d *jpegDecoder) bitsPos() int {
	if d.bits.marker {
		return d.bits.pos
	}
	// Unconsumed whole bytes went back in the stream; stuffed zeros make
	// this an underestimate, which skipEntropy absorbs.
	return max(0, d.bits.pos-int(d.bits.n/8))
}

// restartMarker skips the RSTn marker at the end of a restart interval and
// resets the DC predictions and the EOB run.
func (d *jpegDecoder) restartMarker(comps []*jpegComponent) {
	p := d.bitsPos()
	for p+1 < len(d.data) && !(d.data[p] == 0xFF && d.data[p+1] >= 0xD0 && d.data[p+1] <= 0xD7) {
		if d.data[p] == 0xFF && d.data[p+1] != 0 && d.data[p+1] != 0xFF {
			break // another marker: let the decoder run on zeros, as libjpeg does
		}
		p++
	}
	if p+1 < len(d.data) && d.data[p] == 0xFF && d.data[p+1] >= 0xD0 && d.data[p+1] <= 0xD7 {
		p += 2
	}
	d.bits.reset(d.data, p)
	for _, c := range comps {
		c.dcPred = 0
	}
	d.eobrun = 0
}

// sequentialBlock decodes, dequantizes and inverse-transforms one block of
// a baseline or extended sequential scan.
func (d *jpegDecoder) sequentialBlock(c *jpegComponent, bx, by int) error {
	blk := &d.block
	*blk = [64]int32{}
	_, diff, err := d.bits.symbol(&d.dc[c.dcTable])
	if err != nil {
		return err
	}
	c.dcPred += diff
	q := &d.quant[c.tq]
	blk[0] = c.dcPred * q[0]
	ac := &d.ac[c.acTable]
	acSeen := false
	for k := 1; k < 64; k++ {
		rs, v, err := d.bits.symbol(ac)
		if err != nil {
			return err
		}
		r, s := rs>>4, rs&15
		if s != 0 {
			k += r
			z := zigzag[k]
			blk[z] = v * q[z]
			acSeen = true
		} else {
			if r != 15 {
				break
			}
			k += 15
		}
	}
	stride := c.bw * 8
	out := c.pix[by*8*stride+bx*8:]
	if !acSeen {
		// What the IDCT's all-zero shortcuts compute for a DC-only block.
		v := idctRange[((int64(blk[0]<<idctPass1Bits)+(1<<(idctPass1Bits+2)))>>(idctPass1Bits+3))&1023]
		for r := range 8 {
			o := out[r*stride : r*stride+8 : r*stride+8]
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = v, v, v, v, v, v, v, v
		}
		return nil
	}
	idctIslow(blk, out, stride)
	return nil
}

// acFirst is the first AC scan of a progressive band.
func (d *jpegDecoder) acFirst(blk *[64]int32, t *huffTable, ss, se int, al uint) error {
	if d.eobrun > 0 {
		d.eobrun--
		return nil
	}
	for k := ss; k <= se; k++ {
		rs, err := d.bits.decode(t)
		if err != nil {
			return err
		}
		r, s := rs>>4, rs&15
		if s != 0 {
			k += r
			blk[zigzag[k]] = d.bits.receiveExtend(s) << al
			continue
		}
		if r != 15 {
			d.eobrun = 1<<r - 1
			if r > 0 {
				d.eobrun += int(d.bits.bits(uint(r)))
			}
			break
		}
		k += 15
	}
	return nil
}

// acRefine is a successive-approximation AC scan (libjpeg's
// decode_mcu_AC_refine).
func (d *jpegDecoder) acRefine(blk *[64]int32, t *huffTable, ss, se int, al uint) error {
	p1, m1 := int32(1)<<al, int32(-1)<<al
	k := ss
	refine := func(c *int32) {
		if *c != 0 && d.bits.bits(1) != 0 && *c&p1 == 0 {
			if *c >= 0 {
				*c += p1
			} else {
				*c += m1
			}
		}
	}
	if d.eobrun == 0 {
		for ; k <= se; k++ {
			rs, err := d.bits.decode(t)
			if err != nil {
				return err
			}
			r, s := rs>>4, int32(rs&15)
			if s != 0 {
				if d.bits.bits(1) != 0 {
					s = p1
				} else {
					s = m1
				}
			} else if r != 15 {
				d.eobrun = 1 << r
				if r > 0 {
					d.eobrun += int(d.bits.bits(uint(r)))
				}
				break
			}
			for k <= se {
				c := &blk[zigzag[k]]
				if *c != 0 {
					refine(c)
				} else {
					if r == 0 {
						break
					}
					r--
				}
				k++
			}
			if s != 0 {
				blk[zigzag[k]] = s
			}
		}
	}
	if d.eobrun > 0 {
		for ; k <= se; k++ {
			refine(&blk[zigzag[k]])
		}
		d.eobrun--
	}
	return nil
}
