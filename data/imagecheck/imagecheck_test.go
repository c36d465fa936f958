package imagecheck

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/vlmtune/vlmtune/data"
)

func encode(t *testing.T, enc func(*bytes.Buffer, image.Image) error, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.NRGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := enc(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFormatsAndErrors(t *testing.T) {
	pngB := encode(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }, 7, 5)
	bmpB := encode(t, func(b *bytes.Buffer, m image.Image) error { return bmp.Encode(b, m) }, 3, 2)
	tifB := encode(t, func(b *bytes.Buffer, m image.Image) error { return tiff.Encode(b, m, nil) }, 4, 9)
	dir := t.TempDir()
	cases := []struct {
		name   string
		bytes  []byte
		decode bool
		want   Info
		kind   string
	}{
		{"a.png", pngB, false, Info{7, 5, "png"}, ""},
		{"a.bmp", bmpB, true, Info{3, 2, "bmp"}, ""},
		{"a.tif", tifB, true, Info{4, 9, "tiff"}, ""},
		{"cut.png", pngB[:len(pngB)-20], false, Info{7, 5, "png"}, ""},
		{"cut2.png", pngB[:len(pngB)-20], true, Info{}, data.KindUndecodable},
		{"junk.jpg", []byte("junk"), false, Info{}, data.KindUndecodable},
		{"empty.png", []byte{}, false, Info{}, data.KindUndecodable},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, c.bytes, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, ref := range []*data.ImageRef{{Name: c.name, Path: p}, {Name: c.name, Bytes: c.bytes}} {
			if len(c.bytes) == 0 && ref.Bytes != nil {
				continue // an empty in-memory image is "not in memory"
			}
			info, err := New(c.decode, 0).Check(ref)
			if c.kind == "" {
				if err != nil || info != c.want {
					t.Errorf("%s (file=%v): %+v, %v; want %+v", c.name, ref.IsFile(), info, err, c.want)
				}
				continue
			}
			if ie, ok := err.(*Error); !ok || ie.Kind != c.kind {
				t.Errorf("%s (file=%v): error %v, want kind %s", c.name, ref.IsFile(), err, c.kind)
			}
		}
	}
	_, err := New(false, 0).Check(&data.ImageRef{Name: "nope.png", Path: filepath.Join(dir, "nope.png")})
	if ie, ok := err.(*Error); !ok || ie.Kind != data.KindMissingImage {
		t.Errorf("missing file: %v", err)
	}
}

func TestCacheEviction(t *testing.T) {
	dir := t.TempDir()
	pngB := encode(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }, 2, 2)
	c := New(false, 2)
	var refs []*data.ImageRef
	for _, n := range []string{"a.png", "b.png", "c.png"} {
		p := filepath.Join(dir, n)
		os.WriteFile(p, pngB, 0o644)
		refs = append(refs, &data.ImageRef{Name: n, Path: p})
		if _, err := c.Check(refs[len(refs)-1]); err != nil {
			t.Fatal(err)
		}
	}
	if c.lru.Len() != 2 || c.byKey[refs[0].Path] != nil {
		t.Fatalf("cache holds %d entries; oldest evicted: %v", c.lru.Len(), c.byKey[refs[0].Path] == nil)
	}
	// A cached result is served without touching the file.
	os.Remove(refs[2].Path)
	if _, err := c.Check(refs[2]); err != nil {
		t.Errorf("cached result not used: %v", err)
	}
	if _, err := c.Check(refs[0]); err != nil {
		t.Errorf("evicted entry re-checked: %v", err)
	}
}
