package tokenizer

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Tokenizer encodes text to token ids and decodes ids to text. It is
// immutable after Load and safe for concurrent use.
type Tokenizer struct {
	model      model
	normalizer normalizer     // nil: identity
	preTok     preTokenizer   // nil: the whole normalized text is one word
	post       postProcessor  // nil: no special tokens
	tmpl       []templateItem // post's flat template
	dec        decoder        // nil: tokens joined with spaces

	added        []AddedToken
	addedByID    map[int]int    // id → index in added
	addedByText  map[string]int // content → index in added
	rawSet       *tokenSet      // added tokens matched before normalization
	normSet      *tokenSet      // added tokens matched after normalization
	specialTexts map[string]bool
	addedDecode  map[int]string // normalized content of added tokens, for Decode

	// truncation and padding configured in tokenizer.json, used by Encode.
	truncation *truncationConfig
	padding    *paddingConfig

	modelMaxLength int
	padID          int
	padToken       string
	padTypeID      int
	padLeft        bool
	truncateLeft   bool
	specials       SpecialIDs

	openAICleaning bool
	cleanUpSpaces  bool
	// clipSuffix is the end-of-word suffix that Decode turns into spaces for
	// CLIP, as transformers' CLIPTokenizerFast does ("" when not CLIP).
	clipSuffix string
	source     string
}

// Encoding is the result of encoding one text.
type Encoding struct {
	// IDs are the token ids, special tokens and padding included.
	IDs []int
	// TypeIDs are the segment ids (all 0 for a single text, unless a
	// template says otherwise).
	TypeIDs []int
	// Tokens are the token strings, as the vocabulary spells them.
	Tokens []string
	// AttentionMask is 1 for real tokens and 0 for padding.
	AttentionMask []int
	// SpecialTokensMask is 1 for the tokens the post-processor added and for
	// padding.
	SpecialTokensMask []int
}

// Len is the number of tokens.
func (e *Encoding) Len() int { return len(e.IDs) }

// PadMode says how EncodeBatch pads.
type PadMode int

const (
	// PadNone leaves every encoding at its own length.
	PadNone PadMode = iota
	// PadLongest pads to the longest encoding of the batch.
	PadLongest
	// PadMaxLength pads to EncodeOptions.MaxLength (or ModelMaxLength).
	PadMaxLength
)

// String names the mode as the CLI flags spell it.
func (p PadMode) String() string {
	switch p {
	case PadLongest:
		return "longest"
	case PadMaxLength:
		return "max_length"
	}
	return "none"
}

// ParsePadMode reads "none", "longest" or "max_length".
func ParsePadMode(s string) (PadMode, bool) {
	switch s {
	case "none", "":
		return PadNone, true
	case "longest":
		return PadLongest, true
	case "max_length":
		return PadMaxLength, true
	}
	return PadNone, false
}

// EncodeOptions controls EncodeBatch. Truncation and padding set here
// replace those of tokenizer.json.
type EncodeOptions struct {
	// MaxLength is the length truncation cuts to and PadMaxLength pads to,
	// special tokens included; 0 means ModelMaxLength (and no limit when
	// that is unknown too).
	MaxLength int
	// Truncation cuts encodings longer than MaxLength, keeping the special
	// tokens.
	Truncation bool
	Padding    PadMode
	// AddSpecialTokens adds the post-processor's special tokens (for CLIP:
	// <|startoftext|> and <|endoftext|>).
	AddSpecialTokens bool
}

// SpecialIDs are the ids of the conventional special tokens; -1 marks one
// the tokenizer does not have.
type SpecialIDs struct {
	BOS, EOS, PAD, UNK, CLS, SEP, MASK int
}

// Encode encodes one text with the special tokens of the post-processor,
// and the truncation and padding tokenizer.json configures (none unless it
// does).
func (t *Tokenizer) Encode(text string) Encoding { return t.encodeConfigured(text, true) }

// encodeConfigured encodes with the truncation and padding of
// tokenizer.json, with or without special tokens.
func (t *Tokenizer) encodeConfigured(text string, special bool) Encoding {
	limit, left := -1, false
	if t.truncation != nil {
		limit, left = t.truncation.maxLength, t.truncation.left
	}
	target := 0
	if t.padding != nil {
		target = t.padding.fixed
	}
	enc := t.encode(text, special, limit, left, target)
	if t.padding != nil {
		target = max(target, len(enc.IDs))
		if m := t.padding.multiple; m > 0 && target%m != 0 {
			target += m - target%m
		}
		pad(&enc, target, t.padding.id, t.padding.typeID, t.padding.token, t.padding.left)
	}
	return enc
}

