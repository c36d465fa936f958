package tokenizer

import (
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
)

// A matcher finds the successive non-overlapping matches of a pattern as
// byte ranges, with the iteration rules of the Oniguruma engine used by the
// reference library: an empty match right after the previous match is
// skipped.
type matcher interface {
	// appendMatches appends the matches in s to dst.
	appendMatches(dst [][2]int, s string) [][2]int
}

// findAll returns all matches of m in s.
func findAll(m matcher, s string) [][2]int { return m.appendMatches(nil, s) }

// matchBufs recycles match buffers between calls.
var matchBufs = sync.Pool{New: func() any { return new([][2]int) }}

// compilePattern builds a matcher for a tokenizer.json pattern: either a
// literal string or a regular expression. Patterns used by CLIP, GPT-2,
// Llama-3 and Qwen2 get hand-written matchers with the same results
// (checked against regexp2 by the tests); any other expression runs on
// regexp2, which supports look-around like Oniguruma.
func compilePattern(literal string, regex string, isRegex bool) (matcher, error) {
	if !isRegex {
		if literal == "" {
			return compileRegex(``)
		}
		return literalMatcher(literal), nil
	}
	if f, ok := fastMatchers[regex]; ok {
		return f, nil
	}
	return compileRegex(regex)
}

func compileRegex(expr string) (matcher, error) {
	re, err := regexp2.Compile(expr, regexp2.Unicode)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %v", expr, err)
	}
	// A pathological expression gives up on a text after this long (the
	// text then counts as unmatched) instead of hanging.
	re.MatchTimeout = 5 * time.Second
	return &regexMatcher{re: re, expr: expr}, nil
}

type literalMatcher string

func (l literalMatcher) appendMatches(out [][2]int, s string) [][2]int {
	pat := string(l)
	for off := 0; ; {
		i := strings.Index(s[off:], pat)
		if i < 0 {
			return out
		}
		out = append(out, [2]int{off + i, off + i + len(pat)})
		off += i + len(pat)
	}
}

type regexMatcher struct {
	re   *regexp2.Regexp
	expr string
}

func (m *regexMatcher) appendMatches(out [][2]int, s string) [][2]int {
	idx, err := m.re.FindAllStringIndex(s, -1)
	if err != nil {
		// regexp2 only fails on a time-out or a backtracking stack
		// overflow; the text then counts as unmatched.
		return out
	}
	for _, p := range idx {
		out = append(out, [2]int{p[0], p[1]})
	}
	return out
}

// splitBehavior says what happens to the delimiters a pattern finds.
type splitBehavior int

const (
	splitRemoved splitBehavior = iota
	splitIsolated
	splitMergedWithPrevious
	splitMergedWithNext
	splitContiguous
)

var splitBehaviors = map[string]splitBehavior{
	"Removed":            splitRemoved,
	"Isolated":           splitIsolated,
	"MergedWithPrevious": splitMergedWithPrevious,
	"MergedWithNext":     splitMergedWithNext,
	"Contiguous":         splitContiguous,
}

type span struct {
	start, end int
	match      bool
}

// matchSpans turns matches into a cover of s with match flags, like
// Pattern::find_matches; invert flips the flags.
func matchSpans(s string, ms [][2]int, invert bool) []span {
	if s == "" {
		return []span{{0, 0, invert}}
	}
	out := make([]span, 0, 2*len(ms)+1)
	prev := 0
	for _, m := range ms {
		if prev != m[0] {
			out = append(out, span{prev, m[0], invert})
		}
		out = append(out, span{m[0], m[1], !invert})
		prev = m[1]
	}
	if prev != len(s) {
		out = append(out, span{prev, len(s), invert})
	}
	return out
}

// piece is a part of the text on its way through pre-tokenization; first
// records that it starts at offset 0 of the original text (Metaspace's
// prepend_scheme "first" looks at it).
type piece struct {
	text  string
	first bool
}

// splitMatches splits p at the matches ms with behaviour b (inverted:
// the matches are the pieces); Isolated and Removed need no span list.
func splitMatches(dst []piece, p piece, ms [][2]int, invert bool, b splitBehavior) []piece {
	s := p.text
	keepMatches := b == splitIsolated || invert && b == splitRemoved
	keepGaps := b == splitIsolated || !invert && b == splitRemoved
	if !keepMatches && !keepGaps {
		return splitSpans(dst, p, matchSpans(s, ms, invert), b)
	}
	prev := 0
	for _, m := range ms {
		if keepGaps && m[0] > prev {
			dst = append(dst, piece{s[prev:m[0]], p.first && prev == 0})
		}
		if keepMatches && m[1] > m[0] {
			dst = append(dst, piece{s[m[0]:m[1]], p.first && m[0] == 0})
		}
		prev = m[1]
	}
	if keepGaps && prev < len(s) {
		dst = append(dst, piece{s[prev:], p.first && prev == 0})
	}
	return dst
}

// splitSpans applies a split behaviour and appends the non-empty pieces of
// p to dst.
func splitSpans(dst []piece, p piece, spans []span, b splitBehavior) []piece {
	s := p.text
	emit := func(sp span) {
		if sp.end > sp.start {
			dst = append(dst, piece{s[sp.start:sp.end], p.first && sp.start == 0})
		}
	}
	switch b {
	case splitIsolated:
		for _, sp := range spans {
			emit(sp)
		}
	case splitRemoved:
		for _, sp := range spans {
			if !sp.match {
				emit(sp)
			}
		}
	case splitContiguous:
		var acc []span
		prevMatch := false
		for _, sp := range spans {
			if sp.match == prevMatch && len(acc) > 0 {
				acc[len(acc)-1].end = sp.end
			} else {
				acc = append(acc, sp)
			}
			prevMatch = sp.match
		}
		for _, sp := range acc {
			emit(sp)
		}
	case splitMergedWithPrevious:
		var acc []span
		prevMatch := false
		for _, sp := range spans {
			if sp.match && !prevMatch && len(acc) > 0 {
				acc[len(acc)-1].end = sp.end
			} else {
				acc = append(acc, sp)
			}
			prevMatch = sp.match
		}
		for _, sp := range acc {
			emit(sp)
		}
	case splitMergedWithNext:
		var acc []span
		prevMatch := false
		for i := len(spans) - 1; i >= 0; i-- {
			sp := spans[i]
			if sp.match && !prevMatch && len(acc) > 0 {
				acc[len(acc)-1].start = sp.start
			} else {
				acc = append(acc, sp)
			}
			prevMatch = sp.match
		}
		for i := len(acc) - 1; i >= 0; i-- {
			emit(acc[i])
		}
	}
	return dst
}

// charSpans marks each character for which pred holds as a match, like the
// Fn(char) -> bool pattern.
func charSpans(s string, pred func(rune) bool) []span {
	if s == "" {
		return []span{{0, 0, false}}
	}
	var out []span
	last := 0
	for i, r := range s {
		if pred(r) {
			if last < i {
				out = append(out, span{last, i, false})
			}
			n := utf8.RuneLen(r)
			out = append(out, span{i, i + n, true})
			last = i + n
		}
	}
	if last < len(s) {
		out = append(out, span{last, len(s), false})
	}
	return out
}
