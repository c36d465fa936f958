package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// bpeModel is byte-pair encoding as in the Hugging Face BPE model: a word
// starts as its characters (with the continuing-subword prefix on all but
// the first and the end-of-word suffix on the last), then the adjacent pair
// with the lowest merge rank is merged, leftmost first, until no pair has a
// merge.
type bpeModel struct {
	*vocabulary
	merges           map[uint64]bpeMerge
	unkID            int // -1 when there is no unknown token
	fuseUnk          bool
	byteFallback     bool
	continuingPrefix string
	endOfWordSuffix  string
	ignoreMerges     bool
	byteIDs          [256]int // ids of <0xAB> tokens, -1 when absent
	cache            *wordCache
}

type bpeMerge struct {
	rank, newID int32
}

func pairKey(a, b int) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// newBPE checks the merges against the vocabulary and builds the model.
func newBPE(vocab map[string]int, merges [][2]string, unk string, prefix, suffix string,
	fuseUnk, byteFallback, ignoreMerges bool) (*bpeModel, error) {
	m := &bpeModel{
		vocabulary:       newVocabulary(vocab),
		merges:           make(map[uint64]bpeMerge, len(merges)),
		unkID:            -1,
		fuseUnk:          fuseUnk,
		byteFallback:     byteFallback,
		continuingPrefix: prefix,
		endOfWordSuffix:  suffix,
		ignoreMerges:     ignoreMerges,
		cache:            newWordCache(1 << 16),
	}
	if unk != "" {
		id, ok := vocab[unk]
		if !ok {
			return nil, fmt.Errorf("unk_token %q is not in the vocabulary", unk)
		}
		m.unkID = id
	}
	for rank, mg := range merges {
		a, ok := vocab[mg[0]]
		if !ok {
			return nil, fmt.Errorf("merge %d (%q %q): token %q is not in the vocabulary", rank+1, mg[0], mg[1], mg[0])
		}
		b, ok := vocab[mg[1]]
		if !ok {
			return nil, fmt.Errorf("merge %d (%q %q): token %q is not in the vocabulary", rank+1, mg[0], mg[1], mg[1])
		}
		right := mg[1]
		if prefix != "" && strings.HasPrefix(right, prefix) {
			right = right[len(prefix):]
		}
		merged := mg[0] + right
		id, ok := vocab[merged]
		if !ok {
			return nil, fmt.Errorf("merge %d (%q %q): merged token %q is not in the vocabulary", rank+1, mg[0], mg[1], merged)
		}
		m.merges[pairKey(a, b)] = bpeMerge{int32(rank), int32(id)}
	}
	for b := 0; b < 256; b++ {
		m.byteIDs[b] = -1
		if id, ok := vocab[byteFallbackToken(byte(b))]; ok {
			m.byteIDs[b] = id
		}
	}
	return m, nil
}

func (m *bpeModel) tokenize(dst []tok, word string) []tok {
	if word == "" {
		return dst
	}
	if m.ignoreMerges {
		if id, ok := m.ids[word]; ok {
			return append(dst, tok{id, m.token(id)})
		}
	}
	if t, ok := m.cache.get(word); ok {
		return append(dst, t...)
	}
	ids := m.mergeWord(word)
	out := make([]tok, len(ids))
	for i, id := range ids {
		out[i] = tok{id, m.token(id)}
	}
	m.cache.put(word, out)
	return append(dst, out...)
}

// bpeSymbol is a node of the doubly linked list of symbols of a word.
type bpeSymbol struct {
	id         int
	prev, next int
	alive      bool
}

// mergeWord returns the ids of word after all merges.
func (m *bpeModel) mergeWord(w string) []int {
	syms := make([]bpeSymbol, 0, len(w))
	add := func(id int) {
		n := len(syms)
		if n > 0 {
			syms[n-1].next = n
		}
		syms = append(syms, bpeSymbol{id: id, prev: n - 1, next: -1, alive: true})
	}
	unkPending := false
	var buf []byte
	for i := 0; i < len(w); {
		_, size := utf8.DecodeRuneInString(w[i:])
		isFirst, isLast := i == 0, i+size == len(w)
		s := w[i : i+size]
		if (!isFirst && m.continuingPrefix != "") || (isLast && m.endOfWordSuffix != "") {
			buf = buf[:0]
			if !isFirst {
				buf = append(buf, m.continuingPrefix...)
			}
			buf = append(buf, s...)
			if isLast {
				buf = append(buf, m.endOfWordSuffix...)
			}
			s = string(buf)
		}
		i += size
		if id, ok := m.ids[s]; ok {
			if unkPending {
				add(m.unkID)
				unkPending = false
			}
			add(id)
			continue
		}
		if m.byteFallback {
			all := true
			for k := 0; k < len(s); k++ {
				if m.byteIDs[s[k]] < 0 {
					all = false
					break
				}
			}
			if all {
				for k := 0; k < len(s); k++ {
					add(m.byteIDs[s[k]])
				}
				continue
			}
		}
		if m.unkID >= 0 {
			if unkPending && !m.fuseUnk {
				add(m.unkID)
			}
			unkPending = true
		}
	}
	if unkPending {
		add(m.unkID)
	}
	m.mergeAll(syms)
	ids := make([]int, 0, len(syms))
	for i := range syms {
		if syms[i].alive {
			ids = append(ids, syms[i].id)
		}
	}
	return ids
}

// mergeAll applies merges with a priority queue ordered by (rank, position),
// as the reference does.
func (m *bpeModel) mergeAll(syms []bpeSymbol) {
	if len(syms) < 2 {
		return
	}
	q := bpeQueue(make([]bpeQItem, 0, len(syms)))
	for i := 0; i+1 < len(syms); i++ {
		if mg, ok := m.merges[pairKey(syms[i].id, syms[i+1].id)]; ok {
			q.push(bpeQItem{mg.rank, int32(i), mg.newID})
		}
	}
	for len(q) > 0 {
		top := q.pop()
		pos := int(top.pos)
		s := &syms[pos]
		if !s.alive || s.next < 0 {
			continue
		}
		right := &syms[s.next]
		mg, ok := m.merges[pairKey(s.id, right.id)]
		if !ok || mg.newID != top.newID {
			continue
		}
		s.id = int(top.newID)
		right.alive = false
		s.next = right.next
		if right.next >= 0 {
			syms[right.next].prev = pos
		}
		if s.prev >= 0 {
			if mg, ok := m.merges[pairKey(syms[s.prev].id, s.id)]; ok {
				q.push(bpeQItem{mg.rank, int32(s.prev), mg.newID})
			}
		}
		if s.next >= 0 {
			if mg, ok := m.merges[pairKey(s.id, syms[s.next].id)]; ok {
				q.push(bpeQItem{mg.rank, int32(pos), mg.newID})
			}
		}
	}
}

type bpeQItem struct{ rank, pos, newID int32 }

func (a bpeQItem) less(b bpeQItem) bool {
	return a.rank < b.rank || a.rank == b.rank && a.pos < b.pos
}

// bpeQueue is a binary min-heap.
type bpeQueue []bpeQItem

func (q *bpeQueue) push(x bpeQItem) {
	*q = append(*q, x)
	h := *q
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].less(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *bpeQueue) pop() bpeQItem {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && h[r].less(h[l]) {
			c = r
		}
		if !h[c].less(h[i]) {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	*q = h
	return top
}
