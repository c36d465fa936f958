package data

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// hfImage is the struct Hugging Face datasets writes for an Image feature.
type hfImage struct {
	Bytes []byte  `parquet:"bytes,optional"`
	Path  *string `parquet:"path,optional"`
}

type hfRow struct {
	Image        hfImage  `parquet:"image"`
	Text         *string  `parquet:"text,optional"`
	Source       string   `parquet:"source"`
	QualityScore *float64 `parquet:"quality_score,optional"`
	Width        int64    `parquet:"width"`
}

type plainRow struct {
	Img     []byte `parquet:"img"`
	Caption string `parquet:"caption"`
	Lang    int32  `parquet:"language"`
}

func writeParquet[T any](t testing.TB, path string, rows []T, rowGroup int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f)
	for i := 0; i < len(rows); i += rowGroup {
		end := min(i+rowGroup, len(rows))
		if _, err := w.Write(rows[i:end]); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestParquetHFLayout(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "disk.png", pngBytes(t, 2, 2))
	str := func(s string) *string { return &s }
	q := func(f float64) *float64 { return &f }
	var rows []hfRow
	var imgs [][]byte
	for i := 0; i < 7; i++ {
		img := pngBytes(t, i+1, 2)
		imgs = append(imgs, img)
		rows = append(rows, hfRow{Image: hfImage{Bytes: img, Path: str("orig.png")}, Text: str(strings.Repeat("w ", i+1)), Source: "s", QualityScore: q(float64(i) / 10), Width: int64(i)})
	}
	rows[3].Text = nil                             // null text
	rows[4].Image = hfImage{Path: str("disk.png")} // path only: resolved against the root
	rows[5].Image = hfImage{}                      // neither bytes nor path
	rows[6].Text = str("bad \xff")                 // invalid UTF-8
	p := filepath.Join(dir, "train-00000.parquet")
	writeParquet(t, p, rows, 3) // three row groups: 3, 3, 1

	for _, lazy := range []bool{false, true} {
		exs, bad := readAllItems(t, []string{p}, Options{LazyImages: lazy})
		if len(exs) != 4 {
			t.Fatalf("lazy=%v: %d examples, errors %v", lazy, len(exs), bad)
		}
		for i, ex := range exs[:3] {
			if !ex.Origin.IsRow || ex.Origin.Row != int64(i) || ex.Captions[0] != *rows[i].Text {
				t.Errorf("row %d: %+v", i, ex)
			}
			b, err := ex.Image.Read()
			if err != nil || !bytes.Equal(b, imgs[i]) {
				t.Errorf("lazy=%v row %d: image differs (%v)", lazy, i, err)
			}
			if ex.Meta.Source != "s" || !ex.Meta.HasQuality || ex.Meta.QualityScore != float64(i)/10 {
				t.Errorf("row %d metadata %+v", i, ex.Meta)
			}
			if w, _ := ex.Meta.Field("width"); w != []string{"0", "1", "2"}[i] {
				t.Errorf("row %d width %q", i, w)
			}
		}
		if exs[3].Origin.Row != 4 || exs[3].Image.Path != filepath.Join(dir, "disk.png") {
			t.Errorf("path-only row: %+v", exs[3].Image)
		}
		want := []struct {
			row  int64
			kind string
			msg  string
		}{
			{3, KindBadRecord, `column "text" is null`},
			{5, KindMissingImage, "neither bytes nor a path"},
			{6, KindInvalidUTF8, `column "text"`},
		}
		if len(bad) != len(want) {
			t.Fatalf("errors %v", bad)
		}
		for i, w := range want {
			if bad[i].Row != w.row || !bad[i].IsRow || bad[i].Kind != w.kind || !strings.Contains(bad[i].Msg, w.msg) {
				t.Errorf("error %d = %v, want row %d %s %q", i, bad[i], w.row, w.kind, w.msg)
			}
		}
		if !strings.Contains(bad[0].Error(), "train-00000.parquet row 3") {
			t.Errorf("error text %q does not name the row", bad[0].Error())
		}
	}
}

func TestParquetPlainBinaryAndColumns(t *testing.T) {
	dir := t.TempDir()
	img := pngBytes(t, 3, 3)
	p := filepath.Join(dir, "x.parquet")
	writeParquet(t, p, []plainRow{{Img: img, Caption: "hello", Lang: 3}}, 10)
	r, err := Open(context.Background(), []string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err == nil || IsRecordError(err) || !strings.Contains(err.Error(), `no image column "image"`) || !strings.Contains(err.Error(), "--parquet-image-col") {
		t.Errorf("missing image column: %v", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after a file-level error the reader goes on to the next file; got %v", err)
	}
	_, bad := readAllItems(t, []string{p}, Options{Parquet: ParquetOptions{ImageColumn: "img"}})
	if len(bad) != 1 || bad[0].Kind != KindBadMetadata || !strings.Contains(bad[0].Msg, `column "language" must be a string, got INT32`) {
		t.Fatalf("errors %v", bad)
	}
	type okRow struct {
		Img []byte `parquet:"img"`
		Cap string `parquet:"cap"`
	}
	writeParquet(t, p, []okRow{{img, "hello"}}, 10)
	exs, bad := readAllItems(t, []string{p}, Options{Parquet: ParquetOptions{ImageColumn: "img", TextColumn: "cap"}})
	if len(exs) != 1 || len(bad) != 0 || exs[0].Captions[0] != "hello" || !bytes.Equal(exs[0].Image.Bytes, img) {
		t.Fatalf("plain binary column: %v %v", exs, bad)
	}
}
