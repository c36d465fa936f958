package tokenizer

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

const knownModels = "BPE, WordPiece, WordLevel, Unigram"

type truncationConfig struct {
	maxLength int
	left      bool
}

type paddingConfig struct {
	fixed    int // 0: pad to the longest (a single text: no padding)
	multiple int
	id       int
	typeID   int
	token    string
	left     bool
}

// parseTokenizerJSON builds a Tokenizer from the bytes of a tokenizer.json.
func parseTokenizerJSON(file string, data []byte) (*Tokenizer, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonSyntaxError(file, data, err)
	}
	root := &obj{file: file, fields: top}
	t := &Tokenizer{source: file}

	mo, err := root.child("model")
	if err != nil {
		return nil, err
	}
	if mo == nil {
		return nil, root.errf("model", "missing")
	}
	if t.model, err = parseModel(mo); err != nil {
		return nil, err
	}
	if o, err := root.child("normalizer"); err != nil {
		return nil, err
	} else if o != nil {
		if t.normalizer, err = parseNormalizer(o); err != nil {
			return nil, err
		}
	}
	if o, err := root.child("pre_tokenizer"); err != nil {
		return nil, err
	} else if o != nil {
		if t.preTok, err = parsePreTokenizer(o); err != nil {
			return nil, err
		}
	}
	if o, err := root.child("post_processor"); err != nil {
		return nil, err
	} else if o != nil {
		p, err := parseProcessor(o)
		if err != nil {
			return nil, err
		}
		t.setPost(p)
	}
	if o, err := root.child("decoder"); err != nil {
		return nil, err
	} else if o != nil {
		if t.dec, err = parseDecoder(o); err != nil {
			return nil, err
		}
	}
	items, err := root.list("added_tokens")
	if err != nil {
		return nil, err
	}
	var added []AddedToken
	for _, it := range items {
		a := AddedToken{Normalized: true}
		if err := it.need("content", &a.Content); err != nil {
			return nil, err
		}
		for k, p := range map[string]*bool{"single_word": &a.SingleWord, "lstrip": &a.LStrip,
			"rstrip": &a.RStrip, "normalized": &a.Normalized, "special": &a.Special} {
			if err := it.get(k, p); err != nil {
				return nil, err
			}
		}
		if err := it.get("id", &a.ID); err != nil {
			return nil, err
		}
		added = append(added, a)
	}
	t.setAddedTokens(added)
	// transformers' CLIPTokenizerFast turns the "</w>" suffix that the
	// ByteLevel decoder leaves in the text into spaces; so does Decode.
	if m, ok := t.model.(*bpeModel); ok && m.endOfWordSuffix != "" {
		if _, ok := t.dec.(byteLevelDecoder); ok {
			t.clipSuffix = m.endOfWordSuffix
		}
	}
	if err := parseTruncPad(root, t); err != nil {
		return nil, err
	}
	return t, nil
}

func parseTruncPad(root *obj, t *Tokenizer) error {
	tr, err := root.child("truncation")
	if err != nil {
		return err
	}
	if tr != nil {
		tc := &truncationConfig{}
		if err := tr.need("max_length", &tc.maxLength); err != nil {
			return err
		}
		var dir string
		if err := tr.get("direction", &dir); err != nil {
			return err
		}
		tc.left = dir == "Left"
		t.truncation = tc
		t.truncateLeft = tc.left
	}
	pd, err := root.child("padding")
	if err != nil {
		return err
	}
	if pd != nil {
		pc := &paddingConfig{token: "[PAD]"}
		if raw, ok := pd.fields["strategy"]; ok && !isNull(raw) {
			var s string
			var fixed struct {
				Fixed *int `json:"Fixed"`
			}
			if json.Unmarshal(raw, &s) == nil {
				if s != "BatchLongest" {
					return pd.errf("strategy", `expected "BatchLongest" or {"Fixed": n}, got %q`, s)
				}
			} else if json.Unmarshal(raw, &fixed) == nil && fixed.Fixed != nil {
				pc.fixed = *fixed.Fixed
			} else {
				return pd.errf("strategy", `expected "BatchLongest" or {"Fixed": n}`)
			}
		}
		var dir string
		if err := pd.get("direction", &dir); err != nil {
			return err
		}
		pc.left = dir == "Left"
		for k, p := range map[string]*int{"pad_to_multiple_of": &pc.multiple, "pad_id": &pc.id, "pad_type_id": &pc.typeID} {
			if err := pd.get(k, p); err != nil {
				return err
			}
		}
		if err := pd.get("pad_token", &pc.token); err != nil {
			return err
		}
		t.padding = pc
		t.padID, t.padToken, t.padTypeID, t.padLeft = pc.id, pc.token, pc.typeID, pc.left
	}
	return nil
}

