package tokenizer

import (
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyHTMLUnescape is Python's html.unescape: numeric references with the
// HTML5 replacement rules, and named references (with or without the
// semicolon, longest known prefix first) from the HTML5 entity table, which
// it reads through Go's html package.
func pyHTMLUnescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			continue
		}
		end, rep, ok := pyCharRef(s, i+1)
		if !ok {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = end
		i = end - 1
	}
	b.WriteString(s[last:])
	return b.String()
}

// pyCharRef matches #[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?
// at i and returns the end of the match and its replacement.
func pyCharRef(s string, i int) (int, string, bool) {
	if i >= len(s) {
		return 0, "", false
	}
	if s[i] == '#' {
		j := i + 1
		hex := j < len(s) && (s[j] == 'x' || s[j] == 'X')
		if hex {
			j++
		}
		k := j
		for k < len(s) && (s[k] >= '0' && s[k] <= '9' || hex && (s[k]|0x20 >= 'a' && s[k]|0x20 <= 'f')) {
			k++
		}
		if k == j {
			return 0, "", false
		}
		digits := s[j:k]
		if k < len(s) && s[k] == ';' {
			k++
		}
		base := 10
		if hex {
			base = 16
		}
		num, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			num = 0x110000
		}
		return k, pyNumericRef(num), true
	}
	// A name of 1 to 32 characters other than \t \n \f space < & # ;
	j, n := i, 0
	for j < len(s) && n < 32 {
		r, sz := utf8.DecodeRuneInString(s[j:])
		if r == '\t' || r == '\n' || r == '\f' || r == ' ' || r == '<' || r == '&' || r == '#' || r == ';' {
			break
		}
		j += sz
		n++
	}
	if n == 0 {
		return 0, "", false
	}
	if j < len(s) && s[j] == ';' {
		j++
	}
	name := s[i:j]
	if v, ok := html5Entity(name); ok {
		return j, v, true
	}
	// The longest prefix (of at least 2 characters) that is a name.
	runes := []int{}
	for k := range name {
		runes = append(runes, k)
	}
	for x := len(runes) - 1; x >= 2; x-- {
		if v, ok := html5Entity(name[:runes[x]]); ok {
			return j, v + name[runes[x]:], true
		}
	}
	return j, "&" + name, true
}

var pyInvalidCharrefs = map[uint64]string{
	0x00: "\uFFFD", 0x0d: "\r", 0x80: "\u20ac", 0x81: "\x81", 0x82: "\u201a", 0x83: "\u0192",
	0x84: "\u201e", 0x85: "\u2026", 0x86: "\u2020", 0x87: "\u2021", 0x88: "\u02c6", 0x89: "\u2030",
	0x8a: "\u0160", 0x8b: "\u2039", 0x8c: "\u0152", 0x8d: "\x8d", 0x8e: "\u017d", 0x8f: "\x8f",
	0x90: "\x90", 0x91: "\u2018", 0x92: "\u2019", 0x93: "\u201c", 0x94: "\u201d", 0x95: "\u2022",
	0x96: "\u2013", 0x97: "\u2014", 0x98: "\u02dc", 0x99: "\u2122", 0x9a: "\u0161", 0x9b: "\u203a",
	0x9c: "\u0153", 0x9d: "\x9d", 0x9e: "\u017e", 0x9f: "\u0178",
}

func pyNumericRef(num uint64) string {
	if v, ok := pyInvalidCharrefs[num]; ok {
		if len(v) == 1 && v[0] >= 0x80 {
			return string(rune(v[0]))
		}
		return v
	}
	if num >= 0xD800 && num <= 0xDFFF || num > 0x10FFFF {
		return "\uFFFD"
	}
	if num >= 0x1 && num <= 0x8 || num >= 0xE && num <= 0x1F || num >= 0x7F && num <= 0x9F ||
		num >= 0xFDD0 && num <= 0xFDEF || num == 0xB || num&0xFFFE == 0xFFFE {
		return ""
	}
	return string(rune(num))
}

// html5Entity looks name (with its ';' if any) up in the HTML5 entity
// table. Only ASCII letters and digits, optionally followed by ';', can be
// names; Go's html package decodes exactly the table's entries, and decodes
// some entries without ';' as a prefix of a longer text, which the checks
// below tell apart.
func html5Entity(name string) (string, bool) {
	body := strings.TrimSuffix(name, ";")
	if body == "" {
		return "", false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", false
		}
	}
	in := "&" + name
	out := html.UnescapeString(in)
	if out == in {
		return "", false
	}
	if strings.HasSuffix(name, ";") {
		if strings.HasSuffix(out, ";") && name != "semi;" {
			return "", false
		}
		return out, true
	}
	r, _ := utf8.DecodeLastRuneInString(out)
	if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
		return "", false
	}
	return out, true
}
