package tokenizer

import (
	"encoding/base64"

	"golang.org/x/text/unicode/norm"
)

const (
	knownNormalizers   = "BertNormalizer, Strip, StripAccents, NFC, NFD, NFKC, NFKD, Sequence, Lowercase, Nmt, Precompiled, Replace, Prepend, ByteLevel"
	knownPreTokenizers = "BertPreTokenizer, ByteLevel, CharDelimiterSplit, Metaspace, Whitespace, WhitespaceSplit, Punctuation, Sequence, Split, Digits, FixedLength"
	knownProcessors    = "RobertaProcessing, BertProcessing, TemplateProcessing, ByteLevel, Sequence"
	knownDecoders      = "BPEDecoder, ByteLevel, WordPiece, Metaspace, CTC, Sequence, Replace, Fuse, Strip, ByteFallback"
)

func parseNormalizer(o *obj) (normalizer, error) {
	t, err := o.typ()
	if err != nil {
		return nil, err
	}
	switch t {
	case "NFC":
		return unicodeNormalizer{norm.NFC}, nil
	case "NFD":
		return unicodeNormalizer{norm.NFD}, nil
	case "NFKC":
		return unicodeNormalizer{norm.NFKC}, nil
	case "NFKD":
		return unicodeNormalizer{norm.NFKD}, nil
	case "Lowercase":
		return lowercaseNormalizer{}, nil
	case "StripAccents":
		return stripAccentsNormalizer{}, nil
	case "Nmt":
		return nmtNormalizer{}, nil
	case "ByteLevel":
		return byteLevelNormalizer{}, nil
	case "Strip":
		st := stripNormalizer{true, true}
		if err := o.get("strip_left", &st.left); err != nil {
			return nil, err
		}
		if err := o.get("strip_right", &st.right); err != nil {
			return nil, err
		}
		return st, nil
	case "Prepend":
		var p prependNormalizer
		if err := o.need("prepend", &p.prefix); err != nil {
			return nil, err
		}
		return p, nil
	case "Replace":
		m, err := o.pattern("pattern")
		if err != nil {
			return nil, err
		}
		r := replaceNormalizer{pattern: m}
		if err := o.need("content", &r.content); err != nil {
			return nil, err
		}
		return r, nil
	case "BertNormalizer":
		bn := bertNormalizer{cleanText: true, handleChinese: true, lowercase: true}
		var strip *bool
		for k, p := range map[string]*bool{"clean_text": &bn.cleanText, "handle_chinese_chars": &bn.handleChinese, "lowercase": &bn.lowercase} {
			if err := o.get(k, p); err != nil {
				return nil, err
			}
		}
		if err := o.get("strip_accents", &strip); err != nil {
			return nil, err
		}
		bn.stripAccents = bn.lowercase
		if strip != nil {
			bn.stripAccents = *strip
		}
		return bn, nil
	case "Precompiled":
		var b64 string
		if err := o.get("precompiled_charsmap", &b64); err != nil {
			return nil, err
		}
		blob, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, o.errf("precompiled_charsmap", "not valid base64: %v", err)
		}
		cm, err := parseCharsMap(blob)
		if err != nil {
			return nil, o.errf("precompiled_charsmap", "%v", err)
		}
		if cm == nil {
			return seqNormalizer(nil), nil
		}
		return precompiledNormalizer{cm}, nil
	case "Sequence":
		q, err := parseSequence(o, "normalizers", parseNormalizer)
		if err != nil {
			return nil, err
		}
		return seqNormalizer(q), nil
	}
	return nil, unknownType(o, "normalizer", t, knownNormalizers)
}

func parseBehavior(o *obj, key string, def splitBehavior) (splitBehavior, error) {
	if !o.has(key) {
		return def, nil
	}
	var s string
	if err := o.get(key, &s); err != nil {
		return 0, err
	}
	b, ok := splitBehaviors[s]
	if !ok {
		return 0, o.errf(key, "unknown behavior %q (supported: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)", s)
	}
	return b, nil
}

func parseScheme(o *obj) (prependScheme, error) {
	scheme := prependAlways
	if o.has("prepend_scheme") {
		var s string
		if err := o.get("prepend_scheme", &s); err != nil {
			return 0, err
		}
		switch s {
		case "always":
			scheme = prependAlways
		case "never":
			scheme = prependNever
		case "first":
			scheme = prependFirst
		default:
			return 0, o.errf("prepend_scheme", `unknown scheme %q (supported: always, never, first)`, s)
		}
	}
	var addPrefix *bool
	if err := o.get("add_prefix_space", &addPrefix); err != nil {
		return 0, err
	}
	if addPrefix != nil && !*addPrefix {
		scheme = prependNever
	}
	return scheme, nil
}