func parseModel(o *obj) (model, error) {
	t, err := o.typ()
	if err != nil {
		return nil, err
	}
	if t == "" {
		// Files written by old versions of the library carry no type.
		switch {
		case o.has("merges"):
			t = "BPE"
		case o.has("max_input_chars_per_word"):
			t = "WordPiece"
		default:
			var list []json.RawMessage
			if o.get("vocab", &list) == nil && list != nil {
				t = "Unigram"
			} else if o.has("vocab") {
				t = "WordLevel"
			}
		}
	}
	switch t {
	case "BPE":
		return parseBPE(o)
	case "WordPiece":
		vocab, err := vocabMap(o)
		if err != nil {
			return nil, err
		}
		unk, prefix, maxChars := "[UNK]", "##", 100
		if err := o.get("unk_token", &unk); err != nil {
			return nil, err
		}
		if err := o.get("continuing_subword_prefix", &prefix); err != nil {
			return nil, err
		}
		if err := o.get("max_input_chars_per_word", &maxChars); err != nil {
			return nil, err
		}
		m, err := newWordPiece(vocab, unk, prefix, maxChars)
		if err != nil {
			return nil, o.errf("unk_token", "%v", err)
		}
		return m, nil
	case "WordLevel":
		vocab, err := vocabMap(o)
		if err != nil {
			return nil, err
		}
		var unk string
		if err := o.get("unk_token", &unk); err != nil {
			return nil, err
		}
		m, err := newWordLevel(vocab, unk)
		if err != nil {
			return nil, o.errf("unk_token", "%v", err)
		}
		return m, nil
	case "Unigram":
		return parseUnigram(o)
	}
	return nil, unknownType(o, "model", t, knownModels)
}

func vocabMap(o *obj) (map[string]int, error) {
	var vocab map[string]int
	if err := o.need("vocab", &vocab); err != nil {
		return nil, err
	}
	for tok, id := range vocab {
		if id < 0 {
			return nil, o.errf("vocab", "token %q has negative id %d", tok, id)
		}
	}
	return vocab, nil
}

func parseBPE(o *obj) (model, error) {
	vocab, err := vocabMap(o)
	if err != nil {
		return nil, err
	}
	raw, ok := o.fields["merges"]
	if !ok || isNull(raw) {
		return nil, o.errf("merges", "missing")
	}
	var merges [][2]string
	var asStrings []string
	var asPairs [][]string
	if json.Unmarshal(raw, &asStrings) == nil {
		for i, line := range asStrings {
			parts := strings.Split(line, " ")
			if len(parts) != 2 {
				return nil, o.errf(fmt.Sprintf("merges[%d]", i), `expected "left right", got %q`, line)
			}
			merges = append(merges, [2]string{parts[0], parts[1]})
		}
	} else if json.Unmarshal(raw, &asPairs) == nil {
		for i, p := range asPairs {
			if len(p) != 2 {
				return nil, o.errf(fmt.Sprintf("merges[%d]", i), "expected a pair of tokens, got %d items", len(p))
			}
			merges = append(merges, [2]string{p[0], p[1]})
		}
	} else {
		return nil, o.errf("merges", `expected an array of "left right" strings or [left, right] pairs`)
	}
	var unk, prefix, suffix string
	var fuse, fallback, ignore bool
	for k, p := range map[string]*string{"unk_token": &unk, "continuing_subword_prefix": &prefix, "end_of_word_suffix": &suffix} {
		if err := o.get(k, p); err != nil {
			return nil, err
		}
	}
	for k, p := range map[string]*bool{"fuse_unk": &fuse, "byte_fallback": &fallback, "ignore_merges": &ignore} {
		if err := o.get(k, p); err != nil {
			return nil, err
		}
	}
	var dropout float64
	if err := o.get("dropout", &dropout); err != nil {
		return nil, err
	}
	if dropout < 0 || dropout > 1 {
		return nil, o.errf("dropout", "must be between 0 and 1, got %v", dropout)
	}
	m, err := newBPE(vocab, merges, unk, prefix, suffix, fuse, fallback, ignore)
	if err != nil {
		return nil, o.errf("", "%v", err)
	}
	return m, nil
}

