package jpegdec

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that no input makes the decoder panic and that what it
// accepts has a size; the seeds are imageproc's test JPEGs.
func FuzzDecode(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "*.jpg"))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode(data)
		if err == nil {
			b := img.Bounds()
			if b.Dx() <= 0 || b.Dy() <= 0 {
				t.Fatalf("decoded an empty image %v", b)
			}
		}
	})
}
