package tokenizer

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// loadVocabTxt builds a BERT tokenizer from the vocab.txt of a slow
// BertTokenizer (one token per line, the line number is the id), the way
// transformers converts it to a fast tokenizer: BertNormalizer (with
// do_lower_case, strip_accents and tokenize_chinese_chars from
// tokenizer_config.json), BertPreTokenizer, WordPiece, and
// "[CLS] A [SEP]" around the ids.
func loadVocabTxt(file string, cfg *hfConfig) (*Tokenizer, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	defer f.Close()
	vocab := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for id := 0; sc.Scan(); id++ {
		tok := strings.TrimRight(sc.Text(), "\r\n")
		if _, dup := vocab[tok]; !dup {
			vocab[tok] = id
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	unk := cfg.token("unk_token", "[UNK]")
	m, err := newWordPiece(vocab, unk, "##", 100)
	if err != nil {
		return nil, &FormatError{File: file, Msg: err.Error()}
	}
	lower := cfg.DoLowerCase == nil || *cfg.DoLowerCase
	bn := bertNormalizer{cleanText: true, handleChinese: cfg.TokenizeChinese == nil || *cfg.TokenizeChinese,
		lowercase: lower, stripAccents: lower}
	if cfg.StripAccents != nil {
		bn.stripAccents = *cfg.StripAccents
	}
	t := &Tokenizer{model: m, normalizer: bn, preTok: bertPreTokenizer{},
		dec: wordPieceDecoder{prefix: "##", cleanup: true}, source: file}
	var added []AddedToken
	for _, k := range []string{"pad_token", "unk_token", "cls_token", "sep_token", "mask_token"} {
		def := map[string]string{"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]"}[k]
		if s := cfg.token(k, def); s != "" {
			if _, ok := vocab[s]; ok {
				added = append(added, AddedToken{Content: s, Special: true})
			}
		}
	}
	added = append(added, cfg.addedTokens()...)
	t.setAddedTokens(added)
	cls, sep := cfg.token("cls_token", "[CLS]"), cfg.token("sep_token", "[SEP]")
	clsID, ok1 := t.TokenToID(cls)
	sepID, ok2 := t.TokenToID(sep)
	if !ok1 || !ok2 {
		return nil, &FormatError{File: file, Msg: fmt.Sprintf("the vocabulary lacks %q or %q", cls, sep)}
	}
	t.setPost(clsSep(cls, sep, clsID, sepID))
	return t, nil
}
