package tokenizer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// charsMap is a SentencePiece precompiled_charsmap: a Darts-clone double
// array trie from UTF-8 byte strings to offsets into a pool of
// NUL-terminated replacement strings.
type charsMap struct {
	units      []uint32
	normalized []byte
}

// parseCharsMap decodes the blob: a little-endian uint32 trie size in bytes,
// the trie units, then the replacement pool.
func parseCharsMap(blob []byte) (*charsMap, error) {
	if len(blob) == 0 {
		return nil, nil
	}
	if len(blob) < 4 {
		return nil, errors.New("precompiled_charsmap is shorter than its 4-byte header")
	}
	size := binary.LittleEndian.Uint32(blob)
	if size%4 != 0 || uint64(size) > uint64(len(blob)-4) {
		return nil, fmt.Errorf("precompiled_charsmap trie size %d does not fit the %d-byte blob", size, len(blob))
	}
	units := make([]uint32, size/4)
	for i := range units {
		units[i] = binary.LittleEndian.Uint32(blob[4+4*i:])
	}
	if len(units) == 0 {
		return nil, errors.New("precompiled_charsmap has an empty trie")
	}
	return &charsMap{units: units, normalized: blob[4+size:]}, nil
}

func dartsOffset(u uint32) uint32 { return (u >> 10) << ((u & (1 << 9)) >> 6) }
func dartsLabel(u uint32) uint32  { return u & ((1 << 31) | 0xFF) }
func dartsHasLeaf(u uint32) bool  { return (u>>8)&1 == 1 }
func dartsValue(u uint32) uint32  { return u & ((1 << 31) - 1) }

// prefixSearch walks key through the trie and calls fn with the byte length
// and value of every key in the trie that is a prefix of key, shortest
// first; fn returns false to stop.
func (c *charsMap) prefixSearch(key string, fn func(n int, value uint32) bool) {
	pos := uint32(0)
	pos ^= dartsOffset(c.units[0])
	for i := 0; i < len(key); i++ {
		b := key[i]
		if b == 0 {
			return
		}
		pos ^= uint32(b)
		if int(pos) >= len(c.units) {
			return
		}
		u := c.units[pos]
		if dartsLabel(u) != uint32(b) {
			return
		}
		pos ^= dartsOffset(u)
		if dartsHasLeaf(u) {
			if int(pos) >= len(c.units) {
				return
			}
			if !fn(i+1, dartsValue(c.units[pos])) {
				return
			}
		}
	}
}

// replacement returns the NUL-terminated pool string at off.
func (c *charsMap) replacement(off uint32) (string, bool) {
	if int(off) > len(c.normalized) {
		return "", false
	}
	end := int(off)
	for end < len(c.normalized) && c.normalized[end] != 0 {
		end++
	}
	s := string(c.normalized[off:end])
	if !utf8.ValidString(s) {
		return "", false
	}
	return s, true
}

// transformFirst returns the replacement of the shortest trie key that is
// a prefix of chunk (the Hugging Face rule).
func (c *charsMap) transformFirst(chunk string) (string, bool) {
	var off uint32
	found := false
	c.prefixSearch(chunk, func(_ int, v uint32) bool {
		off, found = v, true
		return false
	})
	if !found {
		return "", false
	}
	return c.replacement(off)
}

// longestPrefix returns the byte length and replacement of the longest trie
// key that is a prefix of s (the SentencePiece rule).
func (c *charsMap) longestPrefix(s string) (int, string, bool) {
	n, off := 0, uint32(0)
	c.prefixSearch(s, func(l int, v uint32) bool {
		n, off = l, v
		return true
	})
	if n == 0 {
		return 0, "", false
	}
	rep, ok := c.replacement(off)
	return n, rep, ok
}

// graphemeCluster splits off the first extended grapheme cluster of s.
func graphemeCluster(s string, state int) (cluster, rest string, width, newState int) {
	return uniseg.FirstGraphemeClusterInString(s, state)
}
