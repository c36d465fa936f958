package tokenizer

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// unigramModel segments a word with the Viterbi algorithm over the pieces
// of a Unigram language model (SentencePiece, T5, SigLIP). Characters no
// piece covers score minScore-10 as the unknown token; consecutive unknown
// characters are fused into one token, which byte fallback can spell out
// as <0xAB> tokens.
type unigramModel struct {
	pieces       []string
	scores       []float64
	ids          map[string]int
	unkID        int // -1 when none
	byteFallback bool
	minScore     float64
	maxLen       int // longest piece in bytes
	cache        *wordCache
}

const unigramUnkPenalty = 10.0

func newUnigram(pieces []string, scores []float64, unkID int, byteFallback bool) (*unigramModel, error) {
	if len(pieces) == 0 {
		return nil, fmt.Errorf("unigram vocabulary is empty")
	}
	if unkID >= len(pieces) {
		return nil, fmt.Errorf("unk_id %d is outside the %d-entry vocabulary", unkID, len(pieces))
	}
	m := &unigramModel{pieces: pieces, scores: scores, ids: make(map[string]int, len(pieces)),
		unkID: unkID, byteFallback: byteFallback, minScore: math.Inf(1), cache: newWordCache(1 << 16)}
	for i, p := range pieces {
		m.ids[p] = i
		if scores[i] < m.minScore {
			m.minScore = scores[i]
		}
		if len(p) > m.maxLen {
			m.maxLen = len(p)
		}
	}
	return m, nil
}

func (m *unigramModel) tokenToID(s string) (int, bool) {
	id, ok := m.ids[s]
	return id, ok
}

func (m *unigramModel) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(m.pieces) {
		return "", false
	}
	return m.pieces[id], true
}

func (m *unigramModel) size() int { return len(m.pieces) }

func (m *unigramModel) idBound() int { return len(m.pieces) }

func (m *unigramModel) tokenize(dst []tok, word string) []tok {
	if word == "" {
		return dst
	}
	if t, ok := m.cache.get(word); ok {
		return append(dst, t...)
	}
	var out []tok
	for _, s := range m.encode(word) {
		if id, ok := m.ids[s]; ok {
			out = append(out, tok{id, s})
			continue
		}
		if m.byteFallback {
			bytes := make([]tok, 0, len(s))
			for k := 0; k < len(s); k++ {
				bt := byteFallbackToken(s[k])
				id, ok := m.ids[bt]
				if !ok {
					bytes = nil
					break
				}
				bytes = append(bytes, tok{id, bt})
			}
			if bytes != nil {
				out = append(out, bytes...)
				continue
			}
		}
		if m.unkID >= 0 {
			out = append(out, tok{m.unkID, s})
		}
	}
	m.cache.put(word, out)
	return append(dst, out...)
}

type unigramNode struct {
	id       int
	score    float64
	startsAt int // -1 until reached
}

// encode returns the best segmentation of s as strings, unknown runs fused.
func (m *unigramModel) encode(s string) []string {
	best := make([]unigramNode, len(s)+1)
	for i := range best {
		best[i].startsAt = -1
	}
	unkScore := m.minScore - unigramUnkPenalty
	for start := 0; start < len(s); {
		here := best[start].score
		_, mblen := utf8.DecodeRuneInString(s[start:])
		single := false
		limit := len(s)
		if start+m.maxLen < limit {
			limit = start + m.maxLen
		}
		for end := start + mblen; end <= limit; {
			if id, ok := m.ids[s[start:end]]; ok {
				cand := m.scores[id] + here
				if t := &best[end]; t.startsAt < 0 || cand > t.score {
					t.score, t.startsAt, t.id = cand, start, id
				}
				if end-start == mblen {
					single = true
				}
			}
			if end == len(s) {
				break
			}
			_, n := utf8.DecodeRuneInString(s[end:])
			end += n
		}
		if !single {
			cand := unkScore + here
			if t := &best[start+mblen]; t.startsAt < 0 || cand > t.score {
				t.score, t.startsAt, t.id = cand, start, m.unkID
			}
		}
		start += mblen
	}
	var rev []string
	unkEnd := -1
	for end := len(s); end > 0; {
		n := best[end]
		if n.startsAt < 0 {
			// Unreachable without an unknown token: drop the character.
			_, k := utf8.DecodeLastRuneInString(s[:end])
			if unkEnd >= 0 {
				rev = append(rev, s[end:unkEnd])
				unkEnd = -1
			}
			end -= k
			continue
		}
		if m.unkID >= 0 && n.id == m.unkID {
			if unkEnd < 0 {
				unkEnd = end
			}
		} else {
			if unkEnd >= 0 {
				rev = append(rev, s[end:unkEnd])
				unkEnd = -1
			}
			rev = append(rev, s[n.startsAt:end])
		}
		end = n.startsAt
	}
	if unkEnd >= 0 {
		rev = append(rev, s[0:unkEnd])
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}
