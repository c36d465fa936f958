package imageproc

import (
	"fmt"
	"image"
	"sync"
)

// Processor is a resolved image processor: the steps and parameters of a
// transformers image-processor class after its defaults and the
// preprocessor_config.json have been applied. Build one with LoadProcessor,
// NewCLIPProcessor or NewSiglipProcessor; it is safe for concurrent use.
//
// Processing is: convert to RGB, resize (shortest edge to ShortestEdge, the
// other side int(ShortestEdge·long/short) as transformers truncates it, or
// to Height×Width), center crop to CropHeight×CropWidth (top = (H−h)//2,
// left = (W−w)//2; a side smaller than the crop is zero-padded, centred with
// the larger half of the padding first, as transformers' center_crop
// does), rescale (float32(u8·RescaleFactor), computed in float64 as numpy
// does) and normalize ((x − mean)/std in float32).
//
// The exported fields report the resolved parameters; treat them as
// read-only, since the rescale/normalize table is computed when the
// processor is built.
type Processor struct {
	// Type is the transformers class name, e.g. "CLIPImageProcessor".
	Type string

	DoResize bool
	// ShortestEdge > 0 resizes the shortest edge to it, keeping the aspect
	// ratio; otherwise the image is resized to Height×Width.
	ShortestEdge  int
	Height, Width int
	Resample      Filter

	DoCenterCrop          bool
	CropHeight, CropWidth int

	DoRescale     bool
	RescaleFactor float64

	DoNormalize bool
	Mean, Std   [3]float64

	lut     [3][256]float32
	scratch sync.Pool
}

// Validate checks that the parameters can be used.
func (p *Processor) Validate() error {
	if p.DoResize {
		if p.ShortestEdge < 0 || (p.ShortestEdge == 0 && (p.Height <= 0 || p.Width <= 0)) {
			return fmt.Errorf("%s: size must be positive (shortest_edge %d, height %d, width %d)", p.Type, p.ShortestEdge, p.Height, p.Width)
		}
		if !p.Resample.Valid() {
			return fmt.Errorf("%s: resample %d is not a PIL filter (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)", p.Type, int(p.Resample))
		}
	}
	if p.DoCenterCrop && (p.CropHeight <= 0 || p.CropWidth <= 0) {
		return fmt.Errorf("%s: crop_size must be positive, got %dx%d", p.Type, p.CropHeight, p.CropWidth)
	}
	if p.DoRescale && !(p.RescaleFactor > 0) {
		return fmt.Errorf("%s: rescale_factor must be positive, got %v", p.Type, p.RescaleFactor)
	}
	if p.DoNormalize {
		for c, s := range p.Std {
			if !(s > 0) {
				return fmt.Errorf("%s: image_std[%d] must be positive, got %v", p.Type, c, s)
			}
		}
	}
	return nil
}

// buildLUT tabulates rescale+normalize for every 8-bit value.
func (p *Processor) buildLUT() {
	for c := range 3 {
		m, s := float32(p.Mean[c]), float32(p.Std[c])
		for u := range 256 {
			v := float32(u)
			if p.DoRescale {
				v = float32(float64(u) * p.RescaleFactor)
			}
			if p.DoNormalize {
				v = (v - m) / s
			}
			p.lut[c][u] = v
		}
	}
}

// ResizeSize returns the size the resize step gives an image of w×h.
func (p *Processor) ResizeSize(w, h int) (rw, rh int) {
	if !p.DoResize {
		return w, h
	}
	if p.ShortestEdge == 0 {
		return p.Width, p.Height
	}
	// transformers' get_resize_output_image_size(default_to_square=False):
	// new_long = int(size * long / short) in Python floats.
	short, long := h, w
	if w <= h {
		short, long = w, h
	}
	newLong := int(float64(p.ShortestEdge*long) / float64(short))
	if w <= h {
		return p.ShortestEdge, newLong
	}
	return newLong, p.ShortestEdge
}

// OutputSize returns the width and height of the processed image for an
// input of w×h: the crop size when center cropping, else the resize size.
func (p *Processor) OutputSize(w, h int) (ow, oh int) {
	if p.DoCenterCrop {
		return p.CropWidth, p.CropHeight
	}
	return p.ResizeSize(w, h)
}

type procScratch struct {
	rs  resizer
	chw chwSink
}

func (p *Processor) getScratch() *procScratch {
	if s, ok := p.scratch.Get().(*procScratch); ok {
		return s
	}
	return &procScratch{}
}

// geometry says how a sw×sh source becomes the output: the resize size, the
// window of the resized image that is kept, where that window goes in the
// output (dx, dy) and whether the output has padding around it.
type geometry struct {
	rw, rh int
	win    image.Rectangle
	dx, dy int
	pad    bool
	filter Filter
}

func (p *Processor) geometry(sw, sh int) geometry {
	g := geometry{filter: p.Resample}
	g.rw, g.rh = p.ResizeSize(sw, sh)
	g.win = image.Rect(0, 0, g.rw, g.rh)
	if p.DoCenterCrop {
		// Per axis: crop from (r−c)//2 when the resized side is long
		// enough, otherwise place it at ceil((c−r)/2) in a zero canvas.
		sx, dx, nx := cropAxis(g.rw, p.CropWidth)
		sy, dy, ny := cropAxis(g.rh, p.CropHeight)
		g.win, g.dx, g.dy = image.Rect(sx, sy, sx+nx, sy+ny), dx, dy
		g.pad = nx < p.CropWidth || ny < p.CropHeight
	}
	if !p.DoResize {
		g.filter = Bicubic // unused: the sizes match and the pixels are copied
	}
	return g
}

