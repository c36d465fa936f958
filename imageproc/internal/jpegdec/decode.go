// Package jpegdec decodes JPEG files exactly as libjpeg-turbo does with its
// default settings, and so exactly as PIL does: the same Huffman and
// progressive decoding, the "islow" integer inverse DCT and libjpeg's range
// limiting. It stops before chroma upsampling and colour conversion, which
// imageproc performs (also as libjpeg does). Go's image/jpeg uses another
// IDCT, whose samples differ from libjpeg's by up to a few levels.
package jpegdec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
)

// Decode decodes baseline, extended-Huffman and progressive 8-bit JPEGs
// with one (grey) or three (YCbCr) components and returns an *image.Gray
// or an *image.YCbCr holding the component samples (chroma not upsampled).
// Anything else (arithmetic coding, lossless, hierarchical, 12-bit,
// CMYK/YCCK, RGB JPEGs, chroma sampled other than 1×1) returns
// ErrUnsupported, and a file that ends inside a scan or lacks its EOI
// marker returns ErrTruncated; callers fall back to image/jpeg for those.
func Decode(data []byte) (image.Image, error) {
	d := &jpegDecoder{data: data}
	if err := d.decode(); err != nil {
		return nil, err
	}
	return d.image()
}

// ErrUnsupported reports a valid JPEG feature this decoder does not handle.
var ErrUnsupported = errors.New("jpeg: feature not handled by the exact decoder")

type jpegComponent struct {
	id, h, v, tq   int
	bw, bh         int     // blocks per row and column, padded to whole MCUs
	realBW, realBH int     // blocks that hold image data
	pix            []uint8 // samples, bw*8 wide
	coef           []int32 // progressive: bw*bh blocks of 64 (natural order)
	dcPred         int32
	dcTable        int
	acTable        int
}

type jpegDecoder struct {
	data         []byte
	pos          int
	w, h         int
	progressive  bool
	comps        []jpegComponent
	hmax, vmax   int
	mcusX, mcusY int
	quant        [4][64]int32
	quantSet     [4]bool
	dc, ac       [4]huffTable
	restart      int
	adobe        bool
	adobeXform   int
	jfif         bool
	frameSeen    bool
	eobrun       int
	bits         bitReader
	block        [64]int32
	scansDecoded int
}

// zigzag maps the i-th coefficient in zig-zag order to its natural index.
var zigzag = [64 + 16]int{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
	// libjpeg's extra entries absorb out-of-range k in corrupt data
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
}

func (d *jpegDecoder) u16(at int) int { return int(binary.BigEndian.Uint16(d.data[at:])) }

// decode walks the markers up to EOI (or the end of the data).
func (d *jpegDecoder) decode() error {
	if len(d.data) < 4 || d.data[0] != 0xFF || d.data[1] != 0xD8 {
		return fmt.Errorf("jpeg: missing SOI marker")
	}
	d.pos = 2
	for d.pos < len(d.data) {
		// Find the next marker, skipping fill bytes (and garbage, as
		// libjpeg does with a warning).
		for d.pos < len(d.data) && d.data[d.pos] != 0xFF {
			d.pos++
		}
		for d.pos < len(d.data) && d.data[d.pos] == 0xFF {
			d.pos++
		}
		if d.pos >= len(d.data) {
			break
		}
		m := d.data[d.pos]
		d.pos++
		switch {
		case m == 0xD9: // EOI
			if !d.frameSeen || d.scansDecoded == 0 {
				return fmt.Errorf("jpeg: no image data before EOI")
			}
			return nil
		case m >= 0xD0 && m <= 0xD7, m == 0x01:
			continue
		}
		if d.pos+2 > len(d.data) {
			return fmt.Errorf("jpeg: truncated marker segment")
		}
		n := d.u16(d.pos)
		if n < 2 || d.pos+n > len(d.data) {
			return fmt.Errorf("jpeg: bad marker segment length")
		}
		seg := d.data[d.pos+2 : d.pos+n]
		d.pos += n
		var err error
		switch m {
		case 0xC0, 0xC1, 0xC2:
			err = d.frame(seg, m == 0xC2)
		case 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF:
			err = ErrUnsupported // lossless, hierarchical, arithmetic
		case 0xC4:
			err = d.huffman(seg)
		case 0xDB:
			err = d.quantTables(seg)
		case 0xDD:
			if len(seg) < 2 {
				return fmt.Errorf("jpeg: bad DRI")
			}
			d.restart = int(binary.BigEndian.Uint16(seg))
		case 0xDA:
			err = d.scan(seg)
		case 0xE0:
			d.jfif = d.jfif || (len(seg) >= 5 && string(seg[:5]) == "JFIF\x00")
		case 0xEE:
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe, d.adobeXform = true, int(seg[11])
			}
		}
		if err != nil {
			return err
		}
	}
	if !d.frameSeen || d.scansDecoded == 0 {
		return fmt.Errorf("jpeg: no image data")
	}
	return ErrTruncated // no EOI: PIL refuses such files too
}

