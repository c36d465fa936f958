package textaug

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func load(t *testing.T, name string) *Thesaurus {
	t.Helper()
	th, err := LoadThesaurus(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func TestThesaurusFormats(t *testing.T) {
	cases := []struct {
		file, word string
		want       []string
	}{
		{"thesaurus.txt", "big", []string{"large", "huge"}},
		{"thesaurus.txt", "HUGE", []string{"big", "large"}},
		{"thesaurus.txt", "little", []string{"small", "tiny"}},
		{"thesaurus.txt", "motor  car", []string{"car", "automobile"}},
		{"thesaurus.txt", "dog", nil},
		{"thesaurus.json", "photo", []string{"picture", "snapshot"}},
		{"thesaurus.json", "picture", nil}, // object form is one-directional
		{"thesaurus.json", "ice cream", []string{"gelato"}},
		{"groups.json", "form", []string{"shape", "figure"}},
	}
	for _, c := range cases {
		got := load(t, c.file).Synonyms(c.word)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: Synonyms(%q) = %q, want %q", c.file, c.word, got, c.want)
		}
	}
	if n := load(t, "thesaurus.txt").Len(); n != 11 {
		t.Errorf("Len = %d, want 11", n)
	}
}

func TestThesaurusErrors(t *testing.T) {
	cases := []struct{ file, want string }{
		{"bad_single.txt", "bad_single.txt:2: \"lonely\" has one entry"},
		{"bad_empty.txt", "bad_empty.txt:1: empty entry"},
		{"missing.txt", "no such file"},
	}
	for _, c := range cases {
		_, err := LoadThesaurus(filepath.Join("testdata", c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.file, err, c.want)
		}
	}
	if _, err := ParseThesaurusJSON([]byte(`{"a": 3}`), "x.json"); err == nil || !strings.Contains(err.Error(), "x.json") {
		t.Errorf("bad JSON: %v", err)
	}
}

func TestTemplate(t *testing.T) {
	meta := map[string]any{"color": "red", "item_type": "circle", "count": 3.0, "score": 0.25, "ok": true}
	cases := []struct{ src, want, err string }{
		{"This {color} {item_type} ...", "This red circle ...", ""},
		{"{count} {item_type}s, score {score}, {ok}", "3 circles, score 0.25, true", ""},
		{"literal {{braces}} and { color }", "literal {braces} and red", ""},
		{"This {colour} thing", "", `unknown field "colour" (the metadata has: color, count, item_type, ok, score)`},
		{"open {color", "", "is not closed"},
		{"stray } here", "", "unmatched '}'"},
		{"empty {} here", "", "bad placeholder"},
	}
	for _, c := range cases {
		tpl, err := ParseTemplate(c.src)
		if err == nil {
			var got string
			got, err = tpl.Execute(meta)
			if err == nil && got != c.want {
				t.Errorf("%q → %q, want %q", c.src, got, c.want)
			}
		}
		if (err != nil) != (c.err != "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: error %v, want %q", c.src, err, c.err)
		}
	}
	tpl, _ := ParseTemplate("{a} {b} {a}")
	if f := tpl.Fields(); !slices.Equal(f, []string{"a", "b"}) {
		t.Errorf("Fields = %v", f)
	}
	if _, err := tpl.Execute(map[string]any{"a": []any{1}, "b": "x"}); err == nil || !strings.Contains(err.Error(), `field "a"`) {
		t.Errorf("list value: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{SwapProb: 1.5}, "swap_prob"},
		{Config{SynonymProb: 0.1}, "need a thesaurus"},
		{Config{TemplateProb: 0.5}, "no templates"},
		{Config{Templates: []string{"{x"}}, "templates[0]"},
	}
	for _, c := range cases {
		if err := c.cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.cfg, err, c.want)
		}
	}
}

func TestApplyDeterministic(t *testing.T) {
	a, err := New(Config{Thesaurus: filepath.Join("testdata", "thesaurus.txt"), SynonymProb: 0.3, SwapProb: 0.2, DeleteProb: 0.1, InsertProb: 0.1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	text := "A big red car next to a small house and a huge tree"
	first, err := a.Apply(text, nil, NewRNG(1, 0, 5))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, _ := a.Apply(text, nil, NewRNG(1, 0, 5))
		if again != first {
			t.Fatalf("same seed/epoch/index: %q then %q", first, again)
		}
	}
	differs := 0
	for i := range 20 {
		if out, _ := a.Apply(text, nil, NewRNG(1, 1, i)); out != first {
			differs++
		}
	}
	if differs < 15 {
		t.Errorf("only %d of 20 other examples differ from %q", differs, first)
	}
}

func TestSynonymReplacement(t *testing.T) {
	a, err := New(Config{SynonymProb: 1}, load(t, "thesaurus.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		out, _ := a.Apply("The BIG Red car, (small).", nil, NewRNG(2, 0, i))
		words := strings.Fields(out)
		if words[0] != "The" {
			t.Fatalf("%q: non-synonym word changed", out)
		}
		if !slices.Contains([]string{"LARGE", "HUGE"}, words[1]) {
			t.Fatalf("%q: BIG should become LARGE or HUGE", out)
		}
		if !strings.HasPrefix(words[2], "Crimson") {
			t.Fatalf("%q: Red should become Crimson", out)
		}
		last := strings.Join(words[3:], " ")
		if !strings.HasSuffix(last, ").") || !strings.HasPrefix(last, "automobile, (") && !strings.HasPrefix(last, "motor car, (") {
			t.Fatalf("%q: punctuation not kept", out)
		}
	}
}

func TestDeleteAndSwap(t *testing.T) {
	words := strings.Fields("one two three four five six")
	a, _ := New(Config{SwapProb: 0.5}, nil)
	out, _ := a.Apply(strings.Join(words, " "), nil, NewRNG(0, 0, 0))
	got := strings.Fields(out)
	if !slices.Equal(sorted(got), sorted(words)) || slices.Equal(got, words) {
		t.Errorf("swap: %q is not a different permutation of %q", out, words)
	}
	d, _ := New(Config{DeleteProb: 1}, nil)
	out, _ = d.Apply("one two three", nil, NewRNG(0, 0, 0))
	if n := len(strings.Fields(out)); n != 1 {
		t.Errorf("delete all: %q, want one word kept", out)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestTemplateApply(t *testing.T) {
	a, err := New(Config{Templates: []string{"a {color} {shape}", "this {shape} is {color}"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]any{"color": "red", "shape": "circle"}
	seen := map[string]bool{}
	for i := range 20 {
		out, err := a.Apply("ignored", meta, NewRNG(0, 0, i))
		if err != nil {
			t.Fatal(err)
		}
		seen[out] = true
	}
	if !seen["a red circle"] || !seen["this circle is red"] || len(seen) != 2 {
		t.Errorf("generated %v", seen)
	}
	if err := a.CheckFields(map[string]any{"color": "red"}); err == nil || !strings.Contains(err.Error(), `unknown field "shape"`) {
		t.Errorf("CheckFields: %v", err)
	}
	if _, err := a.Apply("x", map[string]any{"color": "red"}, NewRNG(0, 0, 0)); err == nil {
		t.Error("missing field: no error")
	}
}