// cropAxis returns, for a side of r pixels cropped or padded to c, the
// source offset, the destination offset and the length copied.
func cropAxis(r, c int) (src, dst, n int) {
	if r >= c {
		return (r - c) / 2, 0, c
	}
	return 0, (c - r + 1) / 2, r
}

// Prepare runs the geometric steps (RGB conversion, resize, center crop)
// and returns the 8-bit result, which is what transformers holds before
// rescaling. It returns an error for an empty image.
func (p *Processor) Prepare(img image.Image) (*RGB, error) {
	src := ToRGB(img)
	if src.W == 0 || src.H == 0 {
		return nil, fmt.Errorf("imageproc: %s: %w", p.Type, ErrEmptyImage)
	}
	ow, oh := p.OutputSize(src.W, src.H)
	out := NewRGB(ow, oh)
	g := p.geometry(src.W, src.H)
	var rs resizer
	rs.resize(rgbSource{src}, src.W, src.H, g.rw, g.rh, g.filter, g.win, rgbSink{out.Crop(image.Rect(g.dx, g.dy, ow, oh))})
	return out, nil
}

// Normalize writes the rescaled and normalized pixels of img into dst in
// CHW order (len(dst) must be 3·W·H).
func (p *Processor) Normalize(dst []float32, img *RGB) error {
	n := img.W * img.H
	if len(dst) != 3*n {
		return fmt.Errorf("imageproc: Normalize: destination holds %d floats, the %dx%d image needs %d", len(dst), img.W, img.H, 3*n)
	}
	s := &chwSink{p: p, dst: dst, w: img.W, h: img.H}
	var r, g, b [1024]uint8
	for y := range img.H {
		for x0 := 0; x0 < img.W; x0 += len(r) {
			n := min(len(r), img.W-x0)
			rgbSource{img}.row(y, x0, r[:n], g[:n], b[:n])
			s.dx = x0
			s.row(y, r[:n], g[:n], b[:n])
		}
	}
	return nil
}

// chwSink normalizes planar rows into a CHW float32 image of w×h, placing
// row y of the window at row dy+y, column dx.
type chwSink struct {
	p      *Processor
	dst    []float32
	w, h   int
	dx, dy int
}

func (s *chwSink) row(y int, r, g, b []uint8) {
	n := s.w * s.h
	o := (s.dy+y)*s.w + s.dx
	for c, in := range [3][]uint8{r, g, b} {
		lut := &s.p.lut[c]
		out := s.dst[c*n+o : c*n+o+len(in)]
		for i, v := range in {
			out[i] = lut[v]
		}
	}
}

// fillPadding sets every pixel of a CHW image to the normalized value of
// black, the padding transformers' center_crop adds.
func (p *Processor) fillPadding(dst []float32, n int) {
	for c := range 3 {
		v := p.lut[c][0]
		plane := dst[c*n : (c+1)*n]
		for i := range plane {
			plane[i] = v
		}
	}
}

// Process runs the whole processor and returns the pixel values of one
// image, CHW ([3, H, W] with W, H from OutputSize), as transformers'
// preprocess(...)["pixel_values"][0] holds them.
func (p *Processor) Process(img image.Image) ([]float32, error) {
	b := img.Bounds()
	ow, oh := p.OutputSize(b.Dx(), b.Dy())
	dst := make([]float32, 3*ow*oh)
	if err := p.ProcessInto(dst, img); err != nil {
		return nil, err
	}
	return dst, nil
}

// ProcessInto is Process writing into dst (3·W·H floats for the output size
// of img), for instance a slice of a batch; in steady state it does not
// allocate when img is an *RGB.
func (p *Processor) ProcessInto(dst []float32, img image.Image) error {
	src := ToRGB(img)
	if src.W == 0 || src.H == 0 {
		return fmt.Errorf("imageproc: %s: %w", p.Type, ErrEmptyImage)
	}
	return p.processSource(dst, rgbSource{src}, src.W, src.H)
}

func (p *Processor) processSource(dst []float32, src rowSource, sw, sh int) error {
	ow, oh := p.OutputSize(sw, sh)
	if len(dst) != 3*ow*oh {
		return fmt.Errorf("imageproc: %s: destination holds %d floats, a %dx%d output needs %d", p.Type, len(dst), ow, oh, 3*ow*oh)
	}
	g := p.geometry(sw, sh)
	if g.pad {
		p.fillPadding(dst, ow*oh)
	}
	s := p.getScratch()
	s.chw = chwSink{p: p, dst: dst, w: ow, h: oh, dx: g.dx, dy: g.dy}
	s.rs.resize(src, sw, sh, g.rw, g.rh, g.filter, g.win, &s.chw)
	s.chw = chwSink{}
	p.scratch.Put(s)
	return nil
}

// ProcessBytes decodes an encoded image (see DecodeNamed; name is used in
// errors) and processes it into dst. For a JPEG or lossy WebP without an
// EXIF rotation it converts YCbCr to RGB row by row inside the resize, never
// building the full RGB image; the result is identical to
// ProcessInto(dst, Decode(data)).
func (p *Processor) ProcessBytes(dst []float32, name string, data []byte) error {
	img, f, orientation, err := decodeRaw(name, data)
	if err != nil {
		return err
	}
	if src := yuvOf(img, f); src != nil && orientation == 1 {
		return p.processSource(dst, src, src.w, src.h)
	}
	rgb := ToRGB(img)
	if src := yuvOf(img, f); src != nil {
		rgb = NewRGB(src.w, src.h)
		src.toRGB(rgb)
	}
	return p.ProcessInto(dst, Orient(rgb, orientation))
}
