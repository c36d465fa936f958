package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// openAIClean is the text cleaning of OpenAI's CLIP tokenizer
// (simple_tokenizer.py): ftfy.fix_text, html.unescape twice, strip, white
// space collapsed, then Python's str.lower (with the final-sigma rule).
//
// ftfy.fix_text is reproduced step by step with its default configuration
// (ftfy 6.3), except fix_encoding: text that ftfy's badness heuristic takes
// for mojibake (such as "schÃ¶n") is left as it is.
func openAIClean(s string) string {
	s = ftfyFixText(s)
	s = pyHTMLUnescape(pyHTMLUnescape(s))
	s = strings.TrimFunc(s, isPyWhitespace)
	s = collapseSpaces(s)
	return pyLower(s)
}

// isPyWhitespace is Python's str.isspace.
func isPyWhitespace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1C && r <= 0x1F
}

// collapseSpaces replaces runs of white space with one space and strips
// the ends (re.sub(r'\s+', ' ', text).strip()).
func collapseSpaces(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inSpace := false
	for _, r := range s {
		if isPyWhitespace(r) {
			inSpace = true
			continue
		}
		if inSpace && b.Len() > 0 {
			b.WriteByte(' ')
		}
		inSpace = false
		b.WriteRune(r)
	}
	return b.String()
}

// ftfyFixText applies ftfy.fix_text's default fixes line by line, each
// line until nothing changes. HTML entities are decoded until the first
// line that contains '<' (ftfy's unescape_html="auto").
func ftfyFixText(s string) string {
	var out strings.Builder
	unescape := true
	for pos := 0; pos < len(s); {
		end := strings.IndexByte(s[pos:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += pos + 1
		}
		seg := s[pos:end]
		if strings.Contains(seg, "<") {
			unescape = false
		}
		for {
			orig := seg
			if unescape {
				seg = ftfyUnescapeHTML(seg)
			}
			seg = fixC1Controls(seg)
			seg = mapRunes(seg, ligatures)
			seg = fixCharacterWidth(seg)
			seg = uncurlQuotes(seg)
			seg = fixLineBreaks(seg)
			seg = removeTerminalEscapes(seg)
			seg = removeControlChars(seg)
			seg = norm.NFC.String(seg)
			if seg == orig {
				break
			}
		}
		out.WriteString(seg)
		pos = end
	}
	return out.String()
}

// ftfyUnescapeHTML decodes &name; and &#n; entities that end in a
// semicolon (ftfy.fixes.unescape_html), including upper-cased names of
// lower-case entities such as &EACUTE;.
func ftfyUnescapeHTML(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			continue
		}
		// &#?[0-9A-Za-z]{1,24};
		j := i + 1
		if j < len(s) && s[j] == '#' {
			j++
		}
		k := j
		for k < len(s) && k-j < 24 && isASCIIAlnum(s[k]) {
			k++
		}
		if k == j || k >= len(s) || s[k] != ';' {
			continue
		}
		text := s[i : k+1]
		b.WriteString(s[last:i])
		b.WriteString(ftfyEntity(text))
		last = k + 1
		i = k
	}
	b.WriteString(s[last:])
	return b.String()
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func ftfyEntity(text string) string {
	name := text[1:]
	if name[0] != '#' {
		if v, ok := html5Entity(name); ok {
			return v
		}
		// An upper-cased lower-case entity, unless Python's html.unescape
		// would read the upper-case text some other way.
		lower := strings.ToLower(name)
		if strings.ToUpper(lower) == name && lower != name {
			if v, ok := html5Entity(lower); ok && pyHTMLUnescape(text) == text {
				return pyUpper(v)
			}
		}
		return text
	}
	un := pyHTMLUnescape(text)
	if strings.Contains(un, ";") {
		return text
	}
	return un
}

