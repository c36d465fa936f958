package imageproc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vlmtune/vlmtune/imageproc/internal/jpegdec"
)

// TestJPEGExactDecoderCoverage checks that the exact decoder takes every
// reference JPEG expected to match PIL exactly (the parity test compares
// their pixels through Decode).
func TestJPEGExactDecoderCoverage(t *testing.T) {
	ref := loadReference(t)
	handled := 0
	for _, c := range ref.Decode {
		if filepath.Ext(c.File) != ".jpg" {
			continue
		}
		if _, err := jpegdec.Decode(mustRead(t, c.File)); err == nil {
			handled++
		} else if c.Tol == 0 {
			t.Errorf("%s: exact decoder refused a file expected to match PIL exactly: %v", c.File, err)
		}
	}
	if handled < 10 {
		t.Errorf("the exact decoder handled %d reference JPEGs, want at least 10", handled)
	}
}

// FuzzDecode checks that no input makes Decode (format sniffing, EXIF
// parsing, the GIF palette fix-up, conversion) panic.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"*.png", "*.gif", "*.webp", "*.bmp", "*.tif"} {
		names, _ := filepath.Glob(filepath.Join("testdata", pattern))
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode(data)
		if err == nil && (img.W <= 0 || img.H <= 0 || len(img.Pix) < 3*img.W*img.H) {
			t.Fatalf("bad image %dx%d with %d bytes", img.W, img.H, len(img.Pix))
		}
		_ = exifOrientation(data, FormatJPEG)
		_ = exifOrientation(data, FormatPNG)
		_ = exifOrientation(data, FormatWebP)
		_ = exifOrientation(data, FormatTIFF)
	})
}
