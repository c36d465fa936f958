package bleu

import (
	"encoding/binary"
)

// workspace holds the reusable maps of one worker. N-grams are keyed by
// the segment-local ids of their tokens: packed into a uint64 (16 bits a
// token) when the order is at most 4 and the segment has fewer than 65535
// distinct tokens, otherwise into a byte string (4 bytes a token). Both
// keys are exact: equal keys mean equal n-grams.
type workspace struct {
	vocab   map[string]uint32
	refMax  map[uint64]int32
	one     map[uint64]int32
	refMaxS map[string]int32
	oneS    map[string]int32
	ids     [][]uint32
	hypIDs  []uint32
	keyBuf  []byte
}

func newWorkspace() *workspace {
	return &workspace{
		vocab:   make(map[string]uint32),
		refMax:  make(map[uint64]int32),
		one:     make(map[uint64]int32),
		refMaxS: make(map[string]int32),
		oneS:    make(map[string]int32),
	}
}

func (ws *workspace) intern(toks []string, dst []uint32) []uint32 {
	dst = dst[:0]
	for _, t := range toks {
		id, ok := ws.vocab[t]
		if !ok {
			id = uint32(len(ws.vocab))
			ws.vocab[t] = id
		}
		dst = append(dst, id)
	}
	return dst
}

func packKey(ids []uint32) uint64 {
	var k uint64
	for j, id := range ids {
		k |= uint64(id+1) << (16 * uint(j))
	}
	return k
}

func (ws *workspace) strKey(ids []uint32) []byte {
	b := ws.keyBuf[:0]
	for _, id := range ids {
		b = binary.LittleEndian.AppendUint32(b, id)
	}
	ws.keyBuf = b
	return b
}

// closestRefLen is sacrebleu's _get_closest_ref_len: the reference length
// nearest to the hypothesis length, the shorter one on ties.
func closestRefLen(hypLen int, refLens []int) int {
	closestDiff, closestLen := -1, -1
	for _, rl := range refLens {
		d := hypLen - rl
		if d < 0 {
			d = -d
		}
		if closestDiff == -1 || d < closestDiff {
			closestDiff, closestLen = d, rl
		} else if d == closestDiff && rl < closestLen {
			closestLen = rl
		}
	}
	return closestLen
}

// segment computes the statistics of one hypothesis against its references.
func (s *Scorer) segment(ws *workspace, hyp string, refs []string) Stats {
	order := s.order
	st := Stats{Correct: make([]int, order), Total: make([]int, order)}
	clear(ws.vocab)
	hypToks := s.preprocess(hyp)
	if cap(ws.ids) < len(refs) {
		ws.ids = make([][]uint32, len(refs))
	}
	ws.ids = ws.ids[:len(refs)]
	refLens := make([]int, len(refs))
	for k, r := range refs {
		toks := s.preprocess(r)
		refLens[k] = len(toks)
		ws.ids[k] = ws.intern(toks, ws.ids[k])
	}
	ws.hypIDs = ws.intern(hypToks, ws.hypIDs)
	st.SysLen = len(hypToks)
	st.RefLen = closestRefLen(len(hypToks), refLens)

	if order <= 4 && len(ws.vocab) < 0xffff {
		s.countPacked(ws, &st)
	} else {
		s.countString(ws, &st)
	}
	return st
}

func (s *Scorer) countPacked(ws *workspace, st *Stats) {
	order := s.order
	clear(ws.refMax)
	for k, ids := range ws.ids {
		m := ws.refMax
		if k > 0 {
			clear(ws.one)
			m = ws.one
		}
		for n := 1; n <= order; n++ {
			for i := 0; i+n <= len(ids); i++ {
				m[packKey(ids[i:i+n])]++
			}
		}
		if k > 0 {
			for key, c := range ws.one {
				if c > ws.refMax[key] {
					ws.refMax[key] = c
				}
			}
		}
	}
	clear(ws.one)
	ids := ws.hypIDs
	for n := 1; n <= order; n++ {
		for i := 0; i+n <= len(ids); i++ {
			ws.one[packKey(ids[i:i+n])]++
		}
	}
	for key, c := range ws.one {
		n := ngramLen(key)
		st.Total[n-1] += int(c)
		if r, ok := ws.refMax[key]; ok {
			st.Correct[n-1] += int(min(c, r))
		}
	}
}

// ngramLen recovers the order from a packed key: the number of non-zero
// 16-bit lanes (ids are stored +1, so every used lane is non-zero).
func ngramLen(k uint64) int {
	n := 0
	for k != 0 {
		n++
		k >>= 16
	}
	return n
}

func (s *Scorer) countString(ws *workspace, st *Stats) {
	order := s.order
	clear(ws.refMaxS)
	for k, ids := range ws.ids {
		m := ws.refMaxS
		if k > 0 {
			clear(ws.oneS)
			m = ws.oneS
		}
		for n := 1; n <= order; n++ {
			for i := 0; i+n <= len(ids); i++ {
				m[string(ws.strKey(ids[i:i+n]))]++
			}
		}
		if k > 0 {
			for key, c := range ws.oneS {
				if c > ws.refMaxS[key] {
					ws.refMaxS[key] = c
				}
			}
		}
	}
	clear(ws.oneS)
	ids := ws.hypIDs
	for n := 1; n <= order; n++ {
		for i := 0; i+n <= len(ids); i++ {
			ws.oneS[string(ws.strKey(ids[i:i+n]))]++
		}
	}
	for key, c := range ws.oneS {
		n := len(key) / 4
		st.Total[n-1] += int(c)
		if r, ok := ws.refMaxS[key]; ok {
			st.Correct[n-1] += int(min(c, r))
		}
	}
}
