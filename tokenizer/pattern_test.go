package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// matcherTexts exercise the corners of the split expressions:
// contractions in both cases, the long s, digits runs, white space before
// letters, punctuation and line breaks, and runs at the end of the text.
var matcherTexts = []string{
	"", " ", "  ", "a", "'s", "'S", "'ſ", "'ll'LL'Ll", "it's 'tis", "''s", "x'", "'",
	"Hello world", "Hello  world", "Hello   world  ", "  lead", "trail  ", "tab\tsep",
	"12345678", "a1b22c333", "3.14159", "½ Ⅻ ²", "e\u0301", "naïve café",
	"!!!???", "a!!b", " !!", "foo!\n\nbar", "x \n y", "\r\n\r\n", " \n", "\n ", "a\u00a0b\u3000c",
	"日本語のテキスト", "🇯🇵 ❤️ 😀", "\u200b", "a\u0085b", "line\r\nbreak \r\n  ", "word\n\n\n  next",
	"mixed CASE 'Re 'VE", "$100 + 50% = ?", "email@example.com", " 'll", "\t\t x",
}

func TestFastMatchersAgreeWithRegexp2(t *testing.T) {
	for _, pat := range []string{patternCLIP, patternGPT2, patternLlama3, patternQwen2, patternSpaces} {
		fast := fastMatchers[pat]
		slow, err := compileRegex(pat)
		if err != nil {
			t.Fatal(err)
		}
		texts := append([]string(nil), matcherTexts...)
		rng := rand.New(rand.NewPCG(1, 2))
		alphabet := []rune("aZ1 \t\n\r'sSlLdtTmvVeE!.,ſ½é\u0301日😀\u00a0\u3000\u0085")
		for i := 0; i < 300; i++ {
			var b strings.Builder
			for n := rng.IntN(12); n > 0; n-- {
				b.WriteRune(alphabet[rng.IntN(len(alphabet))])
			}
			texts = append(texts, b.String())
		}
		for _, s := range texts {
			if got, want := findAll(fast, s), findAll(slow, s); !equalRanges(got, want) {
				t.Errorf("pattern %q on %q:\nfast    %v\nregexp2 %v", pat, s, got, want)
			}
		}
	}
}

func equalRanges(a, b [][2]int) bool {
	return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b))
}

func FuzzFastMatchers(f *testing.F) {
	for _, s := range matcherTexts {
		f.Add(s)
	}
	slow := map[string]matcher{}
	for _, pat := range []string{patternCLIP, patternGPT2, patternLlama3, patternQwen2, patternSpaces} {
		m, err := compileRegex(pat)
		if err != nil {
			f.Fatal(err)
		}
		slow[pat] = m
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = validUTF8(s)
		for pat, m := range slow {
			if got, want := findAll(fastMatchers[pat], s), findAll(m, s); !equalRanges(got, want) {
				t.Fatalf("pattern %q on %q:\nfast    %v\nregexp2 %v", pat, s, got, want)
			}
		}
	})
}

func TestSplitBehaviors(t *testing.T) {
	// The examples of the reference's NormalizedString::split docs.
	want := map[splitBehavior][]string{
		splitRemoved:            {"The", "final", "countdown"},
		splitIsolated:           {"The", "-", "final", "-", "-", "countdown"},
		splitMergedWithPrevious: {"The-", "final-", "-", "countdown"},
		splitMergedWithNext:     {"The", "-final", "-", "-countdown"},
		splitContiguous:         {"The", "-", "final", "--", "countdown"},
	}
	s := "The-final--countdown"
	for b, w := range want {
		var got []string
		for _, p := range splitSpans(nil, piece{s, true}, charSpans(s, func(r rune) bool { return r == '-' }), b) {
			got = append(got, p.text)
		}
		if !slices.Equal(got, w) {
			t.Errorf("behavior %d: got %q, want %q", b, got, w)
		}
	}
}
