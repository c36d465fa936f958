package imageproc

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"

	"github.com/vlmtune/vlmtune/imageproc/internal/jpegdec"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// Format names an encoded image format.
type Format string

// The formats Decode reads.
const (
	FormatJPEG Format = "JPEG"
	FormatPNG  Format = "PNG"
	FormatGIF  Format = "GIF"
	FormatBMP  Format = "BMP"
	FormatTIFF Format = "TIFF"
	FormatWebP Format = "WebP"
)

// MaxPixels is the largest image (width × height) Decode accepts: PIL's
// decompression-bomb error threshold (2 × Image.MAX_IMAGE_PIXELS).
const MaxPixels = 178956970

// Sentinel errors, wrapped by *DecodeError; test with errors.Is.
var (
	// ErrNotImage: the bytes are not an image in any format known here.
	ErrNotImage = errors.New("not an image")
	// ErrUnsupportedFormat: a recognised image format that vlmtune cannot
	// decode (HEIF/AVIF, JPEG 2000, ICO, PSD, SVG, ...).
	ErrUnsupportedFormat = errors.New("unsupported image format")
	// ErrEmptyImage: the image has zero width or height.
	ErrEmptyImage = errors.New("image has zero width or height")
	// ErrTooLarge: the image has more than MaxPixels pixels.
	ErrTooLarge = errors.New("image too large")
	// ErrCorrupt: the format was recognised but the data does not decode.
	ErrCorrupt = errors.New("corrupt image data")
)

// DecodeError describes why an image could not be decoded.
type DecodeError struct {
	// Name is the file (or archive member) name, when known.
	Name string
	// Format is the detected format, or a description of the unsupported
	// one; empty when nothing was recognised.
	Format Format
	// Err is one of the sentinel errors above, possibly wrapping the
	// decoder's own error.
	Err error
	// Detail says more (the decoder's message, the first bytes).
	Detail string
}

func (e *DecodeError) Error() string {
	name := e.Name
	if name == "" {
		name = "image data"
	}
	msg := "imageproc: " + name + ": "
	if e.Format != "" {
		msg += string(e.Format) + ": "
	}
	msg += e.Err.Error()
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

func (e *DecodeError) Unwrap() error { return e.Err }

const supportedList = "supported: JPEG, PNG, GIF, BMP, TIFF, WebP"

// Sniff detects the format of encoded image bytes from their signature.
// It returns a *DecodeError wrapping ErrUnsupportedFormat for known formats
// vlmtune cannot read and ErrNotImage for everything else.
func Sniff(data []byte) (Format, error) {
	has := func(off int, sig string) bool {
		return len(data) >= off+len(sig) && string(data[off:off+len(sig)]) == sig
	}
	switch {
	case has(0, "\xFF\xD8\xFF"):
		return FormatJPEG, nil
	case has(0, "\x89PNG\r\n\x1a\n"):
		return FormatPNG, nil
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return FormatGIF, nil
	case has(0, "BM") && len(data) >= 26:
		return FormatBMP, nil
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return FormatTIFF, nil
	case has(0, "RIFF") && has(8, "WEBP"):
		return FormatWebP, nil
	}
	unsupported := func(f string) (Format, error) {
		return "", &DecodeError{Format: Format(f), Err: ErrUnsupportedFormat,
			Detail: supportedList + "; convert the file to PNG or JPEG"}
	}
	switch {
	case has(4, "ftypavif"), has(4, "ftypavis"):
		return unsupported("AVIF")
	case has(4, "ftyphei"), has(4, "ftypmif1"), has(4, "ftypmsf1"), has(4, "ftypheix"):
		return unsupported("HEIF")
	case has(0, "\x00\x00\x00\x0cjP  \r\n\x87\n"), has(0, "\xFF\x4F\xFF\x51"):
		return unsupported("JPEG 2000")
	case has(0, "\x00\x00\x01\x00"):
		return unsupported("ICO")
	case has(0, "8BPS"):
		return unsupported("PSD")
	case has(0, "\xFF\x0A"), has(0, "\x00\x00\x00\x0cJXL "):
		return unsupported("JPEG XL")
	case has(0, "<svg"), has(0, "<?xml"):
		return unsupported("SVG/XML")
	case has(0, "qoif"):
		return unsupported("QOI")
	case has(0, "P1"), has(0, "P2"), has(0, "P3"), has(0, "P4"), has(0, "P5"), has(0, "P6"):
		if len(data) > 2 && (data[2] == '\n' || data[2] == ' ' || data[2] == '\r' || data[2] == '\t') {
			return unsupported("PNM")
		}
	}
	if len(data) == 0 {
		return "", &DecodeError{Err: ErrNotImage, Detail: "the data is empty"}
	}
	head := data[:min(len(data), 8)]
	return "", &DecodeError{Err: ErrNotImage, Detail: fmt.Sprintf("starts with %q; %s", head, supportedList)}
}

// Decode decodes an encoded image (format detected from its bytes),
// applies its EXIF orientation and converts it to RGB (see ToRGB), with the
// same pixels PIL's Image.open(...).convert("RGB") after
// ImageOps.exif_transpose gives (exactly for PNG, GIF, BMP, TIFF, WebP and
// grey or YCbCr JPEGs). A GIF gives its first frame's rectangle (PIL
// places a frame smaller than the logical screen on a canvas of the screen's
// size); an animated WebP is refused.
func Decode(data []byte) (*RGB, error) { return DecodeNamed("", data) }

// DecodeNamed is Decode with a name (file or archive member) for errors.
func DecodeNamed(name string, data []byte) (*RGB, error) {
	img, f, orientation, err := decodeRaw(name, data)
	if err != nil {
		return nil, err
	}
	var rgb *RGB
	if src := yuvOf(img, f); src != nil {
		rgb = NewRGB(src.w, src.h)
		src.toRGB(rgb)
	} else {
		rgb = ToRGB(img)
	}
	return Orient(rgb, orientation), nil
}

// yuvOf returns a converter for a decoded JPEG or lossy WebP (alpha, if
// any, is dropped), or nil for other images.
func yuvOf(img image.Image, f Format) *yuvSource {
	switch m := img.(type) {
	case *image.YCbCr:
		return newYUVSource(m, f == FormatWebP)
	case *image.NYCbCrA:
		return newYUVSource(&m.YCbCr, f == FormatWebP)
	}
	return nil
}

// decodeRaw detects the format, checks the size and decodes the image
// without converting it; it also returns the EXIF orientation.
func decodeRaw(name string, data []byte) (image.Image, Format, int, error) {
	f, err := Sniff(data)
	if err != nil {
		err.(*DecodeError).Name = name
		return nil, "", 0, err
	}
	fail := func(sentinel error, detail string) error {
		return &DecodeError{Name: name, Format: f, Err: sentinel, Detail: detail}
	}
	if f == FormatWebP && len(data) > 20 && string(data[12:16]) == "VP8X" && data[20]&0x02 != 0 {
		return nil, f, 0, fail(ErrUnsupportedFormat, "animated WebP; extract a frame (e.g. to PNG) first")
	}
	cfg, err := decodeConfig(f, data)
	if err != nil {
		return nil, f, 0, fail(classify(err), err.Error())
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, f, 0, fail(ErrEmptyImage, fmt.Sprintf("%dx%d", cfg.Width, cfg.Height))
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, f, 0, fail(ErrTooLarge, fmt.Sprintf("%dx%d is over %d pixels", cfg.Width, cfg.Height, MaxPixels))
	}
	img, err := decodeFormat(f, data)
	if err != nil {
		return nil, f, 0, fail(classify(err), err.Error())
	}
	if b := img.Bounds(); b.Empty() {
		return nil, f, 0, fail(ErrEmptyImage, fmt.Sprintf("%dx%d", b.Dx(), b.Dy()))
	}
	if m, ok := img.(*image.Paletted); ok && f == FormatGIF {
		restoreGIFTransparent(data, m)
	}
	return img, f, exifOrientation(data, f), nil
}

// DecodeReader reads all of r and decodes it like Decode.
func DecodeReader(r io.Reader) (*RGB, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("imageproc: reading image: %w", err)
	}
	return Decode(data)
}

