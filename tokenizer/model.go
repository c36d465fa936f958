package tokenizer

import "sync"

// tok is one token produced by a model.
type tok struct {
	id    int
	value string
}

// A model turns one pre-tokenized word into tokens. Models are read-only
// after construction and safe for concurrent use.
type model interface {
	tokenize(dst []tok, word string) []tok
	tokenToID(s string) (int, bool)
	idToToken(id int) (string, bool)
	// size is the number of entries in the vocabulary.
	size() int
	// idBound is one more than the largest id.
	idBound() int
}

// vocabulary maps tokens to ids and back; ids need not be contiguous
// (sparse vocabularies keep the reverse map in a hash map).
type vocabulary struct {
	ids    map[string]int
	tokens []string // id → token when dense
	has    []bool
	sparse map[int]string // id → token when sparse
	bound  int            // one more than the largest id
}

func newVocabulary(ids map[string]int) *vocabulary {
	maxID := -1
	for _, id := range ids {
		if id > maxID {
			maxID = id
		}
	}
	v := &vocabulary{ids: ids, bound: maxID + 1}
	if maxID+1 > 2*len(ids)+1024 {
		v.sparse = make(map[int]string, len(ids))
		for t, id := range ids {
			v.sparse[id] = t
		}
		return v
	}
	v.tokens, v.has = make([]string, maxID+1), make([]bool, maxID+1)
	for t, id := range ids {
		if id >= 0 {
			v.tokens[id] = t
			v.has[id] = true
		}
	}
	return v
}

func (v *vocabulary) tokenToID(s string) (int, bool) {
	id, ok := v.ids[s]
	return id, ok
}

func (v *vocabulary) idToToken(id int) (string, bool) {
	if v.sparse != nil {
		s, ok := v.sparse[id]
		return s, ok
	}
	if id < 0 || id >= len(v.tokens) || !v.has[id] {
		return "", false
	}
	return v.tokens[id], true
}

// token is idToToken for an id known to be in the vocabulary.
func (v *vocabulary) token(id int) string {
	s, _ := v.idToToken(id)
	return s
}

func (v *vocabulary) size() int { return len(v.ids) }

func (v *vocabulary) idBound() int { return v.bound }

// wordCache memoizes word → tokens for the models whose output for a word
// never changes. It stops growing at capacity entries.
type wordCache struct {
	mu       sync.RWMutex
	m        map[string][]tok
	capacity int
}

func newWordCache(capacity int) *wordCache {
	return &wordCache{m: make(map[string][]tok, 1024), capacity: capacity}
}

func (c *wordCache) get(w string) ([]tok, bool) {
	c.mu.RLock()
	t, ok := c.m[w]
	c.mu.RUnlock()
	return t, ok
}

func (c *wordCache) put(w string, t []tok) {
	if len(w) >= 256 {
		return
	}
	c.mu.Lock()
	if len(c.m) < c.capacity {
		c.m[w] = t
	}
	c.mu.Unlock()
}

// byteFallbackToken is the "<0xAB>" spelling of a byte.
func byteFallbackToken(b byte) string {
	const hex = "0123456789ABCDEF"
	return string([]byte{'<', '0', 'x', hex[b>>4], hex[b&15], '>'})
}
