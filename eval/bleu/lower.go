package bleu

import (
	"strings"
	"unicode"
)

// pyLower lowercases like Python 3's str.lower(): Go's per-character
// mapping plus Python's two context-free and contextual special cases that
// matter here: U+0130 becomes "i" + U+0307, and capital sigma becomes final
// sigma (U+03C2) when it ends a word (preceded by a cased letter and not
// followed by one, skipping case-ignorable characters), as Unicode's
// Final_Sigma rule says.
func pyLower(s string) string {
	if !strings.ContainsRune(s, 0x130) && !strings.ContainsRune(s, 0x3a3) {
		return strings.ToLower(s)
	}
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		switch r {
		case 0x130:
			b.WriteString("i\u0307")
		case 0x3a3:
			if finalSigma(rs, i) {
				b.WriteRune(0x3c2)
			} else {
				b.WriteRune(0x3c3)
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func isCased(r rune) bool { return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) }

func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xb7, 0x2019:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}

func finalSigma(rs []rune, i int) bool {
	before := false
	for j := i - 1; j >= 0; j-- {
		if isCaseIgnorable(rs[j]) {
			continue
		}
		before = isCased(rs[j])
		break
	}
	if !before {
		return false
	}
	for j := i + 1; j < len(rs); j++ {
		if isCaseIgnorable(rs[j]) {
			continue
		}
		return !isCased(rs[j])
	}
	return true
}
