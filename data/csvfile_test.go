package data

import (
	"os"
	"strings"
	"testing"
)

func TestCSVAndTSV(t *testing.T) {
	dir := t.TempDir()
	csvText := "id,filepath,title,source,quality_score,width\n" +
		"1,a.png,a cat,web,0.5,640\n" +
		"2,b.png,\"a dog,\nsleeping\",book,0.9,\n" +
		"3,c.png,too,many,0.1,1,extra\n" +
		"4,d.png,bad score,web,high,1\n" +
		"5,e.png,caf\xe9,web,0.2,1\n" +
		"6,../x.png,escape,web,0.2,1\n" +
		"7,\"f\"g.png,quote,web,0.2,1\n" +
		"8,h.png,last,web,0.3,2\n"
	p := writeFile(t, dir, "d.csv", []byte(csvText))
	exs, bad := readAllItems(t, []string{p}, Options{KeepRaw: true})
	if len(exs) != 3 {
		t.Fatalf("got %d examples: %v; errors %v", len(exs), exs, bad)
	}
	if exs[0].ID != "1" || exs[0].Captions[0] != "a cat" || exs[0].Meta.Source != "web" || exs[0].Meta.QualityScore != 0.5 {
		t.Errorf("row 1: %+v", exs[0])
	}
	if w, _ := exs[0].Meta.Field("width"); w != "640" {
		t.Errorf("width extra = %q", w)
	}
	if exs[1].Captions[0] != "a dog,\nsleeping" || exs[1].Origin.Line != 3 {
		t.Errorf("row 2: %q at line %d", exs[1].Captions[0], exs[1].Origin.Line)
	}
	if string(exs[1].Raw) != "2,b.png,\"a dog,\nsleeping\",book,0.9,\n" {
		t.Errorf("raw row 2 = %q", exs[1].Raw)
	}
	if exs[2].Origin.Line != 10 || string(exs[2].Raw) != "8,h.png,last,web,0.3,2\n" {
		t.Errorf("last row at line %d raw %q", exs[2].Origin.Line, exs[2].Raw)
	}
	want := []struct {
		line int
		kind string
		msg  string
	}{
		{5, KindBadRecord, "record has 7 fields, the header has 6"},
		{6, KindBadMetadata, `column "quality_score" must be a number, got "high"`},
		{7, KindInvalidUTF8, `invalid UTF-8 at byte 4 of column "title"`},
		{8, KindBadPath, "escapes the image root"},
		{9, KindBadRecord, "malformed CSV record"},
	}
	if len(bad) != len(want) {
		t.Fatalf("errors: %v", bad)
	}
	for i, w := range want {
		if bad[i].Line != w.line || bad[i].Kind != w.kind || !strings.Contains(bad[i].Msg, w.msg) {
			t.Errorf("error %d = %v, want line %d %s %q", i, bad[i], w.line, w.kind, w.msg)
		}
	}

	tsv := writeFile(t, dir, "d.tsv", []byte("img\tcap\nx.png\thello, world\n"))
	exs, bad = readAllItems(t, []string{tsv}, Options{CSV: CSVOptions{ImageKey: "img", CaptionKey: "cap"}})
	if len(exs) != 1 || len(bad) != 0 || exs[0].Captions[0] != "hello, world" {
		t.Fatalf("tsv: %v %v", exs, bad)
	}
	if _, err := openCSV(tsv, dir, '\t', &Options{}); err == nil || !strings.Contains(err.Error(), "--csv-img-key") {
		t.Errorf("missing column error = %v", err)
	}
	if _, err := openCSV(tsv, dir, '\t', &Options{CSV: CSVOptions{ImageKey: "img", CaptionKey: "nope"}}); err == nil || !strings.Contains(err.Error(), `no caption column "nope"`) {
		t.Errorf("missing caption column error = %v", err)
	}
	empty := writeFile(t, dir, "e.csv", nil)
	if _, err := openCSV(empty, dir, ',', &Options{}); err == nil {
		t.Error("empty CSV: no error")
	}
	_ = os.Remove(empty)
}
