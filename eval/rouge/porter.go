package rouge

import "strings"

// Stem is NLTK's PorterStemmer().stem(word) in its default
// NLTK_EXTENSIONS mode (nltk/stem/porter.py, unchanged from NLTK 3.5 to
// 3.9): Porter's algorithm plus NLTK's irregular-forms table, the
// "ies"/"ied" four-letter rules, the y->i rule only after a consonant, the
// alli->al pre-step, the fulli and logi rules, and no stemming of words of
// one or two letters. The word is lowercased first, as NLTK does; it works
// on code points, so non-ASCII letters count as consonants.
func Stem(word string) string {
	lower := strings.ToLower(word)
	if s, ok := porterIrregular[word]; ok {
		return s
	}
	w := []rune(lower)
	if len([]rune(word)) <= 2 {
		return lower
	}
	w = step1a(w)
	w = step1b(w)
	w = step1c(w)
	w = step2(w)
	w = step3(w)
	w = step4(w)
	w = step5a(w)
	w = step5b(w)
	return string(w)
}

// porterIrregular is NLTK_EXTENSIONS' pool of irregular forms.
var porterIrregular = map[string]string{
	"sky": "sky", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
	"news": "news", "innings": "inning", "inning": "inning", "outings": "outing",
	"outing": "outing", "cannings": "canning", "canning": "canning", "howe": "howe",
	"proceed": "proceed", "exceed": "exceed", "succeed": "succeed",
}

func isVowelRune(r rune) bool { return r == 'a' || r == 'e' || r == 'i' || r == 'o' || r == 'u' }

func isConsonant(w []rune, i int) bool {
	if isVowelRune(w[i]) {
		return false
	}
	if w[i] == 'y' {
		if i == 0 {
			return true
		}
		return !isConsonant(w, i-1)
	}
	return true
}

// measure counts "vc" transitions in the word's consonant/vowel pattern.
func measure(w []rune) int {
	m := 0
	for i := 0; i+1 < len(w); i++ {
		if !isConsonant(w, i) && isConsonant(w, i+1) {
			m++
		}
	}
	return m
}

func containsVowel(w []rune) bool {
	for i := range w {
		if !isConsonant(w, i) {
			return true
		}
	}
	return false
}

func endsDoubleConsonant(w []rune) bool {
	n := len(w)
	return n >= 2 && w[n-1] == w[n-2] && isConsonant(w, n-1)
}

func endsCVC(w []rune) bool {
	n := len(w)
	if n >= 3 && isConsonant(w, n-3) && !isConsonant(w, n-2) && isConsonant(w, n-1) &&
		w[n-1] != 'w' && w[n-1] != 'x' && w[n-1] != 'y' {
		return true
	}
	return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1)
}

func hasSuffix(w []rune, suf string) bool {
	if len(suf) > len(w) {
		return false
	}
	off := len(w) - len(suf)
	for i := 0; i < len(suf); i++ {
		if w[off+i] != rune(suf[i]) {
			return false
		}
	}
	return true
}

func replaceSuffix(w []rune, suf, rep string) []rune {
	out := make([]rune, 0, len(w)-len(suf)+len(rep))
	out = append(out, w[:len(w)-len(suf)]...)
	return append(out, []rune(rep)...)
}

// rule is a suffix-removal rule; suffix "*d" means "ends in a double
// consonant" and cond nil means unconditional.
type rule struct {
	suffix, rep string
	cond        func(stem []rune) bool
}

// applyRules is NLTK's _apply_rule_list: the first rule whose suffix
// matches decides; if its condition fails, the word is returned unchanged.
func applyRules(w []rune, rules []rule) []rune {
	for _, r := range rules {
		if r.suffix == "*d" && endsDoubleConsonant(w) {
			stem := w[:len(w)-2]
			if r.cond == nil || r.cond(stem) {
				return append(append([]rune(nil), stem...), []rune(r.rep)...)
			}
			return w
		}
		if hasSuffix(w, r.suffix) {
			stem := w[:len(w)-len(r.suffix)]
			if r.cond == nil || r.cond(stem) {
				return append(append([]rune(nil), stem...), []rune(r.rep)...)
			}
			return w
		}
	}
	return w
}

func positive(stem []rune) bool { return measure(stem) > 0 }
func gt1(stem []rune) bool      { return measure(stem) > 1 }