func (d *jpegDecoder) frame(seg []byte, progressive bool) error {
	if d.frameSeen {
		return fmt.Errorf("jpeg: more than one frame")
	}
	if len(seg) < 6 {
		return fmt.Errorf("jpeg: bad SOF")
	}
	if seg[0] != 8 {
		return ErrUnsupported // 12-bit
	}
	d.h, d.w = int(binary.BigEndian.Uint16(seg[1:])), int(binary.BigEndian.Uint16(seg[3:]))
	nc := int(seg[5])
	if d.w == 0 || d.h == 0 {
		return fmt.Errorf("jpeg: empty image")
	}
	if nc != 1 && nc != 3 {
		return ErrUnsupported
	}
	if len(seg) < 6+3*nc {
		return fmt.Errorf("jpeg: bad SOF")
	}
	d.frameSeen, d.progressive = true, progressive
	d.comps = make([]jpegComponent, nc)
	for i := range d.comps {
		c := &d.comps[i]
		c.id, c.h, c.v, c.tq = int(seg[6+3*i]), int(seg[7+3*i]>>4), int(seg[7+3*i]&15), int(seg[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return fmt.Errorf("jpeg: bad component parameters")
		}
		d.hmax, d.vmax = max(d.hmax, c.h), max(d.vmax, c.v)
	}
	if nc == 1 {
		// A single component is never interleaved: its MCU is one block.
		d.comps[0].h, d.comps[0].v, d.hmax, d.vmax = 1, 1, 1, 1
	} else if chromaRatio(d.comps) < 0 {
		return ErrUnsupported
	}
	d.mcusX = (d.w + 8*d.hmax - 1) / (8 * d.hmax)
	d.mcusY = (d.h + 8*d.vmax - 1) / (8 * d.vmax)
	for i := range d.comps {
		c := &d.comps[i]
		c.bw, c.bh = d.mcusX*c.h, d.mcusY*c.v
		c.realBW = ((d.w*c.h+d.hmax-1)/d.hmax + 7) / 8
		c.realBH = ((d.h*c.v+d.vmax-1)/d.vmax + 7) / 8
		c.pix = make([]uint8, c.bw*8*c.bh*8)
		if progressive {
			c.coef = make([]int32, c.bw*c.bh*64)
		}
	}
	return nil
}

// chromaRatio returns the image.YCbCrSubsampleRatio for Y, Cb, Cr sampling
// factors that Go can represent (chroma 1×1), or −1.
func chromaRatio(c []jpegComponent) image.YCbCrSubsampleRatio {
	if c[1].h != 1 || c[1].v != 1 || c[2].h != 1 || c[2].v != 1 {
		return -1
	}
	switch [2]int{c[0].h, c[0].v} {
	case [2]int{1, 1}:
		return image.YCbCrSubsampleRatio444
	case [2]int{2, 1}:
		return image.YCbCrSubsampleRatio422
	case [2]int{2, 2}:
		return image.YCbCrSubsampleRatio420
	case [2]int{1, 2}:
		return image.YCbCrSubsampleRatio440
	case [2]int{4, 1}:
		return image.YCbCrSubsampleRatio411
	case [2]int{4, 2}:
		return image.YCbCrSubsampleRatio410
	}
	return -1
}

func (d *jpegDecoder) quantTables(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, int(seg[0]&15)
		if tq > 3 || pq > 1 {
			return fmt.Errorf("jpeg: bad DQT")
		}
		n := 64 << pq
		if len(seg) < 1+n {
			return fmt.Errorf("jpeg: truncated DQT")
		}
		for i := range 64 {
			v := int32(seg[1+i])
			if pq == 1 {
				v = int32(binary.BigEndian.Uint16(seg[1+2*i:]))
			}
			d.quant[tq][zigzag[i]] = v
		}
		d.quantSet[tq] = true
		seg = seg[1+n:]
	}
	return nil
}

func (d *jpegDecoder) huffman(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return fmt.Errorf("jpeg: truncated DHT")
		}
		class, id := seg[0]>>4, int(seg[0]&15)
		if class > 1 || id > 3 {
			return fmt.Errorf("jpeg: bad DHT")
		}
		var counts [16]int
		total := 0
		for i := range 16 {
			counts[i] = int(seg[1+i])
			total += counts[i]
		}
		if total > 256 || len(seg) < 17+total {
			return fmt.Errorf("jpeg: bad DHT")
		}
		t := &d.dc[id]
		if class == 1 {
			t = &d.ac[id]
		}
		if err := t.build(counts, seg[17:17+total]); err != nil {
			return err
		}
		seg = seg[17+total:]
	}
	return nil
}

// image wraps the decoded planes.
func (d *jpegDecoder) image() (image.Image, error) {
	if d.progressive {
		for i := range d.comps {
			c := &d.comps[i]
			if !d.quantSet[c.tq] {
				return nil, fmt.Errorf("jpeg: missing quantization table")
			}
			q := &d.quant[c.tq]
			for by := range c.bh {
				for bx := range c.bw {
					blk := (*[64]int32)(c.coef[(by*c.bw+bx)*64:])
					for i := range blk {
						blk[i] *= q[i]
					}
					idctIslow(blk, c.pix[by*8*c.bw*8+bx*8:], c.bw*8)
				}
			}
		}
	}
	r := image.Rect(0, 0, d.w, d.h)
	if len(d.comps) == 1 {
		return &image.Gray{Pix: d.comps[0].pix, Stride: d.comps[0].bw * 8, Rect: r}, nil
	}
	// Three components are YCbCr unless the file says RGB (Adobe
	// transform 0 without JFIF, or component ids 'R','G','B'), which is
	// left to image/jpeg.
	if (d.adobe && d.adobeXform == 0 && !d.jfif) || (d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B') {
		return nil, ErrUnsupported
	}
	return &image.YCbCr{
		Y: d.comps[0].pix, Cb: d.comps[1].pix, Cr: d.comps[2].pix,
		YStride: d.comps[0].bw * 8, CStride: d.comps[1].bw * 8,
		SubsampleRatio: chromaRatio(d.comps), Rect: r,
	}, nil
}