func parsePreTokenizer(o *obj) (preTokenizer, error) {
	t, err := o.typ()
	if err != nil {
		return nil, err
	}
	switch t {
	case "BertPreTokenizer":
		return bertPreTokenizer{}, nil
	case "Whitespace":
		return whitespacePreTokenizer{}, nil
	case "WhitespaceSplit":
		return whitespaceSplit(), nil
	case "ByteLevel":
		bl := byteLevelPreTokenizer{addPrefixSpace: true, useRegex: true}
		if err := o.get("add_prefix_space", &bl.addPrefixSpace); err != nil {
			return nil, err
		}
		if err := o.get("use_regex", &bl.useRegex); err != nil {
			return nil, err
		}
		return bl, nil
	case "CharDelimiterSplit":
		d, err := o.oneRune("delimiter", 0)
		if err != nil {
			return nil, err
		}
		if !o.has("delimiter") {
			return nil, o.errf("delimiter", "missing")
		}
		return charPredPreTokenizer{func(r rune) bool { return r == d }, splitRemoved}, nil
	case "Punctuation":
		b, err := parseBehavior(o, "behavior", splitIsolated)
		if err != nil {
			return nil, err
		}
		return charPredPreTokenizer{isPunctuation, b}, nil
	case "Digits":
		var individual bool
		if err := o.get("individual_digits", &individual); err != nil {
			return nil, err
		}
		if individual {
			return charPredPreTokenizer{isNumeric, splitIsolated}, nil
		}
		return charPredPreTokenizer{isNumeric, splitContiguous}, nil
	case "Metaspace":
		r, err := o.oneRune("replacement", '▁')
		if err != nil {
			return nil, err
		}
		scheme, err := parseScheme(o)
		if err != nil {
			return nil, err
		}
		m := metaspacePreTokenizer{replacement: r, repl: string(r), scheme: scheme, doSplit: true}
		if err := o.get("split", &m.doSplit); err != nil {
			return nil, err
		}
		return m, nil
	case "Split":
		m, err := o.pattern("pattern")
		if err != nil {
			return nil, err
		}
		if !o.has("behavior") {
			return nil, o.errf("behavior", "missing")
		}
		b, err := parseBehavior(o, "behavior", splitRemoved)
		if err != nil {
			return nil, err
		}
		sp := splitPreTokenizer{pattern: m, behavior: b}
		if err := o.get("invert", &sp.invert); err != nil {
			return nil, err
		}
		return sp, nil
	case "FixedLength":
		n := 5
		if err := o.get("length", &n); err != nil {
			return nil, err
		}
		if n <= 0 {
			return nil, o.errf("length", "must be positive, got %d", n)
		}
		return fixedLengthPreTokenizer{n}, nil
	case "Sequence":
		q, err := parseSequence(o, "pretokenizers", parsePreTokenizer)
		if err != nil {
			return nil, err
		}
		return seqPreTokenizer(q), nil
	}
	return nil, unknownType(o, "pre-tokenizer", t, knownPreTokenizers)
}

// tokenAndID reads a ["token", id] pair.
func tokenAndID(o *obj, key string) (string, int, error) {
	var pair []any
	if err := o.need(key, &pair); err != nil {
		return "", 0, err
	}
	if len(pair) != 2 {
		return "", 0, o.errf(key, `expected ["token", id]`)
	}
	s, ok1 := pair[0].(string)
	f, ok2 := pair[1].(float64)
	if !ok1 || !ok2 || f < 0 || f != float64(int(f)) {
		return "", 0, o.errf(key, `expected ["token", id] with a non-negative integer id`)
	}
	return s, int(f), nil
}

func parseProcessor(o *obj) (postProcessor, error) {
	t, err := o.typ()
	if err != nil {
		return nil, err
	}
	switch t {
	case "RobertaProcessing", "BertProcessing":
		sep, sepID, err := tokenAndID(o, "sep")
		if err != nil {
			return nil, err
		}
		cls, clsID, err := tokenAndID(o, "cls")
		if err != nil {
			return nil, err
		}
		return clsSep(cls, sep, clsID, sepID), nil
	case "ByteLevel":
		return noopProcessor{}, nil
	case "TemplateProcessing":
		return parseTemplate(o)
	case "Sequence":
		q, err := parseSequence(o, "processors", parseProcessor)
		if err != nil {
			return nil, err
		}
		return seqProcessor(q), nil
	}
	return nil, unknownType(o, "post-processor", t, knownProcessors)
}