// pyUpper is str.upper for the few entity values whose upper case is more
// than one character.
func pyUpper(s string) string {
	special := map[rune]string{'ß': "SS", 'ŉ': "ʼN", 'ﬀ': "FF", 'ﬁ': "FI", 'ﬂ': "FL", 'ﬃ': "FFI", 'ﬄ': "FFL", 'ﬅ': "ST", 'ﬆ': "ST"}
	var b strings.Builder
	for _, r := range s {
		if v, ok := special[r]; ok {
			b.WriteString(v)
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// sloppyCP1252 maps the C1 range to what Windows-1252 puts there (bytes
// Windows-1252 leaves undefined keep their code point).
var sloppyCP1252 = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

func fixC1Controls(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0x80 && r <= 0x9F {
			return sloppyCP1252[r-0x80]
		}
		return r
	}, s)
}

var ligatures = map[rune]string{
	'Ĳ': "IJ", 'ĳ': "ij", 'ŉ': "ʼn", 'Ǳ': "DZ", 'ǲ': "Dz", 'ǳ': "dz", 'Ǆ': "DŽ", 'ǅ': "Dž", 'ǆ': "dž",
	'Ǉ': "LJ", 'ǈ': "Lj", 'ǉ': "lj", 'Ǌ': "NJ", 'ǋ': "Nj", 'ǌ': "nj",
	'ﬀ': "ff", 'ﬁ': "fi", 'ﬂ': "fl", 'ﬃ': "ffi", 'ﬄ': "ffl", 'ﬅ': "ſt", 'ﬆ': "st",
}

func mapRunes(s string, m map[rune]string) string {
	var b strings.Builder
	changed := false
	for i, r := range s {
		if v, ok := m[r]; ok {
			if !changed {
				b.Grow(len(s) + 8)
				b.WriteString(s[:i])
				changed = true
			}
			b.WriteString(v)
		} else if changed {
			b.WriteRune(r)
		}
	}
	if !changed {
		return s
	}
	return b.String()
}

// fixCharacterWidth replaces halfwidth and fullwidth forms (U+FF01 to
// U+FFEF) with their NFKC forms and U+3000 with a space.
func fixCharacterWidth(s string) string {
	var b strings.Builder
	changed := false
	for i, r := range s {
		rep := ""
		switch {
		case r == 0x3000:
			rep = " "
		case r >= 0xFF01 && r <= 0xFFEF:
			if n := norm.NFKC.String(string(r)); n != string(r) {
				rep = n
			}
		}
		if rep != "" {
			if !changed {
				b.WriteString(s[:i])
				changed = true
			}
			b.WriteString(rep)
		} else if changed {
			b.WriteRune(r)
		}
	}
	if !changed {
		return s
	}
	return b.String()
}

func uncurlQuotes(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0x2BC || r >= 0x2018 && r <= 0x201B:
			return '\''
		case r >= 0x201C && r <= 0x201F:
			return '"'
		}
		return r
	}, s)
}

func fixLineBreaks(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer("\r", "\n", "\u2028", "\n", "\u2029", "\n", "\u0085", "\n").Replace(s)
}

// removeTerminalEscapes removes ANSI escapes \033\[((?:\d|;)*)([a-zA-Z]).
func removeTerminalEscapes(s string) string {
	if !strings.Contains(s, "\033[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "\033[") {
			j := i + 2
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if r != ';' && !unicode.Is(unicode.Nd, r) {
					break
				}
				j += n
			}
			if j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
				i = j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func removeControlChars(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= 0x08 || r == 0x0B || r >= 0x0E && r <= 0x1F || r == 0x7F ||
			r >= 0x206A && r <= 0x206F || r == 0xFEFF || r >= 0xFFF9 && r <= 0xFFFC {
			return -1
		}
		return r
	}, s)
}

// pyLower is Python's str.lower: full lower-case mappings and the
// final-sigma rule.
func pyLower(s string) string {
	var b []byte
	rs := []rune(s)
	for i, r := range rs {
		if r == 'Σ' {
			if pyFinalSigma(rs, i) {
				b = utf8.AppendRune(b, 'ς')
			} else {
				b = utf8.AppendRune(b, 'σ')
			}
			continue
		}
		b = appendLower(b, r)
	}
	return string(b)
}

// pyFinalSigma: a cased letter comes before position i and none after it,
// skipping case-ignorable characters on both sides.
func pyFinalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && isCaseIgnorable(rs[j]) {
		j--
	}
	if j < 0 || !isCased(rs[j]) {
		return false
	}
	k := i + 1
	for k < len(rs) && isCaseIgnorable(rs[k]) {
		k++
	}
	return k == len(rs) || !isCased(rs[k])
}

func isCased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xB7, 0x387, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
