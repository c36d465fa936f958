package tokenizer

import (
	"fmt"
	"unicode/utf8"
)

// wordPieceModel is greedy longest-match-first WordPiece (BERT): a word
// longer than maxChars characters, or one that cannot be covered by
// vocabulary pieces, becomes the unknown token.
type wordPieceModel struct {
	*vocabulary
	unkID    int
	prefix   string
	maxChars int
	cache    *wordCache
}

func newWordPiece(vocab map[string]int, unk, prefix string, maxChars int) (*wordPieceModel, error) {
	id, ok := vocab[unk]
	if !ok {
		return nil, fmt.Errorf("unk_token %q is not in the vocabulary", unk)
	}
	return &wordPieceModel{newVocabulary(vocab), id, prefix, maxChars, newWordCache(1 << 16)}, nil
}

func (m *wordPieceModel) tokenize(dst []tok, word string) []tok {
	if word == "" {
		return dst
	}
	if t, ok := m.cache.get(word); ok {
		return append(dst, t...)
	}
	out := m.pieces(word)
	m.cache.put(word, out)
	return append(dst, out...)
}

func (m *wordPieceModel) pieces(word string) []tok {
	unk := []tok{{m.unkID, m.token(m.unkID)}}
	if utf8.RuneCountInString(word) > m.maxChars {
		return unk
	}
	var out []tok
	for start := 0; start < len(word); {
		end := len(word)
		found := false
		for start < end {
			sub := word[start:end]
			if start > 0 {
				sub = m.prefix + sub
			}
			if id, ok := m.ids[sub]; ok {
				out = append(out, tok{id, m.token(id)})
				found = true
				break
			}
			_, n := utf8.DecodeLastRuneInString(word[start:end])
			end -= n
		}
		if !found {
			return unk
		}
		start = end
	}
	return out
}

// wordLevelModel maps each word to its id, or to the unknown token.
type wordLevelModel struct {
	*vocabulary
	unkID int
}

func newWordLevel(vocab map[string]int, unk string) (*wordLevelModel, error) {
	m := &wordLevelModel{newVocabulary(vocab), -1}
	if unk != "" {
		id, ok := vocab[unk]
		if !ok {
			return nil, fmt.Errorf("unk_token %q is not in the vocabulary", unk)
		}
		m.unkID = id
	}
	return m, nil
}

func (m *wordLevelModel) tokenize(dst []tok, word string) []tok {
	if word == "" {
		return dst
	}
	if id, ok := m.ids[word]; ok {
		return append(dst, tok{id, m.token(id)})
	}
	if m.unkID >= 0 {
		return append(dst, tok{m.unkID, m.token(m.unkID)})
	}
	return dst
}
