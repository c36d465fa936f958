package data

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestJSONLPairs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "img/a.png", pngBytes(t, 4, 4))
	lines := []string{
		`{"image_path": "img/a.png", "caption": "a cat", "metadata": {"source": "web", "quality_score": 0.95, "language": "en", "url": "http://x"}}`,
		``,
		`{"id": 7, "image_path": "img/a.png", "captions": ["one", "two"]}`,
		`{"image_path": "img/a.png", "caption": "x" "y"}`,
		`{"image_path": "img/a.png", "caption": "caf` + "\xff" + `"}`,
		`{"image_path": "img/a.png", "caption": "ok", "metadata": {"quality_score": "high"}}`,
		`{"image_path": "img/a.png", "caption": "ok", "metadata": {"source": 3}}`,
		`{"image_path": "img/a.png", "caption": "ok", "metadata": ["en"]}`,
		`{"image_path": "../../etc/passwd", "caption": "ok"}`,
		`{"caption": "no image"}`,
		`{"image_path": "img/a.png"}`,
		`[1, 2]`,
		`{"image_path": 5, "caption": "ok"}`,
		`{"image_path": "img/a.png", "caption": ["not", "a", "string"]}`,
		`{"image_path": "img/a.png", "caption": "last"}`,
	}
	p := writeFile(t, dir, "d.jsonl", []byte(strings.Join(lines, "\n")))
	exs, bad := readAllItems(t, []string{p}, Options{})
	if len(exs) != 3 {
		t.Fatalf("got %d examples, want 3", len(exs))
	}
	e := exs[0]
	if e.Captions[0] != "a cat" || e.Meta.Source != "web" || !e.Meta.HasQuality || e.Meta.QualityScore != 0.95 || e.Meta.Language != "en" {
		t.Errorf("first example parsed wrong: %+v", e)
	}
	if v, ok := e.Meta.Field("url"); !ok || v != "http://x" {
		t.Errorf("extra metadata url = %q, %v", v, ok)
	}
	if e.Image.Path != filepath.Join(dir, "img/a.png") || e.Origin.Line != 1 {
		t.Errorf("image path %q line %d", e.Image.Path, e.Origin.Line)
	}
	if exs[1].ID != "7" || len(exs[1].Captions) != 2 || exs[1].Origin.Line != 3 || exs[1].Index != 1 {
		t.Errorf("second example: %+v", exs[1])
	}
	if exs[2].Origin.Line != 15 || exs[2].Index != 13 {
		t.Errorf("last example at line %d index %d, want 15, 13", exs[2].Origin.Line, exs[2].Index)
	}
	want := []struct {
		line int
		kind string
		msg  string
	}{
		{4, KindMalformedJSON, "invalid character '\"' after object key:value pair at column 44"},
		{5, KindInvalidUTF8, "invalid UTF-8 at byte 44"},
		{6, KindBadMetadata, `"metadata.quality_score" must be a number, got string "high"`},
		{7, KindBadMetadata, `"metadata.source" must be a string, got number 3`},
		{8, KindBadMetadata, `"metadata" must be an object, got array`},
		{9, KindBadPath, `escapes the image root`},
		{10, KindBadRecord, `no "image_path" field`},
		{11, KindBadRecord, `no "caption" or "captions" field`},
		{12, KindBadRecord, `record is a JSON array, not an object`},
		{13, KindBadRecord, `"image_path" must be a string, got number 5`},
		{14, KindBadRecord, `"caption" must be a string, got array`},
	}
	if len(bad) != len(want) {
		for _, b := range bad {
			t.Log(b)
		}
		t.Fatalf("got %d record errors, want %d", len(bad), len(want))
	}
	for i, w := range want {
		b := bad[i]
		if b.Line != w.line || b.Kind != w.kind || !strings.Contains(b.Msg, w.msg) || b.File != p {
			t.Errorf("error %d = %v; want line %d kind %s containing %q", i, b, w.line, w.kind, w.msg)
		}
	}
}

