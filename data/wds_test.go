package data

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"
)

type tarMember struct {
	name string
	data []byte
}

func tarBytes(t testing.TB, members []tarMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(m.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWebDataset(t *testing.T) {
	dir := t.TempDir()
	img := pngBytes(t, 5, 3)
	long := strings.Repeat("n", 200) // a long name exercises PAX headers
	writeFile(t, dir, "shard-000.tar", tarBytes(t, []tarMember{
		{"000.jpg", img},
		{"000.txt", []byte("a photo\n")},
		{"001.png", img},
		{"001.json", []byte(`{"caption": "from json", "source": "laion", "quality_score": 0.7, "url": "u"}`)},
		{"002.txt", []byte("no image here")},
		{"003.jpg", img},
		{"003.txt", []byte("bad \xff text")},
	}))
	writeFile(t, dir, "shard-001.tar", tarBytes(t, []tarMember{
		{"sub/" + long + ".webp", img},
		{"sub/" + long + ".json", []byte(`{"metadata": {"language": "de"}, "text": "hallo"}`)},
		{"005.jpg", img},
		{"005.json", []byte(`{"caption": `)},
		{"006.jpg", img},
		{"006.json", []byte(`{"caption": "x", "metadata": {"quality_score": "bad"}}`)},
		{"noext", []byte("x")},
		{"007.jpg", img},
		{"007.png", img},
	}))
	for _, lazy := range []bool{false, true} {
		exs, bad := readAllItems(t, []string{dir + "/shard-{000..001}.tar"}, Options{LazyImages: lazy})
		if len(exs) != 3 {
			t.Fatalf("lazy=%v: got %d examples, errors %v", lazy, len(exs), bad)
		}
		if exs[0].ID != "000" || exs[0].Captions[0] != "a photo" || exs[0].Origin.Member != "000.jpg" {
			t.Errorf("sample 000: %+v", exs[0])
		}
		if exs[1].Captions[0] != "from json" || exs[1].Meta.Source != "laion" || exs[1].Meta.QualityScore != 0.7 {
			t.Errorf("sample 001: %+v", exs[1])
		}
		if u, _ := exs[1].Meta.Field("url"); u != "u" {
			t.Errorf("url extra = %q", u)
		}
		if exs[2].ID != "sub/"+long || exs[2].Meta.Language != "de" || exs[2].Captions[0] != "hallo" {
			t.Errorf("sample with long name: %+v", exs[2])
		}
		for _, ex := range exs {
			b, err := ex.Image.Read()
			if err != nil || !bytes.Equal(b, img) {
				t.Errorf("lazy=%v %s: image bytes differ (%v)", lazy, ex.ID, err)
			}
			if lazy && ex.Image.Bytes != nil {
				t.Errorf("lazy image kept in memory")
			}
		}
		want := []struct {
			file, member, kind, msg string
		}{
			{"shard-000.tar", "002.txt", KindMissingImage, `sample "002" has no image member`},
			{"shard-000.tar", "003.txt", KindInvalidUTF8, "invalid UTF-8 at byte 5"},
			{"shard-001.tar", "005.json", KindMalformedJSON, "malformed JSON"},
			{"shard-001.tar", "006.json", KindBadMetadata, "quality_score"},
			{"shard-001.tar", "noext", KindBadRecord, "no key.extension form"},
			{"shard-001.tar", "007.png", KindBadRecord, "two images"},
		}
		if len(bad) != len(want) {
			t.Fatalf("errors: %v", bad)
		}
		for i, w := range want {
			if !strings.HasSuffix(bad[i].File, w.file) || bad[i].Member != w.member || bad[i].Kind != w.kind || !strings.Contains(bad[i].Msg, w.msg) {
				t.Errorf("error %d = %v, want %s[%s] %s %q", i, bad[i], w.file, w.member, w.kind, w.msg)
			}
		}
	}
}

func TestSplitKey(t *testing.T) {
	for _, c := range []struct{ name, key, ext string }{
		{"000123.jpg", "000123", "jpg"},
		{"dir/000123.seg.PNG", "dir/000123", "seg.png"},
		{"a.b/c.txt", "a.b/c", "txt"},
	} {
		k, e, ok := splitKey(c.name)
		if !ok || k != c.key || e != c.ext {
			t.Errorf("splitKey(%q) = %q, %q, %v", c.name, k, e, ok)
		}
	}
	for _, bad := range []string{"noext", ".hidden", "x."} {
		if _, _, ok := splitKey(bad); ok {
			t.Errorf("splitKey(%q) accepted", bad)
		}
	}
}
