package data

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExpandPattern(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  string
	}{
		{"a.tar", []string{"a.tar"}, ""},
		{"s-{000..002}.tar", []string{"s-000.tar", "s-001.tar", "s-002.tar"}, ""},
		{"s-{8..10}.tar", []string{"s-8.tar", "s-9.tar", "s-10.tar"}, ""},
		{"{a,b}/x-{0..1}.tar", []string{"a/x-0.tar", "a/x-1.tar", "b/x-0.tar", "b/x-1.tar"}, ""},
		{"s-{3..1}.tar", nil, "LOW <= HIGH"},
		{"s-{1..2.tar", nil, "without '}'"},
		{"s-}.tar", nil, "without '{'"},
	}
	for _, c := range cases {
		got, err := ExpandPattern(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestSniff(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name    string
		content string
		want    Format
		err     string
	}{
		{"a.jsonl", "", FormatJSONL, ""},
		{"a.json", "  \n[{}]", FormatJSONArray, ""},
		{"b.json", "{\"a\":1}\n{\"a\":2}", FormatJSONL, ""},
		{"c.json", "hello", "", "must start with '['"},
		{"a.csv", "x", FormatCSV, ""},
		{"a.tsv", "x", FormatTSV, ""},
		{"a.tar", "x", FormatWebDataset, ""},
		{"a.parquet", "x", FormatParquet, ""},
		{"noext", "PAR1xxxx", FormatParquet, ""},
		{"noext2", "[]", FormatJSONArray, ""},
		{"noext3", "a,b\n", "", "cannot tell the format"},
	}
	for _, c := range cases {
		p := writeFile(t, dir, c.name, []byte(c.content))
		got, err := Sniff(p)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	tarFile := writeFile(t, dir, "shard", tarBytes(t, []tarMember{{"0.txt", []byte("x")}}))
	if f, err := Sniff(tarFile); err != nil || f != FormatWebDataset {
		t.Errorf("tar without extension = %q, %v", f, err)
	}
}

func TestResolvePath(t *testing.T) {
	root := t.TempDir()
	cases := []struct {
		name string
		want string
		err  string
	}{
		{"a.jpg", filepath.Join(root, "a.jpg"), ""},
		{"sub/../b.jpg", filepath.Join(root, "b.jpg"), ""},
		{filepath.Join(root, "c.jpg"), filepath.Join(root, "c.jpg"), ""},
		{"../a.jpg", "", "escapes"},
		{"sub/../../a.jpg", "", "escapes"},
		{"/etc/passwd", "", "escapes"},
		{"", "", "empty"},
		{".", "", "root itself"},
	}
	for _, c := range cases {
		got, err := ResolvePath(root, c.name)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": FormatAuto, "auto": FormatAuto, "JSONL": FormatJSONL, "tar": FormatWebDataset, "parquet": FormatParquet} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("xml accepted")
	}
}
