package tokenizer

import "unicode/utf8"

// AddedToken is a token matched in the raw (or normalized) text before
// the model runs, as listed under "added_tokens" in tokenizer.json.
type AddedToken struct {
	ID      int    `json:"id"`
	Content string `json:"content"`
	// SingleWord: only match when not inside a word.
	SingleWord bool `json:"single_word"`
	// LStrip and RStrip: also swallow the white space on that side.
	LStrip bool `json:"lstrip"`
	RStrip bool `json:"rstrip"`
	// Normalized: match against the normalized text rather than the raw
	// text.
	Normalized bool `json:"normalized"`
	// Special: skipped by Decode(ids, true).
	Special bool `json:"special"`
}

// tokenSet finds added tokens with leftmost-longest matching.
type tokenSet struct {
	byFirst [256][]int // indices into toks, by first byte
	toks    []AddedToken
	pats    []string
}

func newTokenSet(toks []AddedToken, pats []string) *tokenSet {
	if len(toks) == 0 {
		return nil
	}
	ts := &tokenSet{toks: toks, pats: pats}
	for i, p := range pats {
		if p == "" {
			continue
		}
		ts.byFirst[p[0]] = append(ts.byFirst[p[0]], i)
	}
	return ts
}

// find returns the leftmost-longest match at or after from, or -1.
func (ts *tokenSet) find(s string, from int) (start, end, idx int) {
	for i := from; i < len(s); i++ {
		cands := ts.byFirst[s[i]]
		if len(cands) == 0 {
			continue
		}
		best, bestLen := -1, 0
		for _, c := range cands {
			p := ts.pats[c]
			if len(p) > bestLen && len(s)-i >= len(p) && s[i:i+len(p)] == p {
				best, bestLen = c, len(p)
			}
		}
		if best >= 0 {
			return i, i + bestLen, best
		}
	}
	return -1, -1, -1
}

// segment is a stretch of text that is either an added token (tokenIdx >=
// 0) or text still to be processed.
type segment struct {
	text     string
	first    bool // starts at offset 0 of the original text
	tokenIdx int
}

// splitAdded cuts s at the added tokens of ts, following the lstrip,
// rstrip and single_word rules of the reference.
func (ts *tokenSet) splitAdded(dst []segment, s string, first bool) []segment {
	if ts == nil {
		if s != "" {
			dst = append(dst, segment{s, first, -1})
		}
		return dst
	}
	startOffset := 0
	for pos := 0; pos < len(s); {
		start, stop, idx := ts.find(s, pos)
		if idx < 0 {
			break
		}
		pos = stop
		t := ts.toks[idx]
		if t.SingleWord {
			startSpace := start == 0 || !endsWithWord(s[:start])
			stopSpace := stop == len(s) || !startsWithWord(s[stop:])
			if !startSpace || !stopSpace {
				continue
			}
		}
		if t.LStrip {
			ns := start
			for ns > 0 {
				r, n := utf8.DecodeLastRuneInString(s[:ns])
				if !isRustWhitespace(r) {
					break
				}
				ns -= n
			}
			start = max(ns, startOffset)
		}
		if t.RStrip {
			for stop < len(s) {
				r, n := utf8.DecodeRuneInString(s[stop:])
				if !isRustWhitespace(r) {
					break
				}
				stop += n
			}
		}
		if startOffset < start {
			dst = append(dst, segment{s[startOffset:start], first && startOffset == 0, -1})
		}
		dst = append(dst, segment{s[start:stop], first && start == 0, idx})
		startOffset = stop
	}
	if startOffset < len(s) {
		dst = append(dst, segment{s[startOffset:], first && startOffset == 0, -1})
	}
	return dst
}

func endsWithWord(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && isWordChar(r)
}

func startsWithWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && isWordChar(r)
}