func TestJSONArrayLinesAndBreak(t *testing.T) {
	dir := t.TempDir()
	content := "[\n" +
		"  {\"image_path\": \"a.png\", \"caption\": \"first\"},\n" +
		"  {\n    \"image_path\": \"a.png\",\n    \"caption\": \"second\"\n  },\n" +
		"  {\"image_path\": \"a.png\", \"caption\": \"bad\xfe\"},\n" +
		"  {\"image_path\": \"a.png\" \"caption\": \"broken\"},\n" +
		"  {\"image_path\": \"a.png\", \"caption\": \"never read\"}\n]\n"
	p := writeFile(t, dir, "d.json", []byte(content))
	exs, bad := readAllItems(t, []string{p}, Options{KeepRaw: true})
	if len(exs) != 2 || exs[0].Origin.Line != 2 || exs[1].Origin.Line != 3 || exs[1].Captions[0] != "second" {
		t.Fatalf("examples: %d, lines %v", len(exs), exs)
	}
	if !strings.HasPrefix(string(exs[1].Raw), "{\n    \"image_path\"") {
		t.Errorf("raw element = %q", exs[1].Raw)
	}
	if len(bad) != 2 {
		t.Fatalf("got %d errors: %v", len(bad), bad)
	}
	if bad[0].Line != 7 || bad[0].Kind != KindInvalidUTF8 {
		t.Errorf("error 0 = %v, want invalid UTF-8 at line 7", bad[0])
	}
	if bad[1].Line != 8 || bad[1].Kind != KindMalformedJSON || !strings.Contains(bad[1].Msg, "column 26") || !strings.Contains(bad[1].Msg, "rest of the array") {
		t.Errorf("error 1 = %v, want malformed JSON at line 8 column 26", bad[1])
	}
}

func TestLLaVAConversations(t *testing.T) {
	dir := t.TempDir()
	content := `[
{"id": "a", "image": "x.png", "conversations": [{"from": "human", "value": "<image>\nWhat is it?"}, {"from": "gpt", "value": "A cat."}, {"from": "human", "value": "Color?"}, {"from": "gpt", "value": "Black."}]},
{"id": "b", "conversations": [{"from": "human", "value": "Hello"}, {"from": "gpt", "value": "Hi"}]},
{"id": "c", "image": ["x.png", "y.png"], "conversations": []},
{"id": "d", "conversations": [{"from": "human", "value": 3}]},
{"id": "e", "conversations": "hi"}
]`
	p := writeFile(t, dir, "llava.json", []byte(content))
	exs, bad := readAllItems(t, []string{p}, Options{})
	if len(exs) != 2 {
		t.Fatalf("got %d examples", len(exs))
	}
	if exs[0].Kind != Conversation || exs[0].Image == nil || len(exs[0].Turns) != 4 || exs[0].Turns[3].Value != "Black." {
		t.Errorf("multi-turn example: %+v", exs[0])
	}
	if exs[1].Image != nil || exs[1].ID != "b" {
		t.Errorf("text-only example: %+v", exs[1])
	}
	want := []struct {
		line int
		msg  string
	}{
		{4, `field "image" must be a string, got array`},
		{5, `field "conversations[0].value" must be a string, got number`},
		{6, `field "conversations" must be an array`},
	}
	if len(bad) != len(want) {
		t.Fatalf("errors: %v", bad)
	}
	for i, w := range want {
		if bad[i].Line != w.line || !strings.Contains(bad[i].Msg, w.msg) {
			t.Errorf("error %d = %v, want line %d %q", i, bad[i], w.line, w.msg)
		}
	}
}

func TestJSONLLongLine(t *testing.T) {
	dir := t.TempDir()
	long := `{"image_path": "a.png", "caption": "` + strings.Repeat("x", 5000) + `"}`
	p := writeFile(t, dir, "d.jsonl", []byte(long+"\n"+`{"image_path": "a.png", "caption": "ok"}`+"\r\n"))
	exs, bad := readAllItems(t, []string{p}, Options{MaxRecordBytes: 1000})
	if len(exs) != 1 || exs[0].Origin.Line != 2 || exs[0].Captions[0] != "ok" {
		t.Fatalf("examples %v", exs)
	}
	if len(bad) != 1 || bad[0].Line != 1 || !strings.Contains(bad[0].Msg, "longer than 1000 bytes") {
		t.Fatalf("errors %v", bad)
	}
	// Without the limit, the long line reads through bufio's buffer growth.
	exs, bad = readAllItems(t, []string{p}, Options{})
	if len(exs) != 2 || len(bad) != 0 || len(exs[0].Captions[0]) != 5000 {
		t.Fatalf("got %d examples, %v", len(exs), bad)
	}
}