func step1a(w []rune) []rune {
	if hasSuffix(w, "ies") && len(w) == 4 {
		return replaceSuffix(w, "ies", "ie")
	}
	return applyRules(w, []rule{{"sses", "ss", nil}, {"ies", "i", nil}, {"ss", "ss", nil}, {"s", "", nil}})
}

func step1b(w []rune) []rune {
	if hasSuffix(w, "ied") {
		if len(w) == 4 {
			return replaceSuffix(w, "ied", "ie")
		}
		return replaceSuffix(w, "ied", "i")
	}
	if hasSuffix(w, "eed") {
		stem := w[:len(w)-3]
		if measure(stem) > 0 {
			return replaceSuffix(w, "eed", "ee")
		}
		return w
	}
	var inter []rune
	ok := false
	for _, suf := range []string{"ed", "ing"} {
		if hasSuffix(w, suf) {
			inter = w[:len(w)-len(suf)]
			if containsVowel(inter) {
				ok = true
				break
			}
		}
	}
	if !ok {
		return w
	}
	inter = append([]rune(nil), inter...)
	last := ""
	if len(inter) > 0 {
		last = string(inter[len(inter)-1])
	}
	return applyRules(inter, []rule{
		{"at", "ate", nil},
		{"bl", "ble", nil},
		{"iz", "ize", nil},
		{"*d", last, func([]rune) bool { return last != "l" && last != "s" && last != "z" }},
		{"", "e", func(stem []rune) bool { return measure(stem) == 1 && endsCVC(stem) }},
	})
}

func step1c(w []rune) []rune {
	return applyRules(w, []rule{{"y", "i", func(stem []rune) bool {
		return len(stem) > 1 && isConsonant(stem, len(stem)-1)
	}}})
}

func step2(w []rune) []rune {
	if hasSuffix(w, "alli") && positive(w[:len(w)-4]) {
		return step2(replaceSuffix(w, "alli", "al"))
	}
	word := w
	return applyRules(w, []rule{
		{"ational", "ate", positive}, {"tional", "tion", positive}, {"enci", "ence", positive},
		{"anci", "ance", positive}, {"izer", "ize", positive}, {"bli", "ble", positive},
		{"alli", "al", positive}, {"entli", "ent", positive}, {"eli", "e", positive},
		{"ousli", "ous", positive}, {"ization", "ize", positive}, {"ation", "ate", positive},
		{"ator", "ate", positive}, {"alism", "al", positive}, {"iveness", "ive", positive},
		{"fulness", "ful", positive}, {"ousness", "ous", positive}, {"aliti", "al", positive},
		{"iviti", "ive", positive}, {"biliti", "ble", positive}, {"fulli", "ful", positive},
		// The l of logi stays with the stem for the measure (NLTK).
		{"logi", "log", func([]rune) bool { return positive(word[:len(word)-3]) }},
	})
}

func step3(w []rune) []rune {
	return applyRules(w, []rule{
		{"icate", "ic", positive}, {"ative", "", positive}, {"alize", "al", positive},
		{"iciti", "ic", positive}, {"ical", "ic", positive}, {"ful", "", positive}, {"ness", "", positive},
	})
}

func step4(w []rune) []rune {
	return applyRules(w, []rule{
		{"al", "", gt1}, {"ance", "", gt1}, {"ence", "", gt1}, {"er", "", gt1}, {"ic", "", gt1},
		{"able", "", gt1}, {"ible", "", gt1}, {"ant", "", gt1}, {"ement", "", gt1}, {"ment", "", gt1},
		{"ent", "", gt1},
		{"ion", "", func(stem []rune) bool {
			return measure(stem) > 1 && len(stem) > 0 && (stem[len(stem)-1] == 's' || stem[len(stem)-1] == 't')
		}},
		{"ou", "", gt1}, {"ism", "", gt1}, {"ate", "", gt1}, {"iti", "", gt1}, {"ous", "", gt1},
		{"ive", "", gt1}, {"ize", "", gt1},
	})
}

func step5a(w []rune) []rune {
	if hasSuffix(w, "e") {
		stem := w[:len(w)-1]
		if measure(stem) > 1 {
			return stem
		}
		if measure(stem) == 1 && !endsCVC(stem) {
			return stem
		}
	}
	return w
}

func step5b(w []rune) []rune {
	word := w
	return applyRules(w, []rule{{"ll", "l", func([]rune) bool { return measure(word[:len(word)-1]) > 1 }}})
}