// EncodeBatch encodes texts in parallel over GOMAXPROCS goroutines; the
// result does not depend on scheduling.
func (t *Tokenizer) EncodeBatch(texts []string, opts EncodeOptions) []Encoding {
	out := make([]Encoding, len(texts))
	maxLen := opts.MaxLength
	if maxLen <= 0 {
		maxLen = t.modelMaxLength
	}
	limit, capHint := -1, 0
	if opts.Truncation && maxLen > 0 {
		limit = maxLen
	}
	if opts.Padding == PadMaxLength {
		capHint = maxLen
	}
	workers := min(runtime.GOMAXPROCS(0), (len(texts)+63)/64)
	if workers < 1 {
		workers = 1
	}
	var wg sync.WaitGroup
	chunk := (len(texts) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(texts))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				out[i] = t.encode(texts[i], opts.AddSpecialTokens, limit, t.truncateLeft, capHint)
			}
		}(lo, hi)
	}
	wg.Wait()
	target := 0
	switch opts.Padding {
	case PadLongest:
		for i := range out {
			target = max(target, len(out[i].IDs))
		}
	case PadMaxLength:
		target = maxLen
	}
	if opts.Padding != PadNone {
		for i := range out {
			pad(&out[i], target, t.padID, t.padTypeID, t.padToken, t.padLeft)
		}
	}
	return out
}

// identityTemplate is the sequence without special tokens.
var identityTemplate = []templateItem{{sequence: true}}

// setPost installs a post-processor and its flat template.
func (t *Tokenizer) setPost(p postProcessor) {
	t.post = p
	t.tmpl = nil
	if p != nil {
		t.tmpl = p.template()
	}
}

// encScratch holds the buffers of one encoding in progress.
type encScratch struct {
	toks  []tok
	words []piece
	segs  []segment
	subs  []segment
}

var scratchPool = sync.Pool{New: func() any { return new(encScratch) }}

// encode produces the encoding of one text: the tokens, truncated to limit
// (special tokens included; -1: no limit) from the right or the left, then
// wrapped in the special tokens. The arrays get room for capHint tokens so
// that padding does not reallocate.
func (t *Tokenizer) encode(text string, special bool, limit int, left bool, capHint int) Encoding {
	sc := scratchPool.Get().(*encScratch)
	toks := t.encodeWords(sc, text)
	items := identityTemplate
	if special && t.post != nil {
		items = t.tmpl
	}
	if limit >= 0 {
		n := max(limit-addedCount(items), 0)
		if len(toks) > n {
			if left {
				toks = toks[len(toks)-n:]
			} else {
				toks = toks[:n]
			}
		}
	}
	n := addedCount(items) + len(toks)
	c := max(n, capHint)
	ints := make([]int, 4*c)
	enc := Encoding{
		IDs:               ints[0:0:c],
		TypeIDs:           ints[c : c : 2*c],
		AttentionMask:     ints[2*c : 2*c : 3*c],
		SpecialTokensMask: ints[3*c : 3*c : 4*c],
		Tokens:            make([]string, 0, c),
	}
	for _, it := range items {
		if it.sequence {
			for _, k := range toks {
				enc.IDs = append(enc.IDs, k.id)
				enc.Tokens = append(enc.Tokens, k.value)
			}
			enc.TypeIDs = appendN(enc.TypeIDs, it.typeID, len(toks))
			enc.SpecialTokensMask = appendN(enc.SpecialTokensMask, 0, len(toks))
			continue
		}
		enc.IDs = append(enc.IDs, it.special.ids...)
		enc.Tokens = append(enc.Tokens, it.special.tokens...)
		enc.TypeIDs = appendN(enc.TypeIDs, it.typeID, len(it.special.ids))
		enc.SpecialTokensMask = appendN(enc.SpecialTokensMask, 1, len(it.special.ids))
	}
	enc.AttentionMask = appendN(enc.AttentionMask, 1, len(enc.IDs))
	clear(sc.toks[:cap(sc.toks)])
	scratchPool.Put(sc)
	return enc
}

func appendN(s []int, v, n int) []int {
	for ; n > 0; n-- {
		s = append(s, v)
	}
	return s
}

// encodeWords runs added-token extraction, normalization, pre-tokenization
// and the model, without special tokens. The result lives in sc.
func (t *Tokenizer) encodeWords(sc *encScratch, text string) []tok {
	text = validUTF8(text)
	if t.openAICleaning {
		text = openAIClean(text)
	}
	toks := sc.toks[:0]
	sc.segs = t.rawSet.splitAdded(sc.segs[:0], text, true)
	for _, seg := range sc.segs {
		if seg.tokenIdx >= 0 {
			toks = append(toks, tok{t.rawSet.toks[seg.tokenIdx].ID, seg.text})
			continue
		}
		norm := seg.text
		if t.normalizer != nil {
			norm = t.normalizer.normalize(norm)
		}
		sc.subs = t.normSet.splitAdded(sc.subs[:0], norm, seg.first)
		for _, sub := range sc.subs {
			if sub.tokenIdx >= 0 {
				toks = append(toks, tok{t.normSet.toks[sub.tokenIdx].ID, sub.text})
				continue
			}
			words := sc.words[:0]
			if t.preTok != nil {
				words = t.preTok.split(words, piece{sub.text, sub.first})
			} else {
				words = append(words, piece{sub.text, sub.first})
			}
			for _, w := range words {
				toks = t.model.tokenize(toks, w.text)
			}
			clear(words)
			sc.words = words
		}
	}
	clear(sc.segs)
	clear(sc.subs)
	sc.toks = toks
	return toks
}