// DecodeFile reads and decodes the image file at path; errors name the
// file.
func DecodeFile(path string) (*RGB, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("imageproc: %w", err)
	}
	return DecodeNamed(path, data)
}

// classify maps a decoder's error to ErrUnsupportedFormat (a valid file
// using a feature the Go decoders lack, such as CMYK TIFF or 12-bit JPEG)
// or ErrCorrupt.
func classify(err error) error {
	var tiffErr tiff.UnsupportedError
	var jpegErr jpeg.UnsupportedError
	var pngErr png.UnsupportedError
	if errors.As(err, &tiffErr) || errors.As(err, &jpegErr) || errors.As(err, &pngErr) || errors.Is(err, bmp.ErrUnsupported) {
		return ErrUnsupportedFormat
	}
	return ErrCorrupt
}

func decodeConfig(f Format, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch f {
	case FormatJPEG:
		return jpeg.DecodeConfig(r)
	case FormatPNG:
		return png.DecodeConfig(r)
	case FormatGIF:
		return gif.DecodeConfig(r)
	case FormatBMP:
		return bmp.DecodeConfig(r)
	case FormatTIFF:
		return tiff.DecodeConfig(r)
	case FormatWebP:
		return webp.DecodeConfig(r)
	}
	return image.Config{}, fmt.Errorf("no decoder for %s", f)
}

func decodeFormat(f Format, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch f {
	case FormatJPEG:
		// The exact decoder covers grey and YCbCr JPEGs; image/jpeg the rest
		// (and whatever the exact decoder rejects).
		if img, err := jpegdec.Decode(data); err == nil {
			return img, nil
		}
		return jpeg.Decode(r)
	case FormatPNG:
		return png.Decode(r)
	case FormatGIF:
		return gif.Decode(r)
	case FormatBMP:
		return bmp.Decode(r)
	case FormatTIFF:
		return tiff.Decode(r)
	case FormatWebP:
		return webp.Decode(r)
	}
	return nil, fmt.Errorf("no decoder for %s", f)
}
