package chattemplate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every case of testdata/jinja_cases.json renders as Python Jinja renders it
// in transformers' chat-template environment, or fails where it fails. Each
// case names the engine behaviour it holds (white space control, number and
// None printing, tojson, filters, tests, the immutable sandbox); the cases
// are where the Go engine differed from Python before vlmtune's patches
// (third_party/jinja/PATCHES.md) and the behaviour templates rely on.
func TestEngineMatchesPythonJinja(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "jinja_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := ValueFromJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	vars, _ := root.AsDict().Get("vars")
	cases, _ := root.AsDict().Get("cases")
	for _, c := range cases.AsList().Items {
		field := func(k string) (string, bool) {
			v, ok := c.AsDict().Get(k)
			if !ok {
				return "", false
			}
			return v.AsString(), true
		}
		name, _ := field("name")
		source, _ := field("template")
		t.Run(name, func(t *testing.T) {
			got, err := renderSource(source, vars)
			if want, isErr := field("error"); isErr {
				if err == nil {
					t.Fatalf("%q renders %q; Python raises %s", source, got, want)
				}
				return
			}
			want, _ := field("rendered")
			if err != nil {
				t.Fatalf("%q: %v; Python renders %q", source, err, want)
			}
			if got != want {
				t.Errorf("%q\n got %q\nwant %q", source, got, want)
			}
		})
	}
}

var _ = strings.Contains