// pad extends enc to n tokens, in place when the arrays have room.
func pad(enc *Encoding, n, id, typeID int, token string, left bool) {
	k := n - len(enc.IDs)
	if k <= 0 {
		return
	}
	ints := func(s []int, v int) []int {
		s = slices.Grow(s, k)[:len(s)+k]
		if left {
			copy(s[k:], s)
			for i := 0; i < k; i++ {
				s[i] = v
			}
		} else {
			for i := len(s) - k; i < len(s); i++ {
				s[i] = v
			}
		}
		return s
	}
	enc.IDs = ints(enc.IDs, id)
	enc.TypeIDs = ints(enc.TypeIDs, typeID)
	enc.AttentionMask = ints(enc.AttentionMask, 0)
	enc.SpecialTokensMask = ints(enc.SpecialTokensMask, 1)
	s := slices.Grow(enc.Tokens, k)[:len(enc.Tokens)+k]
	if left {
		copy(s[k:], s)
		for i := 0; i < k; i++ {
			s[i] = token
		}
	} else {
		for i := len(s) - k; i < len(s); i++ {
			s[i] = token
		}
	}
	enc.Tokens = s
}

// Decode turns ids back into text. With skipSpecial, special tokens are
// left out. Ids outside the vocabulary are skipped.
func (t *Tokenizer) Decode(ids []int, skipSpecial bool) string {
	tokens := make([]string, 0, len(ids))
	for _, id := range ids {
		s, ok := t.idToTokenForDecode(id)
		if !ok {
			continue
		}
		if skipSpecial && t.specialTexts[s] {
			continue
		}
		tokens = append(tokens, s)
	}
	var text string
	if t.dec != nil {
		text = strings.Join(t.dec.decodeChain(tokens), "")
	} else {
		text = strings.Join(tokens, " ")
	}
	if t.clipSuffix != "" {
		text = strings.TrimFunc(strings.ReplaceAll(text, t.clipSuffix, " "), isPyWhitespace)
	}
	if t.cleanUpSpaces {
		text = cleanupSpaces(text, false)
	}
	return text
}

func (t *Tokenizer) idToTokenForDecode(id int) (string, bool) {
	if i, ok := t.addedByID[id]; ok {
		if s, ok := t.addedDecode[id]; ok {
			return s, true
		}
		return t.added[i].Content, true
	}
	return t.model.idToToken(id)
}

// VocabSize is one more than the largest id the tokenizer can produce (the
// embedding table size it needs).
func (t *Tokenizer) VocabSize() int {
	n := t.model.idBound()
	for _, a := range t.added {
		n = max(n, a.ID+1)
	}
	return n
}

// ModelMaxLength is the longest input the model accepts (tokenizer_config
// model_max_length), or 0 when unknown.
func (t *Tokenizer) ModelMaxLength() int { return t.modelMaxLength }

// TokenToID looks a token up among the added tokens, then the vocabulary.
func (t *Tokenizer) TokenToID(s string) (int, bool) {
	if i, ok := t.addedByText[s]; ok {
		return t.added[i].ID, true
	}
	return t.model.tokenToID(s)
}

// IDToToken returns the token string of an id.
func (t *Tokenizer) IDToToken(id int) (string, bool) {
	if i, ok := t.addedByID[id]; ok {
		return t.added[i].Content, true
	}
	return t.model.idToToken(id)
}

// PadID is the id used for padding: tokenizer.json's padding pad_id, else
// the pad token of the configuration files (or a conventionally spelled
// one such as <pad> or [PAD]; <|endoftext|> for CLIP), else 0.
func (t *Tokenizer) PadID() int { return t.padID }

// SpecialIDs returns the ids of the conventional special tokens.
func (t *Tokenizer) SpecialIDs() SpecialIDs { return t.specials }

// AddedTokens lists the added tokens, special or not.
func (t *Tokenizer) AddedTokens() []AddedToken { return append([]AddedToken(nil), t.added...) }

// IsSpecial reports whether id is a special added token.
func (t *Tokenizer) IsSpecial(id int) bool {
	i, ok := t.addedByID[id]
	return ok && t.added[i].Special
}

// Source is the file the tokenizer was read from.
func (t *Tokenizer) Source() string { return t.source }

func isValidUTF8(s string) bool { return utf8.ValidString(s) }
