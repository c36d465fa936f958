package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A normalizer rewrites a piece of text before pre-tokenization. The
// implementations mirror the Hugging Face tokenizers normalizers of the same
// names; none of them tracks offsets.
type normalizer interface {
	normalize(s string) string
}

// seqNormalizer applies normalizers in order ("Sequence").
type seqNormalizer []normalizer

func (q seqNormalizer) normalize(s string) string {
	for _, n := range q {
		s = n.normalize(s)
	}
	return s
}

// unicodeNormalizer is NFC, NFD, NFKC or NFKD.
type unicodeNormalizer struct{ form norm.Form }

func (u unicodeNormalizer) normalize(s string) string {
	if u.form.IsNormalString(s) {
		return s
	}
	return u.form.String(s)
}

type lowercaseNormalizer struct{}

func (lowercaseNormalizer) normalize(s string) string { return lowercase(s) }

// stripNormalizer removes leading and/or trailing white space.
type stripNormalizer struct{ left, right bool }

func (st stripNormalizer) normalize(s string) string {
	if st.left {
		s = strings.TrimLeftFunc(s, isRustWhitespace)
	}
	if st.right {
		s = strings.TrimRightFunc(s, isRustWhitespace)
	}
	return s
}

// stripAccentsNormalizer drops combining marks (category M); it is meant to
// follow an NFD or NFKD normalizer.
type stripAccentsNormalizer struct{}

func (stripAccentsNormalizer) normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsMark(r) {
			return -1
		}
		return r
	}, s)
}

// prependNormalizer prepends a string to every non-empty piece.
type prependNormalizer struct{ prefix string }

func (p prependNormalizer) normalize(s string) string {
	if s == "" {
		return s
	}
	return p.prefix + s
}

// replaceNormalizer replaces every match of a literal or regular expression.
type replaceNormalizer struct {
	pattern matcher
	content string
}

func (r replaceNormalizer) normalize(s string) string {
	buf := matchBufs.Get().(*[][2]int)
	defer matchBufs.Put(buf)
	ms := r.pattern.appendMatches((*buf)[:0], s)
	*buf = ms
	same := true
	for _, m := range ms {
		if s[m[0]:m[1]] != r.content {
			same = false
			break
		}
	}
	if same {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, m := range ms {
		b.WriteString(s[last:m[0]])
		b.WriteString(r.content)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// bertNormalizer is BertNormalizer: clean control characters, isolate CJK
// ideographs, strip accents and lower-case.
type bertNormalizer struct {
	cleanText, handleChinese, stripAccents, lowercase bool
}

func (bn bertNormalizer) normalize(s string) string {
	if bn.cleanText {
		s = strings.Map(func(r rune) rune {
			if r == 0 || r == 0xFFFD || (r != '\t' && r != '\n' && r != '\r' && isOther(r)) {
				return -1
			}
			if r == '\t' || r == '\n' || r == '\r' || isRustWhitespace(r) {
				return ' '
			}
			return r
		}, s)
	}
	if bn.handleChinese {
		var b strings.Builder
		changed := false
		for _, r := range s {
			if isChineseChar(r) {
				if !changed {
					changed = true
				}
				b.WriteByte(' ')
				b.WriteRune(r)
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		}
		if changed {
			s = b.String()
		}
	}
	if bn.stripAccents {
		s = norm.NFD.String(s)
		s = strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Mn, r) {
				return -1
			}
			return r
		}, s)
	}
	if bn.lowercase {
		s = lowercase(s)
	}
	return s
}

func isChineseChar(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF ||
		r >= 0x20000 && r <= 0x2A6DF || r >= 0x2A700 && r <= 0x2B73F ||
		r >= 0x2B740 && r <= 0x2B81F || r >= 0x2B920 && r <= 0x2CEAF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x2F800 && r <= 0x2FA1F
}

// nmtNormalizer removes ASCII control characters and maps other spacing
// characters to a plain space (the "Nmt" normalizer).
type nmtNormalizer struct{}

func (nmtNormalizer) normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 1 && r <= 8, r == 0xB, r >= 0xE && r <= 0x1F, r == 0x7F, r == 0x8F, r == 0x9F:
			return -1
		case r == 9, r == 0xA, r == 0xC, r == 0xD, r == 0x1680, r >= 0x200B && r <= 0x200F,
			r == 0x2028, r == 0x2029, r == 0x2581, r == 0xFEFF, r == 0xFFFD:
			return ' '
		}
		return r
	}, s)
}

// byteLevelNormalizer maps every byte to its printable stand-in character.
type byteLevelNormalizer struct{}

func (byteLevelNormalizer) normalize(s string) string { return byteLevelEncode(s) }

// precompiledNormalizer applies a SentencePiece precompiled_charsmap the way
// the Hugging Face Precompiled normalizer does: each grapheme cluster shorter
// than 6 bytes is looked up whole, otherwise character by character.
type precompiledNormalizer struct{ cm *charsMap }

func (p precompiledNormalizer) normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	state := -1
	rest := s
	for len(rest) > 0 {
		var g string
		g, rest, _, state = graphemeCluster(rest, state)
		if len(g) < 6 {
			if rep, ok := p.cm.transformFirst(g); ok {
				b.WriteString(rep)
				continue
			}
		}
		for i := 0; i < len(g); {
			_, n := utf8.DecodeRuneInString(g[i:])
			c := g[i : i+n]
			if rep, ok := p.cm.transformFirst(c); ok {
				b.WriteString(rep)
			} else {
				b.WriteString(c)
			}
			i += n
		}
	}
	return b.String()
}
