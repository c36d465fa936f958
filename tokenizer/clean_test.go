package tokenizer

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

// TestPythonBehaviours compares the Python-compatible helpers with what
// CPython does (testdata/python_cases.json, from gen_python_cases.py).
func TestPythonBehaviours(t *testing.T) {
	data, err := os.ReadFile("testdata/python_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		HTML  [][2]string `json:"html_unescape"`
		UTF8  [][2]string `json:"utf8_replace"`
		Lower [][2]string `json:"lower"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.HTML) == 0 || len(c.UTF8) == 0 || len(c.Lower) == 0 {
		t.Fatal("python_cases.json is incomplete")
	}
	for _, p := range c.HTML {
		if got := pyHTMLUnescape(p[0]); got != p[1] {
			t.Errorf("html.unescape(%q) = %q, want %q", p[0], got, p[1])
		}
	}
	for _, p := range c.UTF8 {
		b, err := hex.DecodeString(p[0])
		if err != nil {
			t.Fatal(err)
		}
		if got := lossyUTF8(b); got != p[1] {
			t.Errorf("lossy %s = %q, want %q", p[0], got, p[1])
		}
	}
	for _, p := range c.Lower {
		if got := pyLower(p[0]); got != p[1] {
			t.Errorf("lower(%q) = %q, want %q", p[0], got, p[1])
		}
	}
}

// TestFTFYFixes checks the ftfy steps on the examples of ftfy's own
// documentation (ftfy 6.3.1 fixes.py and __init__.py docstrings), minus the
// ones that need mojibake repair.
func TestFTFYFixes(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Broken text&hellip; it&#x2019;s ﬂubberiﬁc!", "Broken text… it's flubberific!"},
		{"ＬＯＵＤ　ＮＯＩＳＥＳ", "LOUD NOISES"},
		{"&lt;tag&gt;", "<tag>"},
		{"&Jscr;ohn &HilbertSpace;ancock", "𝒥ohn ℋancock"},
		{"&checkmark;", "✓"},
		{"P&eacute;rez", "Pérez"},
		{"P&EACUTE;REZ", "PÉREZ"},
		{"BUNDESSTRA&SZLIG;E", "BUNDESSTRASSE"},
		{"&ntilde; &Ntilde; &NTILDE; &nTILDE;", "ñ Ñ Ñ &nTILDE;"},
		{"&amp;lt;", "<"},                                                   // decoded until nothing changes
		{"<b>&amp;</b>", "<b>&amp;</b>"},                                    // looks like HTML: left alone
		{"a &amp; b\n<p> &amp;", "a & b\n<p> &amp;"},                        // only lines before the first '<'
		{"“curly” ‘quotes’ ʼn", "\"curly\" 'quotes' 'n"},                    // uncurl_quotes
		{"line\r\nbreaks\rand\u2028more\u0085", "line\nbreaks\nand\nmore…"}, // C1 controls are fixed first
		{"\x1b[36;44mcolor\x1b[0m", "color"},
		{"bell\x07 bom\ufeff zw\u200b", "bell bom zw\u200b"},
		{"\u0080 and \u009f", "€ and Ÿ"},
		{"e\u0301", "é"},
		{"&#xD83D;&#128512;", "\ufffd😀"},
	}
	for _, c := range cases {
		if got := ftfyFixText(c.in); got != c.want {
			t.Errorf("fix_text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOpenAIClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"  A  Photo\tOF\n a CAT  ", "a photo of a cat"},
		{"Tom &amp;amp; Jerry", "tom & jerry"}, // ftfy, then html.unescape twice
		{"ΟΔΟΣ ΣΟΦΙΑΣ", "οδος σοφιας"},
		{"\u3000ＡＢＣ\u00a0", "abc"},
	}
	for _, c := range cases {
		if got := openAIClean(c.in); got != c.want {
			t.Errorf("openAIClean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