func parseUnigram(o *obj) (model, error) {
	var raw [][]any
	if err := o.need("vocab", &raw); err != nil {
		return nil, err
	}
	pieces := make([]string, len(raw))
	scores := make([]float64, len(raw))
	for i, e := range raw {
		if len(e) != 2 {
			return nil, o.errf(fmt.Sprintf("vocab[%d]", i), `expected ["piece", score]`)
		}
		s, ok1 := e[0].(string)
		f, ok2 := e[1].(float64)
		if !ok1 || !ok2 || math.IsNaN(f) {
			return nil, o.errf(fmt.Sprintf("vocab[%d]", i), `expected ["piece", score]`)
		}
		pieces[i], scores[i] = s, f
	}
	unk := -1
	var unkID *int
	if err := o.get("unk_id", &unkID); err != nil {
		return nil, err
	}
	if unkID != nil {
		unk = *unkID
		if unk < 0 {
			return nil, o.errf("unk_id", "must not be negative")
		}
	}
	var fallback bool
	if err := o.get("byte_fallback", &fallback); err != nil {
		return nil, err
	}
	m, err := newUnigram(pieces, scores, unk, fallback)
	if err != nil {
		return nil, o.errf("vocab", "%v", err)
	}
	return m, nil
}

// setAddedTokens registers added tokens the way the reference does: a
// token already in the model vocabulary keeps that id; the others get new
// ids from the model's vocabulary size upwards, in file order.
func (t *Tokenizer) setAddedTokens(list []AddedToken) {
	t.added = nil
	t.addedByID = map[int]int{}
	t.specialTexts = map[string]bool{}
	t.addedDecode = map[int]string{}
	byContent := map[string]int{}
	next := t.model.size()
	for _, a := range list {
		if a.Content == "" {
			continue
		}
		if i, ok := byContent[a.Content]; ok {
			a.ID = t.added[i].ID
			t.added[i] = a
		} else {
			if id, ok := t.model.tokenToID(a.Content); ok {
				a.ID = id
			} else {
				a.ID = next
				next++
			}
			if i, ok := t.addedByID[a.ID]; ok {
				// Two contents on one id: the later one wins, as in the
				// reference's id → token map.
				delete(byContent, t.added[i].Content)
				t.added[i] = a
				byContent[a.Content] = i
			} else {
				byContent[a.Content] = len(t.added)
				t.addedByID[a.ID] = len(t.added)
				t.added = append(t.added, a)
			}
		}
		if a.Special {
			t.specialTexts[a.Content] = true
		}
	}
	t.addedByText = byContent
	t.refreshAdded()
}

// refreshAdded rebuilds the matchers after the added tokens or the
// normalizer changed.
func (t *Tokenizer) refreshAdded() {
	var rawToks, normToks []AddedToken
	var rawPats, normPats []string
	t.addedDecode = map[int]string{}
	for _, a := range t.added {
		if !a.Normalized {
			rawToks, rawPats = append(rawToks, a), append(rawPats, a.Content)
			continue
		}
		p := a.Content
		if t.normalizer != nil {
			p = t.normalizer.normalize(p)
			if p != a.Content {
				t.addedDecode[a.ID] = p
			}
		}
		normToks, normPats = append(normToks, a), append(normPats, p)
	}
	t.rawSet = newTokenSet(rawToks, rawPats)
	t.normSet = newTokenSet(normToks, normPats)
}