// parseTemplate reads TemplateProcessing's "single" template and its
// special tokens (the "pair" template is checked but only single texts are
// encoded).
func parseTemplate(o *obj) (postProcessor, error) {
	specials := map[string]specialPiece{}
	sp, err := o.child("special_tokens")
	if err != nil {
		return nil, err
	}
	if sp != nil {
		for name := range sp.fields {
			e, err := sp.child(name)
			if err != nil || e == nil {
				return nil, sp.errf(name, "expected {\"id\", \"ids\", \"tokens\"}")
			}
			var piece specialPiece
			if err := e.need("ids", &piece.ids); err != nil {
				return nil, err
			}
			if err := e.need("tokens", &piece.tokens); err != nil {
				return nil, err
			}
			if len(piece.ids) != len(piece.tokens) {
				return nil, e.errf("", "has %d ids but %d tokens", len(piece.ids), len(piece.tokens))
			}
			specials[name] = piece
		}
	}
	tp := &templateProcessor{}
	for _, key := range []string{"single", "pair"} {
		items, err := o.list(key)
		if err != nil {
			return nil, err
		}
		if key == "single" && len(items) == 0 {
			return nil, o.errf(key, "missing or empty")
		}
		for _, it := range items {
			var item templateItem
			switch {
			case it.has("Sequence"):
				s, _ := it.child("Sequence")
				var id string
				if err := s.need("id", &id); err != nil {
					return nil, err
				}
				if id != "A" && id != "B" {
					return nil, s.errf("id", `expected "A" or "B", got %q`, id)
				}
				if err := s.get("type_id", &item.typeID); err != nil {
					return nil, err
				}
				item.sequence = true
			case it.has("SpecialToken"):
				s, _ := it.child("SpecialToken")
				var id string
				if err := s.need("id", &id); err != nil {
					return nil, err
				}
				piece, ok := specials[id]
				if !ok {
					return nil, s.errf("id", "special token %q is not listed in special_tokens", id)
				}
				if err := s.get("type_id", &item.typeID); err != nil {
					return nil, err
				}
				item.special = piece
			default:
				return nil, it.errf("", `expected {"Sequence": ...} or {"SpecialToken": ...}`)
			}
			if key == "single" {
				tp.items = append(tp.items, item)
			}
		}
	}
	return tp, nil
}

func parseDecoder(o *obj) (decoder, error) {
	t, err := o.typ()
	if err != nil {
		return nil, err
	}
	switch t {
	case "ByteLevel":
		return byteLevelDecoder{}, nil
	case "ByteFallback":
		return byteFallbackDecoder{}, nil
	case "Fuse":
		return fuseDecoder{}, nil
	case "BPEDecoder":
		d := bpeSuffixDecoder{suffix: "</w>"}
		if err := o.get("suffix", &d.suffix); err != nil {
			return nil, err
		}
		return d, nil
	case "WordPiece":
		d := wordPieceDecoder{prefix: "##", cleanup: true}
		if err := o.get("prefix", &d.prefix); err != nil {
			return nil, err
		}
		if err := o.get("cleanup", &d.cleanup); err != nil {
			return nil, err
		}
		return d, nil
	case "Metaspace":
		r, err := o.oneRune("replacement", '▁')
		if err != nil {
			return nil, err
		}
		scheme, err := parseScheme(o)
		if err != nil {
			return nil, err
		}
		return metaspaceDecoder{r, scheme}, nil
	case "CTC":
		d := ctcDecoder{pad: "<pad>", delimiter: "|", cleanup: true}
		for k, p := range map[string]*string{"pad_token": &d.pad, "word_delimiter_token": &d.delimiter} {
			if err := o.get(k, p); err != nil {
				return nil, err
			}
		}
		if err := o.get("cleanup", &d.cleanup); err != nil {
			return nil, err
		}
		return d, nil
	case "Replace":
		m, err := o.pattern("pattern")
		if err != nil {
			return nil, err
		}
		r := replaceNormalizer{pattern: m}
		if err := o.need("content", &r.content); err != nil {
			return nil, err
		}
		return replaceDecoder{r}, nil
	case "Strip":
		c, err := o.oneRune("content", ' ')
		if err != nil {
			return nil, err
		}
		d := stripDecoder{content: c}
		if err := o.get("start", &d.start); err != nil {
			return nil, err
		}
		if err := o.get("stop", &d.stop); err != nil {
			return nil, err
		}
		if d.start < 0 || d.stop < 0 {
			return nil, o.errf("", "start and stop must not be negative")
		}
		return d, nil
	case "Sequence":
		q, err := parseSequence(o, "decoders", parseDecoder)
		if err != nil {
			return nil, err
		}
		return seqDecoder(q), nil
	}
	return nil, unknownType(o, "decoder", t, knownDecoders)
}

// parseSequence parses the list under key of a "Sequence" component with
// parse, one item after the other.
func parseSequence[T any](o *obj, key string, parse func(*obj) (T, error)) ([]T, error) {
	items, err := o.list(key)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(items))
	for _, it := range items {
		v, err := parse(it)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
