package tokenizer

import "unicode/utf8"

// Hand-written matchers for the split patterns of the common tokenizers.
// Each one follows the backtracking order of its regular expression
// exactly; TestFastMatchersAgreeWithRegexp2 and the fuzz target hold them to
// regexp2 on the same expressions.
const (
	patternCLIP = `'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
	// patternGPT2 is also the ByteLevel pre-tokenizer's built-in expression.
	patternGPT2   = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	patternLlama3 = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	patternQwen2  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	patternSpaces = `\s+`
)

var fastMatchers = map[string]matcher{
	patternCLIP:   scanMatcher(scanCLIP),
	patternGPT2:   scanMatcher(scanGPT2),
	patternLlama3: scanMatcher(func(s string, i int) int { return scanLlama3(s, i, 3) }),
	patternQwen2:  scanMatcher(func(s string, i int) int { return scanLlama3(s, i, 1) }),
	patternSpaces: scanMatcher(func(s string, i int) int { return runOf(s, i, isSpace) }),
}

// scanMatcher adapts a function that returns the end of the match starting
// at byte i (or -1 when none starts there). None of these patterns can match
// the empty string.
type scanMatcher func(s string, i int) int

func (f scanMatcher) appendMatches(out [][2]int, s string) [][2]int {
	for i := 0; i < len(s); {
		if e := f(s, i); e > i {
			out = append(out, [2]int{i, e})
			i = e
			continue
		}
		_, n := decode(s, i)
		i += n
	}
	return out
}

func decode(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// runOf returns the end of the run of characters satisfying pred from i
// (i itself when s[i] does not).
func runOf(s string, i int, pred func(rune) bool) int {
	for i < len(s) {
		r, n := decode(s, i)
		if !pred(r) {
			break
		}
		i += n
	}
	return i
}

func isOtherClass(r rune) bool { return !isSpace(r) && !isLetter(r) && !isNumber(r) }

// contraction matches 's|'t|'re|'ve|'m|'ll|'d at i, optionally ignoring
// case the way Oniguruma folds case (s also matches U+017F LONG S).
func contraction(s string, i int, fold bool) int {
	if s[i] != '\'' || i+1 >= len(s) {
		return -1
	}
	r1, n1 := decode(s, i+1)
	if fold {
		r1 = foldASCII(r1)
	}
	switch r1 {
	case 's', 't', 'm', 'd':
		return i + 1 + n1
	case 'r', 'v', 'l':
		j := i + 1 + n1
		if j >= len(s) {
			return -1
		}
		r2, n2 := decode(s, j)
		if fold {
			r2 = foldASCII(r2)
		}
		if r1 == 'r' && r2 == 'e' || r1 == 'v' && r2 == 'e' || r1 == 'l' && r2 == 'l' {
			return j + n2
		}
	}
	return -1
}

func foldASCII(r rune) rune {
	switch {
	case 'A' <= r && r <= 'Z':
		return r + 'a' - 'A'
	case r == 0x17F: // LATIN SMALL LETTER LONG S folds to s
		return 's'
	}
	return r
}

// scanCLIP: 's|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
func scanCLIP(s string, i int) int {
	if e := contraction(s, i, false); e > 0 {
		return e
	}
	r, n := decode(s, i)
	switch {
	case isLetter(r):
		return runOf(s, i+n, isLetter)
	case isNumber(r):
		return i + n
	case !isSpace(r):
		return runOf(s, i+n, isOtherClass)
	}
	return -1
}

// optSpaceRun matches " ?X+" for the class pred.
func optSpaceRun(s string, i int, pred func(rune) bool) int {
	j := i
	if s[i] == ' ' && i+1 < len(s) {
		if r, n := decode(s, i+1); pred(r) {
			return runOf(s, i+1+n, pred)
		}
	}
	if r, n := decode(s, j); pred(r) {
		return runOf(s, j+n, pred)
	}
	return -1
}

// spaceTail matches \s+(?!\S)|\s+ at i, where s[i] is white space.
func spaceTail(s string, i int) int {
	end := runOf(s, i, isSpace)
	if end == len(s) {
		return end
	}
	// Back off one character so that the next one is white space.
	_, lastLen := utf8.DecodeLastRuneInString(s[:end])
	if end-lastLen > i {
		return end - lastLen
	}
	return end
}

// scanGPT2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func scanGPT2(s string, i int) int {
	if e := contraction(s, i, false); e > 0 {
		return e
	}
	if e := optSpaceRun(s, i, isLetter); e > 0 {
		return e
	}
	if e := optSpaceRun(s, i, isNumber); e > 0 {
		return e
	}
	if e := optSpaceRun(s, i, isOtherClass); e > 0 {
		return e
	}
	if r, _ := decode(s, i); isSpace(r) {
		return spaceTail(s, i)
	}
	return -1
}

func isCRLF(r rune) bool { return r == '\r' || r == '\n' }

// scanLlama3 matches the Llama-3 expression (maxDigits 3) or the Qwen2 one
// (maxDigits 1):
// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}|
// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
func scanLlama3(s string, i int, maxDigits int) int {
	if e := contraction(s, i, true); e > 0 {
		return e
	}
	r, n := decode(s, i)
	// [^\r\n\p{L}\p{N}]?\p{L}+
	if !isCRLF(r) && !isLetter(r) && !isNumber(r) && i+n < len(s) {
		if r2, n2 := decode(s, i+n); isLetter(r2) {
			return runOf(s, i+n+n2, isLetter)
		}
	}
	if isLetter(r) {
		return runOf(s, i+n, isLetter)
	}
	// \p{N}{1,maxDigits}
	if isNumber(r) {
		j := i + n
		for k := 1; k < maxDigits && j < len(s); k++ {
			r2, n2 := decode(s, j)
			if !isNumber(r2) {
				break
			}
			j += n2
		}
		return j
	}
	// ?[^\s\p{L}\p{N}]+[\r\n]*
	if e := optSpaceRun(s, i, isOtherClass); e > 0 {
		return runOf(s, e, isCRLF)
	}
	if !isSpace(r) {
		return -1
	}
	// \s*[\r\n]+ : the white-space run backs off to its last line break.
	end := runOf(s, i, isSpace)
	for j := end; j > i; {
		r2, n2 := utf8.DecodeLastRuneInString(s[:j])
		if isCRLF(r2) {
			return j
		}
		j -= n2
	}
	return spaceTail(s, i)
}
