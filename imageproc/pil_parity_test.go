package imageproc

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pilReference is testdata/pil_reference.json, written by
// testdata/gen_pil.py with Debian's Pillow 9.4: every expected image in
// these tests is what PIL itself produced.
type pilReference struct {
	Pillow string `json:"pillow"`
	Resize []struct {
		Src, Want string
		W, H      int
		Filter    int
	} `json:"resize"`
	Prep []struct {
		Src, Kind, Want string
		ShortestEdge    int `json:"shortest_edge"`
		Height, Width   int
		CropHeight      int `json:"crop_height"`
		CropWidth       int `json:"crop_width"`
	} `json:"prep"`
	Decode []struct {
		File, Want string
		Tol        int
	} `json:"decode"`
	Exif []struct {
		File, Want  string
		Orientation int
		Tol         int
	} `json:"exif"`
}

func loadReference(t *testing.T) *pilReference {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "pil_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref pilReference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	return &ref
}

func mustDecodeFile(t *testing.T, name string) *RGB {
	t.Helper()
	img, err := DecodeFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// maxAbsDiff returns the largest per-channel difference between two images
// of the same size, or an error when the sizes differ.
func maxAbsDiff(a, b *RGB) (int, error) {
	if a.W != b.W || a.H != b.H {
		return 0, fmt.Errorf("size %dx%d, want %dx%d", a.W, a.H, b.W, b.H)
	}
	m := 0
	for y := range a.H {
		ra, rb := a.Row(y), b.Row(y)
		for i := range ra {
			m = max(m, abs(int(ra[i])-int(rb[i])))
		}
	}
	return m, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestResizeMatchesPIL(t *testing.T) {
	ref := loadReference(t)
	if len(ref.Resize) == 0 {
		t.Fatal("no resize cases in the reference")
	}
	for _, c := range ref.Resize {
		t.Run(c.Want, func(t *testing.T) {
			src := mustDecodeFile(t, c.Src)
			want := mustDecodeFile(t, c.Want)
			got := Resize(src, c.W, c.H, Filter(c.Filter))
			d, err := maxAbsDiff(got, want)
			if err != nil {
				t.Fatal(err)
			}
			if d != 0 {
				t.Errorf("Resize(%s, %dx%d, %v): max abs difference from PIL %s = %d, want 0", c.Src, c.W, c.H, Filter(c.Filter), ref.Pillow, d)
			}
		})
	}
}

func TestPrepareMatchesTransformersOnPIL(t *testing.T) {
	ref := loadReference(t)
	for _, c := range ref.Prep {
		t.Run(c.Want, func(t *testing.T) {
			var p *Processor
			var err error
			switch c.Kind {
			case "clip":
				cfg := fmt.Sprintf(`{"image_processor_type":"CLIPImageProcessor","size":{"shortest_edge":%d},"crop_size":{"height":%d,"width":%d}}`, c.ShortestEdge, c.CropHeight, c.CropWidth)
				p, err = ParseProcessor([]byte(cfg))
			case "siglip":
				cfg := fmt.Sprintf(`{"image_processor_type":"SiglipImageProcessor","size":{"height":%d,"width":%d}}`, c.Height, c.Width)
				p, err = ParseProcessor([]byte(cfg))
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Prepare(mustDecodeFile(t, c.Src))
			if err != nil {
				t.Fatal(err)
			}
			d, err := maxAbsDiff(got, mustDecodeFile(t, c.Want))
			if err != nil {
				t.Fatal(err)
			}
			if d != 0 {
				t.Errorf("max abs difference from transformers' steps on PIL = %d, want 0", d)
			}
		})
	}
}

func TestDecodeMatchesPIL(t *testing.T) {
	ref := loadReference(t)
	for _, c := range ref.Decode {
		t.Run(c.File, func(t *testing.T) {
			got := mustDecodeFile(t, c.File)
			d, err := maxAbsDiff(got, mustDecodeFile(t, c.Want))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: max abs difference from PIL = %d", c.File, d)
			if d > c.Tol {
				t.Errorf("%s: max abs difference from PIL = %d, tolerance %d", c.File, d, c.Tol)
			}
		})
	}
}

func TestEXIFOrientationMatchesPIL(t *testing.T) {
	ref := loadReference(t)
	for _, c := range ref.Exif {
		t.Run(c.File, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", c.File))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Sniff(data)
			if err != nil {
				t.Fatal(err)
			}
			if o := exifOrientation(data, f); o != c.Orientation {
				t.Errorf("orientation %d, want %d", o, c.Orientation)
			}
			got := mustDecodeFile(t, c.File)
			d, err := maxAbsDiff(got, mustDecodeFile(t, c.Want))
			if err != nil {
				t.Fatal(err)
			}
			if d > c.Tol {
				t.Errorf("max abs difference from PIL's exif_transpose = %d, tolerance %d", d, c.Tol)
			}
		})
	}
}

func TestGray16KeepsHighByte(t *testing.T) {
	// PIL opens 16-bit grayscale as 32-bit integers and clips to 255;
	// vlmtune keeps the high byte (documented on ToRGB).
	img := mustDecodeFile(t, "dec_gray16.png")
	for i := range 64 {
		want := uint8((i * 1000) >> 8)
		if got := img.Pix[3*i]; got != want || img.Pix[3*i+1] != want || img.Pix[3*i+2] != want {
			t.Fatalf("pixel %d = %d, want %d", i, got, want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	png1x1, err := os.ReadFile(filepath.Join("testdata", "src_a.png"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"text", []byte("hello world, not a picture"), ErrNotImage, `starts with "hello wo"`},
		{"empty", nil, ErrNotImage, "empty"},
		{"heic", append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 20)...), ErrUnsupportedFormat, "HEIF"},
		{"avif", append([]byte("\x00\x00\x00\x18ftypavif"), make([]byte, 20)...), ErrUnsupportedFormat, "AVIF"},
		{"svg", []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), ErrUnsupportedFormat, "SVG"},
		{"truncated png", png1x1[:60], ErrCorrupt, "PNG"},
		{"zero-size gif", []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00;"), ErrEmptyImage, "0x0"},
		{"cmyk tiff", mustRead(t, "unsupported_cmyk.tif"), ErrUnsupportedFormat, "TIFF"},
		{"arithmetic jpeg", mustRead(t, "unsupported_arith.jpg"), ErrUnsupportedFormat, "JPEG"},
		{"truncated jpeg", mustRead(t, "dec_420.jpg")[:300], ErrCorrupt, "JPEG"},
		{"animated webp", []byte("RIFF\x30\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02\x00\x00\x00\x0f\x00\x00\x0f\x00\x00"), ErrUnsupportedFormat, "animated WebP"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeNamed("dir/"+c.name+".bin", c.data)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, "dir/"+c.name+".bin") || !strings.Contains(msg, c.text) {
				t.Errorf("error %q should name the file and mention %q", msg, c.text)
			}
		})
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
