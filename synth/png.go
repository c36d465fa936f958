package synth

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
)

// pngWriter encodes opaque RGBA images as 8-bit RGB PNGs quickly: every row
// uses the Sub filter (image/png tries all five filters on every row) and
// zlib's fastest level. The output is a function of the pixels only.
type pngWriter struct {
	buf  bytes.Buffer
	idat bytes.Buffer
	zw   *zlib.Writer
	row  []byte
}

func newPNGWriter() *pngWriter {
	w := &pngWriter{}
	w.zw, _ = zlib.NewWriterLevel(&w.idat, zlib.BestSpeed) // the level is valid
	return w
}

// encode returns the PNG file of img (valid until the next call).
func (w *pngWriter) encode(img *image.RGBA) ([]byte, error) {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	w.idat.Reset()
	w.zw.Reset(&w.idat)
	if cap(w.row) < 1+3*width {
		w.row = make([]byte, 1+3*width)
	}
	row := w.row[:1+3*width]
	row[0] = 1 // Sub
	for y := range height {
		src := img.Pix[y*img.Stride : y*img.Stride+4*width]
		var pr, pg, pb byte
		for x := range width {
			r, g, bl := src[4*x], src[4*x+1], src[4*x+2]
			row[1+3*x], row[2+3*x], row[3+3*x] = r-pr, g-pg, bl-pb
			pr, pg, pb = r, g, bl
		}
		if _, err := w.zw.Write(row); err != nil {
			return nil, err
		}
	}
	if err := w.zw.Close(); err != nil {
		return nil, err
	}
	w.buf.Reset()
	w.buf.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = 8, 2 // 8-bit truecolour; compression, filter, interlace 0
	w.chunk("IHDR", ihdr[:])
	w.chunk("IDAT", w.idat.Bytes())
	w.chunk("IEND", nil)
	return w.buf.Bytes(), nil
}

func (w *pngWriter) chunk(typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.buf.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	w.buf.WriteString(typ)
	w.buf.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.buf.Write(n[:])
}
