package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vlmtune/vlmtune/tokenizer/sentencepiece"
)

const spmSpace = "\u2581" // ▁, SentencePiece's escaped space

// fromSentencePiece builds a Tokenizer that encodes like
// SentencePieceProcessor.EncodeAsIds and decodes like DecodeIds.
func fromSentencePiece(file string, sp *sentencepiece.Model) (*Tokenizer, error) {
	var cm *charsMap
	if len(sp.Normalizer.PrecompiledCharsmap) > 0 {
		var err error
		if cm, err = parseCharsMap(sp.Normalizer.PrecompiledCharsmap); err != nil {
			return nil, &FormatError{File: file, Key: "normalizer_spec.precompiled_charsmap", Msg: err.Error()}
		}
	}
	m := newSPMModel(sp)
	n := &spmNormalizer{cm: cm, spec: sp.Normalizer, suffix: sp.TreatWhitespaceAsSuffix, user: m.user}
	t := &Tokenizer{model: m, normalizer: n, source: file}
	d := spmDecoder{dummyPrefix: sp.Normalizer.AddDummyPrefix, control: map[string]bool{}}
	t.setAddedTokens(nil)
	for i, p := range sp.Pieces {
		switch p.Type {
		case sentencepiece.Control, sentencepiece.Unknown:
			t.specialTexts[p.Text] = true
			if p.Type == sentencepiece.Control {
				d.control[p.Text] = true
			} else {
				d.unk = p.Text
			}
		}
		_ = i
	}
	t.dec = d
	return t, nil
}

// spmNormalizer is SentencePiece's Normalizer::Normalize: the precompiled
// map applied by longest prefix (user-defined symbols are kept verbatim),
// extra white space removed, a dummy "▁" prefix added and spaces escaped.
type spmNormalizer struct {
	cm     *charsMap
	spec   sentencepiece.NormalizerSpec
	suffix bool
	user   *prefixSet
}

// prefix returns the normalized form of the start of s and the number of
// bytes it consumed.
func (n *spmNormalizer) prefix(s string) (string, int) {
	if k := n.user.longest(s); k > 0 {
		return s[:k], k
	}
	if n.cm != nil {
		if k, rep, ok := n.cm.longestPrefix(s); ok {
			return rep, k
		}
	}
	r, k := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && k <= 1 {
		return "\uFFFD", 1
	}
	return s[:k], k
}

func (n *spmNormalizer) normalize(s string) string {
	if s == "" {
		return s
	}
	spec := n.spec
	if spec.RemoveExtraWhitespaces {
		for s != "" {
			p, k := n.prefix(s)
			if p != " " {
				break
			}
			s = s[k:]
		}
	}
	if s == "" {
		return ""
	}
	ws := " "
	if spec.EscapeWhitespaces {
		ws = spmSpace
	}
	var b strings.Builder
	b.Grow(len(s) * 2)
	if !n.suffix && spec.AddDummyPrefix {
		b.WriteString(ws)
	}
	prevSpace := spec.RemoveExtraWhitespaces
	for s != "" {
		p, k := n.prefix(s)
		for prevSpace && strings.HasPrefix(p, " ") {
			p = p[1:]
		}
		if p != "" {
			if spec.EscapeWhitespaces {
				b.WriteString(strings.ReplaceAll(p, " ", spmSpace))
			} else {
				b.WriteString(p)
			}
			prevSpace = strings.HasSuffix(p, " ")
		}
		s = s[k:]
		if !spec.RemoveExtraWhitespaces {
			prevSpace = false
		}
	}
	out := b.String()
	if spec.RemoveExtraWhitespaces {
		for strings.HasSuffix(out, ws) {
			out = out[:len(out)-len(ws)]
		}
	}
	if n.suffix && spec.AddDummyPrefix {
		out += ws
	}
	return out
}

// prefixSet finds the longest of a set of strings at the start of a text
// (SentencePiece's user-defined symbols).
type prefixSet struct {
	byFirst [256][]string
}

func (p *prefixSet) longest(s string) int {
	if p == nil || s == "" {
		return 0
	}
	best := 0
	for _, c := range p.byFirst[s[0]] {
		if len(c) > best && strings.HasPrefix(s, c) {
			best = len(c)
		}
	}
	return best
}

