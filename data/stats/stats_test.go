package stats

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/data"
)

type runeCounter struct{}

func (runeCounter) CountTokens(s string) int { return len([]rune(s)) }
func (runeCounter) MaxTokens() int           { return 0 }

func TestCompute(t *testing.T) {
	dir := t.TempDir()
	for _, sz := range [][2]int{{10, 20}, {300, 100}, {3000, 5}} {
		var buf bytes.Buffer
		png.Encode(&buf, image.NewGray(image.Rect(0, 0, sz[0], sz[1])))
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%dx%d.png", sz[0], sz[1])), buf.Bytes(), 0o644)
	}
	var lines []string
	// 100 pairs: caption i has i words (1..100); sources a (60) and b (40);
	// languages en (every 2nd) / none; quality i/100 for i < 90, missing after.
	for i := 1; i <= 100; i++ {
		src := "a"
		if i > 60 {
			src = "b"
		}
		lang := ""
		if i%2 == 0 {
			lang = `, "language": "en"`
		}
		q := ""
		if i < 90 {
			q = fmt.Sprintf(`, "quality_score": %g`, float64(i)/100)
		}
		img := []string{"10x20.png", "300x100.png", "3000x5.png", "missing.png"}[i%4]
		lines = append(lines, fmt.Sprintf(`{"image_path": %q, "caption": %q, "metadata": {"source": %q%s%s}}`, img, strings.TrimSpace(strings.Repeat("w ", i)), src, lang, q))
	}
	lines = append(lines, `{"broken`)
	lines = append(lines, `{"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello there"}]}`)
	p := filepath.Join(dir, "d.jsonl")
	os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644)

	s, err := Compute(context.Background(), []string{p}, data.Options{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Records != 102 || s.BadRecords != 1 || s.Pairs != 100 || s.Conversations != 1 || s.WithImage != 100 || s.Captions != 100 {
		t.Errorf("counts %+v", s)
	}
	if !reflect.DeepEqual(s.BySource, map[string]int{"a": 60, "b": 40, None: 1}) || !reflect.DeepEqual(s.ByLanguage, map[string]int{"en": 50, None: 51}) {
		t.Errorf("by source %v, by language %v", s.BySource, s.ByLanguage)
	}
	// Scores 0.01..0.89: bin 0 has 0.01..0.09 (9), bins 1..7 have 10 each,
	// bin 8 has 0.80..0.89 (10), bin 9 none.
	if want := []int{9, 10, 10, 10, 10, 10, 10, 10, 10, 0}; !reflect.DeepEqual(s.Quality.Counts, want) || s.Quality.Missing != 12 || s.Quality.N != 89 {
		t.Errorf("quality %+v, want counts %v", s.Quality, want)
	}
	// Word counts 1..100 and 3 for the conversation ("hi\nhello there"):
	// nearest-rank percentiles over 101 values.
	cl := s.CaptionLength
	if cl.Unit != "words" || cl.N != 101 || cl.Min != 1 || cl.Max != 100 || cl.P50 != 50 || cl.P5 != 5 || cl.P95 != 95 || cl.P99 != 99 {
		t.Errorf("caption lengths %+v", cl)
	}
	// Images: i%4 = 1 → 300x100 (25), 2 → 3000x5 (25), 3 → missing (25), 0 → 10x20 (25).
	if s.ImageErrors != 25 || !reflect.DeepEqual(s.ImageMaxSide, map[string]int{"<=64": 25, "<=384": 25, ">2048": 25}) || s.ImageFormats["png"] != 75 {
		t.Errorf("images: errors %d, max side %v, formats %v", s.ImageErrors, s.ImageMaxSide, s.ImageFormats)
	}
	if s.ImageWidth.Min != 10 || s.ImageWidth.Max != 3000 || s.ImageWidth.P50 != 300 || s.ImageHeight.P50 != 20 {
		t.Errorf("widths %+v heights %+v", s.ImageWidth, s.ImageHeight)
	}

	s, err = Compute(context.Background(), []string{p}, data.Options{}, Options{Tokens: runeCounter{}, SkipImages: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.CaptionLength.Unit != "tokens" || s.CaptionLength.Min != 1 || s.CaptionLength.Max != 199 || s.ImageWidth.N != 0 {
		t.Errorf("token lengths %+v, widths %+v", s.CaptionLength, s.ImageWidth)
	}
}

func TestHistogramEdges(t *testing.T) {
	h := newQualityHistogram()
	for _, v := range []float64{0, 0.1, 0.3, 0.7, 0.9999, 1, -0.5, 1.5} {
		h.add(v)
	}
	if want := []int{1, 1, 0, 1, 0, 0, 0, 1, 0, 2}; !reflect.DeepEqual(h.Counts, want) || h.Below != 1 || h.Above != 1 {
		t.Errorf("counts %v below %d above %d; want %v", h.Counts, h.Below, h.Above, want)
	}
}

func TestBucketName(t *testing.T) {
	for side, want := range map[int]string{1: "<=64", 64: "<=64", 65: "<=128", 224: "<=224", 2048: "<=2048", 2049: ">2048"} {
		if got := BucketName(side); got != want {
			t.Errorf("BucketName(%d) = %q, want %q", side, got, want)
		}
	}
	if len(BucketNames()) != len(SizeBuckets)+1 {
		t.Error("bucket names")
	}
}
