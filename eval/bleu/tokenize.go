package bleu

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokenizer names accepted by Options.Tokenize, matching sacrebleu's
// --tokenize values.
const (
	Tokenize13a  = "13a"
	TokenizeIntl = "intl"
	TokenizeChar = "char"
	TokenizeNone = "none"
)

// Tokenizers lists the supported tokenizer names.
var Tokenizers = []string{Tokenize13a, TokenizeIntl, TokenizeChar, TokenizeNone}

// isPySpace reports whether r is whitespace for Python's str.split() and
// str.rstrip(): Go's unicode.IsSpace plus the ASCII separators U+001C..U+001F.
func isPySpace(r rune) bool {
	if r >= 0x1c && r <= 0x1f {
		return true
	}
	return unicode.IsSpace(r)
}

// pySplit splits s on runs of Python whitespace, dropping empty fields,
// as Python's str.split() with no argument does.
func pySplit(s string) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		var space bool
		if c < utf8.RuneSelf {
			space = c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f)
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
		}
		if space {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// pyRStrip removes trailing Python whitespace, as str.rstrip() does.
func pyRStrip(s string) string {
	return strings.TrimRightFunc(s, isPySpace)
}

// Tokenize applies the named sacrebleu tokenizer to line and returns the
// tokens that BLEU counts n-grams over (the tokenizer's output split on
// whitespace). It does not lowercase or strip; Scorer does that first, as
// sacrebleu's _preprocess_segment does.
func Tokenize(name, line string) ([]string, error) {
	switch name {
	case Tokenize13a, "":
		return pySplit(tokenize13a(line)), nil
	case TokenizeIntl:
		return pySplit(tokenizeIntl(line)), nil
	case TokenizeChar:
		return tokenizeChar(line), nil
	case TokenizeNone:
		return pySplit(line), nil
	}
	return nil, fmt.Errorf("bleu: unknown tokenizer %q (want one of %s)", name, strings.Join(Tokenizers, ", "))
}

// tokenize13a is sacrebleu's Tokenizer13a (mteval-v13a.pl): it removes
// <skipped>, joins hyphenated line breaks, unescapes four XML entities and
// then applies the four regular expressions of TokenizerRegexp, each as a
// left-to-right, non-overlapping substitution.
func tokenize13a(line string) string {
	line = strings.ReplaceAll(line, "<skipped>", "")
	line = strings.ReplaceAll(line, "-\n", "")
	line = strings.ReplaceAll(line, "\n", " ")
	if strings.Contains(line, "&") {
		line = strings.ReplaceAll(line, "&quot;", `"`)
		line = strings.ReplaceAll(line, "&amp;", "&")
		line = strings.ReplaceAll(line, "&lt;", "<")
		line = strings.ReplaceAll(line, "&gt;", ">")
	}
	src := make([]byte, 0, len(line)+2)
	src = append(append(append(src, ' '), line...), ' ')
	dst := make([]byte, 0, 2*len(src))

	// ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 "
	for _, c := range src {
		if is13aPunct(c) {
			dst = append(dst, ' ', c, ' ')
		} else {
			dst = append(dst, c)
		}
	}
	src, dst = dst, src[:0]

	// ([^0-9])([\.,]) -> "\1 \2 "
	for i := 0; i < len(src); {
		if i+1 < len(src) && !isDigit(src[i]) && (src[i+1] == '.' || src[i+1] == ',') {
			dst = append(dst, src[i], ' ', src[i+1], ' ')
			i += 2
			continue
		}
		dst = append(dst, src[i])
		i++
	}
	src, dst = dst, src[:0]

	// ([\.,])([^0-9]) -> " \1 \2"
	for i := 0; i < len(src); {
		if (src[i] == '.' || src[i] == ',') && i+1 < len(src) && !isDigit(src[i+1]) {
			// \2 is one code point; its remaining bytes (if any) are
			// copied by the next iterations and cannot start a match.
			dst = append(dst, ' ', src[i], ' ', src[i+1])
			i += 2
			continue
		}
		dst = append(dst, src[i])
		i++
	}
	src, dst = dst, src[:0]

	// ([0-9])(-) -> "\1 \2 "
	for i := 0; i < len(src); {
		if i+1 < len(src) && isDigit(src[i]) && src[i+1] == '-' {
			dst = append(dst, src[i], ' ', '-', ' ')
			i += 2
			continue
		}
		dst = append(dst, src[i])
		i++
	}
	return string(dst)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// is13aPunct reports membership in the character class
// [\{-\~\[-\` -\&\(-\+\:-\@\/] of sacrebleu's TokenizerRegexp.
func is13aPunct(c byte) bool {
	switch {
	case c >= '{' && c <= '~':
		return true
	case c >= '[' && c <= '`':
		return true
	case c >= ' ' && c <= '&':
		return true
	case c >= '(' && c <= '+':
		return true
	case c >= ':' && c <= '@':
		return true
	case c == '/':
		return true
	}
	return false
}

// tokenizeIntl is sacrebleu's TokenizerV14International (mteval-v14.pl
// -international): punctuation is separated unless it sits between digits,
// and symbols are always separated.
func tokenizeIntl(line string) string {
	rs := []rune(line)
	isN, isP, isS := unicode.IsNumber, unicode.IsPunct, unicode.IsSymbol

	// (\P{N})(\p{P}) -> "\1 \2 "
	out := make([]rune, 0, len(rs)*2)
	for i := 0; i < len(rs); {
		if i+1 < len(rs) && !isN(rs[i]) && isP(rs[i+1]) {
			out = append(out, rs[i], ' ', rs[i+1], ' ')
			i += 2
			continue
		}
		out = append(out, rs[i])
		i++
	}
	rs, out = out, make([]rune, 0, len(out)*2)

	// (\p{P})(\P{N}) -> " \1 \2"
	for i := 0; i < len(rs); {
		if i+1 < len(rs) && isP(rs[i]) && !isN(rs[i+1]) {
			out = append(out, ' ', rs[i], ' ', rs[i+1])
			i += 2
			continue
		}
		out = append(out, rs[i])
		i++
	}
	rs, out = out, make([]rune, 0, len(out)*2)

	// (\p{S}) -> " \1 "
	for _, r := range rs {
		if isS(r) {
			out = append(out, ' ', r, ' ')
		} else {
			out = append(out, r)
		}
	}
	return string(out)
}

// tokenizeChar is sacrebleu's TokenizerChar: every code point becomes a
// token; whitespace characters vanish in the following split.
func tokenizeChar(line string) []string {
	toks := make([]string, 0, utf8.RuneCountInString(line))
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		if !isPySpace(r) {
			toks = append(toks, line[i:i+size])
		}
		i += size
	}
	return toks
}