// spmModel segments normalized text with SentencePiece's unigram
// (EncodeOptimized, float32 scores) or BPE algorithm, then applies byte
// fallback or fuses runs of unknown pieces, as SentencePieceProcessor does.
type spmModel struct {
	pieces       []sentencepiece.Piece
	ids          map[string]int // normal, user-defined and unused pieces
	reserved     map[string]int // control, unknown and byte pieces
	bpe          bool
	byteFallback bool
	unkID        int
	minScore     float32
	maxScore     float32
	maxLen       int
	user         *prefixSet
	byteIDs      [256]int
	cache        *wordCache
}

func newSPMModel(sp *sentencepiece.Model) *spmModel {
	m := &spmModel{pieces: sp.Pieces, ids: map[string]int{}, reserved: map[string]int{},
		bpe: sp.Type == sentencepiece.BPE, byteFallback: sp.ByteFallback, unkID: sp.UnkID,
		cache: newWordCache(1 << 16)}
	first := true
	for i, p := range sp.Pieces {
		switch p.Type {
		case sentencepiece.Normal, sentencepiece.UserDefined, sentencepiece.Unused:
			m.ids[p.Text] = i
			m.maxLen = max(m.maxLen, len(p.Text))
		default:
			m.reserved[p.Text] = i
		}
		if p.Type == sentencepiece.UserDefined {
			if m.user == nil {
				m.user = &prefixSet{}
			}
			m.user.byFirst[p.Text[0]] = append(m.user.byFirst[p.Text[0]], p.Text)
		}
		if p.Type == sentencepiece.Normal {
			if first || p.Score < m.minScore {
				m.minScore = p.Score
			}
			if first || p.Score > m.maxScore {
				m.maxScore = p.Score
			}
			first = false
		}
	}
	for b := 0; b < 256; b++ {
		m.byteIDs[b] = m.unkID
		if id, ok := m.reserved[byteFallbackToken(byte(b))]; ok {
			m.byteIDs[b] = id
		}
	}
	return m
}

func (m *spmModel) tokenToID(s string) (int, bool) {
	if id, ok := m.reserved[s]; ok {
		return id, true
	}
	id, ok := m.ids[s]
	return id, ok
}

func (m *spmModel) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(m.pieces) {
		return "", false
	}
	return m.pieces[id].Text, true
}

func (m *spmModel) size() int { return len(m.pieces) }

func (m *spmModel) idBound() int { return len(m.pieces) }

// pieceID is SentencePiece's PieceToId: reserved pieces first, then the
// others, else the unknown id.
func (m *spmModel) pieceID(s string) int {
	if id, ok := m.reserved[s]; ok {
		return id
	}
	if id, ok := m.ids[s]; ok {
		return id
	}
	return m.unkID
}

func (m *spmModel) tokenize(dst []tok, s string) []tok {
	if s == "" {
		return dst
	}
	if t, ok := m.cache.get(s); ok {
		return append(dst, t...)
	}
	var segs []spmSeg
	if m.bpe {
		segs = m.encodeBPE(s)
	} else {
		segs = m.encodeUnigram(s)
	}
	var out []tok
	prevUnk := false
	for _, sg := range segs {
		isUnk := sg.id == m.unkID
		switch {
		case isUnk && m.byteFallback:
			for k := 0; k < len(sg.text); k++ {
				id := m.byteIDs[sg.text[k]]
				out = append(out, tok{id, m.pieces[id].Text})
			}
		case isUnk && prevUnk:
			out[len(out)-1].value += sg.text
		default:
			out = append(out, tok{sg.id, sg.text})
		}
		prevUnk = isUnk
	}
	m.cache.put(s, out)
	return append(dst, out...)
}

type spmSeg struct {
	text string
	id   int
}

