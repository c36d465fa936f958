package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// validUTF8 returns s with every byte that is not part of a valid UTF-8
// sequence replaced by U+FFFD, one replacement per byte. Rust strings (the
// reference implementation) cannot hold invalid UTF-8, so invalid input is
// repaired before any other step.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// lossyUTF8 converts bytes to a string the way Rust's
// String::from_utf8_lossy does: each maximal invalid subsequence (a truncated
// but otherwise valid prefix of a multi-byte sequence, or a single bad byte)
// becomes one U+FFFD.
func lossyUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			sb.Write(b[i : i+n])
			i += n
			continue
		}
		sb.WriteRune(utf8.RuneError)
		i += invalidPrefixLen(b[i:])
	}
	return sb.String()
}

// invalidPrefixLen returns the length of the maximal subpart of an invalid
// UTF-8 sequence at the start of b (at least 1), following the Unicode
// "substitution of maximal subparts" practice that Rust implements.
func invalidPrefixLen(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	i := 1
	for k := 0; k < need && i < len(b); k++ {
		if k == 0 {
			if b[i] < lo || b[i] > hi {
				return i
			}
		} else if b[i] < 0x80 || b[i] > 0xBF {
			return i
		}
		i++
	}
	return i
}

// isRustWhitespace reports Rust's char::is_whitespace (the Unicode
// White_Space property), which equals Go's unicode.IsSpace.
func isRustWhitespace(r rune) bool { return unicode.IsSpace(r) }

// isLetter, isNumber: \p{L} and \p{N}.
func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r)
}

func isNumber(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9'
	}
	return unicode.IsNumber(r)
}

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r >= '\t' && r <= '\r'
	}
	return unicode.IsSpace(r)
}

// isWordChar is the Unicode \w of the Rust regex crate: Alphabetic, marks,
// decimal numbers, connector punctuation and Join_Control.
func isWordChar(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Other_Alphabetic, r) || unicode.Is(unicode.Nl, r) ||
		unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r) ||
		unicode.Is(unicode.Join_Control, r)
}

// isPunctuation is Rust's is_ascii_punctuation || is_punctuation (category P).
func isPunctuation(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '!' && r <= '/' || r >= ':' && r <= '@' || r >= '[' && r <= '`' || r >= '{' && r <= '~'
	}
	return unicode.IsPunct(r)
}

// lowerRune appends Rust's char::to_lowercase of r to b. Only U+0130 maps
// to more than one character.
func appendLower(b []byte, r rune) []byte {
	if r == 0x130 {
		return append(b, "i\u0307"...)
	}
	return utf8.AppendRune(b, unicode.ToLower(r))
}

// lowercase lower-cases s character by character, as the Lowercase
// normalizer does (no final-sigma rule).
func lowercase(s string) string {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			break
		}
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+4)
	b = append(b, s[:i]...)
	for _, r := range s[i:] {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		b = appendLower(b, r)
	}
	return string(b)
}

// isOther reports the Unicode general category C (Cc, Cf, Cs, Co, Cn),
// with unassigned code points (Cn) included, as the unicode_categories
// crate used by BertNormalizer does.
func isOther(r rune) bool {
	if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) {
		return true
	}
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z)
}
