package tokenizer

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// A preTokenizer splits a piece of normalized text into smaller pieces
// (words), each of which the model tokenizes on its own. Implementations
// mirror the Hugging Face pre-tokenizers of the same names.
type preTokenizer interface {
	split(dst []piece, p piece) []piece
}

// seqPreTokenizer runs pre-tokenizers one after the other ("Sequence").
type seqPreTokenizer []preTokenizer

func (q seqPreTokenizer) split(dst []piece, p piece) []piece {
	if len(q) == 0 {
		return append(dst, p)
	}
	a, b := pieceBufs.Get().(*[]piece), pieceBufs.Get().(*[]piece)
	cur := append((*a)[:0], p)
	next := (*b)[:0]
	for i, pt := range q {
		out := next[:0]
		if i == len(q)-1 {
			out = dst
		}
		for _, c := range cur {
			out = pt.split(out, c)
		}
		if i == len(q)-1 {
			dst = out
			break
		}
		cur, next = out, cur
	}
	clear(cur[:cap(cur)])
	clear(next[:cap(next)])
	*a, *b = cur, next
	pieceBufs.Put(a)
	pieceBufs.Put(b)
	return dst
}

// pieceBufs recycles piece buffers between calls.
var pieceBufs = sync.Pool{New: func() any { return new([]piece) }}

// splitPreTokenizer is "Split": a literal or regular expression, a
// behaviour for the delimiters, and invert (the pattern matches the pieces
// rather than the delimiters).
type splitPreTokenizer struct {
	pattern  matcher
	behavior splitBehavior
	invert   bool
}

func (sp splitPreTokenizer) split(dst []piece, p piece) []piece {
	buf := matchBufs.Get().(*[][2]int)
	ms := sp.pattern.appendMatches((*buf)[:0], p.text)
	dst = splitMatches(dst, p, ms, sp.invert, sp.behavior)
	*buf = ms
	matchBufs.Put(buf)
	return dst
}

// byteLevelPreTokenizer is "ByteLevel": optionally prefix a space, split
// with the GPT-2 expression, then map bytes to their stand-in characters.
type byteLevelPreTokenizer struct {
	addPrefixSpace bool
	useRegex       bool
}

var gpt2Matcher = fastMatchers[patternGPT2]

func (bl byteLevelPreTokenizer) split(dst []piece, p piece) []piece {
	s := p.text
	if bl.addPrefixSpace && s != "" && !strings.HasPrefix(s, " ") {
		s = " " + s
	}
	start := len(dst)
	if bl.useRegex {
		buf := matchBufs.Get().(*[][2]int)
		ms := gpt2Matcher.appendMatches((*buf)[:0], s)
		dst = splitMatches(dst, piece{s, p.first}, ms, false, splitIsolated)
		*buf = ms
		matchBufs.Put(buf)
	} else if s != "" {
		dst = append(dst, piece{s, p.first})
	}
	for i := start; i < len(dst); i++ {
		dst[i].text = byteLevelEncode(dst[i].text)
	}
	return dst
}

// prependScheme says when Metaspace adds the replacement character in
// front of a piece.
type prependScheme int

const (
	prependAlways prependScheme = iota
	prependNever
	prependFirst
)

// metaspacePreTokenizer is "Metaspace": spaces become the replacement
// character (▁), which is prepended according to the scheme, and the text is
// split before each replacement character.
type metaspacePreTokenizer struct {
	replacement rune
	repl        string
	scheme      prependScheme
	doSplit     bool
}

func (m metaspacePreTokenizer) split(dst []piece, p piece) []piece {
	s := strings.ReplaceAll(p.text, " ", m.repl)
	switch m.scheme {
	case prependAlways:
		if s != "" && !strings.HasPrefix(s, m.repl) {
			s = m.repl + s
		}
	case prependFirst:
		if s != "" && !strings.HasPrefix(s, m.repl) && p.first {
			s = m.repl + s
		}
	}
	np := piece{s, p.first}
	if !m.doSplit {
		if s != "" {
			dst = append(dst, np)
		}
		return dst
	}
	return splitSpans(dst, np, charSpans(s, func(r rune) bool { return r == m.replacement }), splitMergedWithNext)
}

// whitespacePreTokenizer is "Whitespace": the pieces are the matches of
// \w+|[^\w\s]+.
type whitespacePreTokenizer struct{}

func (whitespacePreTokenizer) split(dst []piece, p piece) []piece {
	s := p.text
	var ms [][2]int
	for i := 0; i < len(s); {
		r, n := decode(s, i)
		switch {
		case isWordChar(r):
			e := runOf(s, i+n, isWordChar)
			ms = append(ms, [2]int{i, e})
			i = e
		case !isRustWhitespace(r):
			e := runOf(s, i+n, func(r rune) bool { return !isWordChar(r) && !isRustWhitespace(r) })
			ms = append(ms, [2]int{i, e})
			i = e
		default:
			i += n
		}
	}
	return splitSpans(dst, p, matchSpans(s, ms, true), splitRemoved)
}

// charPredPreTokenizer splits on each character satisfying pred with the
// given behaviour: WhitespaceSplit, Punctuation, Digits and
// CharDelimiterSplit are all of this form.
type charPredPreTokenizer struct {
	pred     func(rune) bool
	behavior splitBehavior
}

func (c charPredPreTokenizer) split(dst []piece, p piece) []piece {
	return splitSpans(dst, p, charSpans(p.text, c.pred), c.behavior)
}

func whitespaceSplit() preTokenizer {
	return charPredPreTokenizer{isRustWhitespace, splitRemoved}
}

// bertPreTokenizer splits on white space (removed) and punctuation
// (isolated).
type bertPreTokenizer struct{}

func (bertPreTokenizer) split(dst []piece, p piece) []piece {
	var words []piece
	words = splitSpans(words, p, charSpans(p.text, isRustWhitespace), splitRemoved)
	for _, w := range words {
		dst = splitSpans(dst, w, charSpans(w.text, isPunctuation), splitIsolated)
	}
	return dst
}

func isNumeric(r rune) bool { return unicode.IsNumber(r) }

// fixedLengthPreTokenizer cuts pieces into chunks of n characters.
type fixedLengthPreTokenizer struct{ n int }

func (f fixedLengthPreTokenizer) split(dst []piece, p piece) []piece {
	s := p.text
	for i := 0; i < len(s); {
		j, k := i, 0
		for ; k < f.n && j < len(s); k++ {
			_, sz := utf8.DecodeRuneInString(s[j:])
			j += sz
		}
		dst = append(dst, piece{s[i:j], p.first && i == 0})
		i = j
	}
	return dst
}