func (m *spmModel) encodeUnigram(s string) []spmSeg {
	type node struct {
		id       int
		score    float32
		startsAt int
	}
	best := make([]node, len(s)+1)
	for i := range best {
		best[i].startsAt = -1
	}
	unkScore := m.minScore - 10
	for start := 0; start < len(s); {
		here := best[start].score
		_, mblen := utf8.DecodeRuneInString(s[start:])
		single := false
		limit := min(len(s), start+m.maxLen)
		for end := start + 1; end <= limit; end++ {
			id, ok := m.ids[s[start:end]]
			if !ok || m.pieces[id].Type == sentencepiece.Unused {
				continue
			}
			var cand float64
			if m.pieces[id].Type == sentencepiece.UserDefined {
				cand = float64(float32(end-start)*m.maxScore) - 0.1 + float64(here)
			} else {
				cand = float64(m.pieces[id].Score + here)
			}
			if t := &best[end]; t.startsAt < 0 || cand > float64(t.score) {
				t.score, t.startsAt, t.id = float32(cand), start, id
			}
			if end-start == mblen {
				single = true
			}
		}
		if !single {
			cand := unkScore + here
			if t := &best[start+mblen]; t.startsAt < 0 || cand > t.score {
				t.score, t.startsAt, t.id = cand, start, m.unkID
			}
		}
		start += mblen
	}
	var rev []spmSeg
	for end := len(s); end > 0; {
		n := best[end]
		rev = append(rev, spmSeg{s[n.startsAt:end], n.id})
		end = n.startsAt
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

func (m *spmModel) encodeBPE(s string) []spmSeg {
	type symbol struct {
		prev, next int
		freeze     bool
		start, end int // byte range in s; end == start when merged away
	}
	var syms []symbol
	for i := 0; i < len(s); {
		k := m.user.longest(s[i:])
		freeze := k > 0
		if !freeze {
			_, k = utf8.DecodeRuneInString(s[i:])
		}
		n := len(syms)
		syms = append(syms, symbol{prev: n - 1, next: n + 1, freeze: freeze, start: i, end: i + k})
		i += k
	}
	syms[len(syms)-1].next = -1
	type pair struct {
		left, right int
		score       float32
		size        int
	}
	var heap []pair
	better := func(a, b pair) bool { // a pops before b
		return a.score > b.score || a.score == b.score && a.left < b.left
	}
	push := func(p pair) {
		heap = append(heap, p)
		for i := len(heap) - 1; i > 0; {
			par := (i - 1) / 2
			if !better(heap[i], heap[par]) {
				break
			}
			heap[i], heap[par] = heap[par], heap[i]
			i = par
		}
	}
	pop := func() pair {
		top := heap[0]
		last := len(heap) - 1
		heap[0] = heap[last]
		heap = heap[:last]
		for i := 0; ; {
			l, c := 2*i+1, i
			if l < len(heap) && better(heap[l], heap[c]) {
				c = l
			}
			if r := l + 1; r < len(heap) && better(heap[r], heap[c]) {
				c = r
			}
			if c == i {
				break
			}
			heap[i], heap[c] = heap[c], heap[i]
			i = c
		}
		return top
	}
	maybeAdd := func(l, r int) {
		if l < 0 || r < 0 || syms[l].freeze || syms[r].freeze {
			return
		}
		piece := s[syms[l].start:syms[r].end]
		id, ok := m.ids[piece]
		if !ok {
			return
		}
		push(pair{l, r, m.pieces[id].Score, len(piece)})
	}
	for i := 1; i < len(syms); i++ {
		maybeAdd(i-1, i)
	}
	for len(heap) > 0 {
		top := pop()
		l, r := &syms[top.left], &syms[top.right]
		if l.end == l.start || r.end == r.start || (l.end-l.start)+(r.end-r.start) != top.size {
			continue
		}
		l.end = r.end
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = top.left
		}
		r.end = r.start
		maybeAdd(l.prev, top.left)
		maybeAdd(top.left, l.next)
	}
	var out []spmSeg
	for i := 0; i >= 0; i = syms[i].next {
		text := s[syms[i].start:syms[i].end]
		out = append(out, spmSeg{text, m.pieceID(text)})
	}
	return out
}

// spmDecoder is SentencePiece's DecodeIds: control pieces vanish, the
// unknown piece reads " ⁇ ", byte pieces are reassembled into UTF-8 (one
// U+FFFD per byte of an invalid run), ▁ becomes a space and the dummy
// prefix space of the first piece is dropped.
type spmDecoder struct {
	dummyPrefix bool
	control     map[string]bool
	unk         string
}

func (d spmDecoder) decodeChain(t []string) []string {
	var out []string
	var run []byte
	flush := func() {
		if len(run) == 0 {
			return
		}
		if utf8.Valid(run) {
			out = append(out, string(run))
		} else {
			for range run {
				out = append(out, "\uFFFD")
			}
		}
		run = run[:0]
	}
	for _, s := range t {
		if d.control[s] {
			continue
		}
		if len(s) == 6 && strings.HasPrefix(s, "<0x") && s[5] == '>' {
			var v byte
			if _, err := fmt.Sscanf(s[3:5], "%02X", &v); err == nil {
				run = append(run, v)
				continue
			}
		}
		flush()
		if s == d.unk {
			s = " \u2047 "
		}
		out = append(out, s)
	}
	flush()
	text := strings.Join(out, "")
	if d.dummyPrefix {
		text = strings.TrimPrefix(text, spmSpace)
	}
	return []string{strings.ReplaceAll(text, spmSpace, " ")}
}
