package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/vlmtune/vlmtune/tokenizer/sentencepiece"
)

// Option changes how Load builds a tokenizer.
type Option func(*loadOptions)

type loadOptions struct {
	openAI  bool
	cleanUp *bool
}

// WithOpenAICleaning makes Encode clean text the way OpenAI's CLIP
// tokenizer does before tokenizing: ftfy's fixes (HTML entities, curly
// quotes, ligatures, full-width forms, control characters, line breaks,
// NFC; not its mojibake repair), html.unescape twice, white space collapsed
// and stripped, lower case.
func WithOpenAICleaning() Option { return func(o *loadOptions) { o.openAI = true } }

// WithCleanUpTokenizationSpaces overrides tokenizer_config.json's
// clean_up_tokenization_spaces: Decode then removes the spaces before
// punctuation and English contractions, as transformers' decode does.
func WithCleanUpTokenizationSpaces(on bool) Option {
	return func(o *loadOptions) { o.cleanUp = &on }
}

// Load reads a tokenizer from a directory or a file.
//
// In a directory it looks for tokenizer.json, then the vocab.json +
// merges.txt pair (CLIP's or GPT-2's slow tokenizer), then a SentencePiece
// *.model file, then BERT's vocab.txt; tokenizer_config.json and special_tokens_map.json beside
// it, when present, supply model_max_length, the padding side and the
// special tokens. A file path may name a tokenizer.json, a vocab.json (with
// merges.txt beside it), a SentencePiece .model, a BERT vocab.txt, or
// OpenAI's bpe_simple_vocab_16e6.txt.gz.
func Load(path string, opts ...Option) (*Tokenizer, error) {
	var o loadOptions
	for _, f := range opts {
		f(&o)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	dir, file := path, ""
	if !st.IsDir() {
		dir, file = filepath.Dir(path), path
	}
	cfg, err := readHFConfig(dir)
	if err != nil {
		return nil, err
	}
	if file == "" {
		if file, err = findTokenizerFile(dir); err != nil {
			return nil, err
		}
	}
	t, err := loadFile(file, cfg)
	if err != nil {
		return nil, err
	}
	t.configure(cfg, o)
	return t, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func findTokenizerFile(dir string) (string, error) {
	if p := filepath.Join(dir, "tokenizer.json"); fileExists(p) {
		return p, nil
	}
	if p := filepath.Join(dir, "vocab.json"); fileExists(p) && fileExists(filepath.Join(dir, "merges.txt")) {
		return p, nil
	}
	models, _ := filepath.Glob(filepath.Join(dir, "*.model"))
	sort.Strings(models)
	for _, pref := range []string{"tokenizer.model", "spiece.model", "sentencepiece.bpe.model"} {
		for _, m := range models {
			if filepath.Base(m) == pref {
				return m, nil
			}
		}
	}
	if len(models) > 0 {
		return models[0], nil
	}
	if p := filepath.Join(dir, "vocab.txt"); fileExists(p) {
		return p, nil
	}
	return "", fmt.Errorf("tokenizer: %s has no tokenizer.json, vocab.json + merges.txt, SentencePiece *.model or vocab.txt file", dir)
}

func loadFile(file string, cfg *hfConfig) (*Tokenizer, error) {
	base := filepath.Base(file)
	switch {
	case base == "vocab.json":
		return loadVocabMerges(file, filepath.Join(filepath.Dir(file), "merges.txt"), cfg)
	case base == "vocab.txt":
		return loadVocabTxt(file, cfg)
	case strings.HasSuffix(base, ".txt.gz") || strings.HasPrefix(base, "bpe_simple_vocab"):
		return loadOpenAIBPE(file, cfg)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if strings.HasSuffix(base, ".json") || bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return parseTokenizerJSON(file, data)
	}
	sp, err := sentencepiece.Parse(data)
	if err != nil {
		if strings.HasSuffix(base, ".model") {
			return nil, &FormatError{File: file, Msg: err.Error()}
		}
		return nil, &FormatError{File: file, Msg: "not a tokenizer.json, vocab.json or SentencePiece model"}
	}
	return fromSentencePiece(file, sp)
}

// hfConfig holds what vlmtune uses from tokenizer_config.json and
// special_tokens_map.json.
type hfConfig struct {
	file           string
	tokens         map[string]string // bos_token, eos_token, ... → content
	modelMaxLength int
	PaddingSide    string
	TruncationSide string
	CleanUp        *bool
	AddBOS         *bool
	AddEOS         *bool
	AddPrefixSpace bool
	TokenizerClass string
	// BERT's slow-tokenizer options.
	DoLowerCase, StripAccents, TokenizeChinese *bool
	addedDecoder                               map[int]AddedToken
}

var specialKeys = []string{"bos_token", "eos_token", "unk_token", "pad_token", "cls_token", "sep_token", "mask_token"}

func readHFConfig(dir string) (*hfConfig, error) {
	cfg := &hfConfig{tokens: map[string]string{}}
	for _, name := range []string{"special_tokens_map.json", "tokenizer_config.json"} {
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			return nil, jsonSyntaxError(p, data, err)
		}
		o := &obj{file: p, fields: top}
		for _, k := range specialKeys {
			if !o.has(k) {
				continue
			}
			s, err := tokenContent(o, k)
			if err != nil {
				return nil, err
			}
			cfg.tokens[k] = s
		}
		if name == "special_tokens_map.json" {
			continue
		}
		cfg.file = p
		if o.has("model_max_length") {
			var f float64
			if err := o.get("model_max_length", &f); err != nil {
				return nil, err
			}
			if f > 0 && f < 1e9 {
				cfg.modelMaxLength = int(f)
			}
		}
		for k, p := range map[string]*string{"padding_side": &cfg.PaddingSide, "truncation_side": &cfg.TruncationSide, "tokenizer_class": &cfg.TokenizerClass} {
			if err := o.get(k, p); err != nil {
				return nil, err
			}
		}
		for k, p := range map[string]**bool{"clean_up_tokenization_spaces": &cfg.CleanUp, "add_bos_token": &cfg.AddBOS,
			"add_eos_token": &cfg.AddEOS, "do_lower_case": &cfg.DoLowerCase, "strip_accents": &cfg.StripAccents,
			"tokenize_chinese_chars": &cfg.TokenizeChinese} {
			if err := o.get(k, p); err != nil {
				return nil, err
			}
		}
		if err := o.get("add_prefix_space", &cfg.AddPrefixSpace); err != nil {
			return nil, err
		}
		dec, err := o.child("added_tokens_decoder")
		if err != nil {
			return nil, err
		}
		if dec != nil {
			cfg.addedDecoder = map[int]AddedToken{}
			for k := range dec.fields {
				id, err := strconv.Atoi(k)
				if err != nil || id < 0 {
					return nil, dec.errf(k, "expected a non-negative integer id as key")
				}
				e, err := dec.child(k)
				if err != nil || e == nil {
					return nil, dec.errf(k, "expected an added-token object")
				}
				a := AddedToken{ID: id, Normalized: true}
				if err := e.need("content", &a.Content); err != nil {
					return nil, err
				}
				for f, p := range map[string]*bool{"single_word": &a.SingleWord, "lstrip": &a.LStrip,
					"rstrip": &a.RStrip, "normalized": &a.Normalized, "special": &a.Special} {
					if err := e.get(f, p); err != nil {
						return nil, err
					}
				}
				cfg.addedDecoder[id] = a
			}
		}
	}
	return cfg, nil
}

// tokenContent reads a special token given as a string or as an object
// with "content".
func tokenContent(o *obj, key string) (string, error) {
	var s string
	if json.Unmarshal(o.fields[key], &s) == nil {
		return s, nil
	}
	c, err := o.child(key)
	if err != nil {
		return "", err
	}
	if err := c.need("content", &s); err != nil {
		return "", err
	}
	return s, nil
}

func (c *hfConfig) token(key, def string) string {
	if s, ok := c.tokens[key]; ok {
		return s
	}
	return def
}

// addedTokens lists added_tokens_decoder in id order.
func (c *hfConfig) addedTokens() []AddedToken {
	ids := make([]int, 0, len(c.addedDecoder))
	for id := range c.addedDecoder {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	out := make([]AddedToken, len(ids))
	for i, id := range ids {
		out[i] = c.addedDecoder[id]
	}
	return out
}

// wellKnown are spellings of the conventional special tokens, used when no
// configuration file names them.
var wellKnown = map[string][]string{
	"bos_token":  {"<s>", "<|startoftext|>", "<|begin_of_text|>", "<bos>"},
	"eos_token":  {"</s>", "<|endoftext|>", "<|end_of_text|>", "<eos>"},
	"unk_token":  {"<unk>", "[UNK]", "<|endoftext|>"},
	"pad_token":  {"<pad>", "[PAD]", "<|pad|>"},
	"cls_token":  {"[CLS]", "<cls>"},
	"sep_token":  {"[SEP]", "<sep>"},
	"mask_token": {"[MASK]", "<mask>"},
}

// configure applies the configuration files and load options.
func (t *Tokenizer) configure(cfg *hfConfig, o loadOptions) {
	t.openAICleaning = o.openAI
	if cfg.CleanUp != nil {
		t.cleanUpSpaces = *cfg.CleanUp
	}
	if o.cleanUp != nil {
		t.cleanUpSpaces = *o.cleanUp
	}
	t.modelMaxLength = cfg.modelMaxLength
	if t.modelMaxLength == 0 && t.truncation != nil {
		t.modelMaxLength = t.truncation.maxLength
	}
	if cfg.PaddingSide != "" {
		t.padLeft = cfg.PaddingSide == "left"
	}
	if cfg.TruncationSide != "" {
		t.truncateLeft = cfg.TruncationSide == "left"
	}
	ids := map[string]int{}
	for _, k := range specialKeys {
		ids[k] = -1
		if s, ok := cfg.tokens[k]; ok {
			if id, ok := t.TokenToID(s); ok {
				ids[k] = id
			}
			continue
		}
		for _, s := range wellKnown[k] {
			if id, ok := t.TokenToID(s); ok {
				ids[k] = id
				break
			}
		}
	}
	t.specials = SpecialIDs{BOS: ids["bos_token"], EOS: ids["eos_token"], PAD: ids["pad_token"],
		UNK: ids["unk_token"], CLS: ids["cls_token"], SEP: ids["sep_token"], MASK: ids["mask_token"]}
	// CLIP checkpoints pad with <|endoftext|> (their pad_token); a CLIP
	// tokenizer without configuration files does the same.
	if t.specials.PAD < 0 && t.clipSuffix != "" {
		t.specials.PAD = t.specials.EOS
	}
	if t.padding == nil && t.specials.PAD >= 0 {
		t.padID = t.specials.PAD
		t.padToken, _ = t.IDToToken(t.padID)
	}
	if t.padToken == "" {
		t.padToken, _ = t.IDToToken(t.padID)
	}
	// A SentencePiece model adds no special tokens unless the configuration
	// asks for them (LlamaTokenizer's add_bos_token / add_eos_token), and
	// transformers' Llama and Gemma tokenizers rebuild their template from
	// those flags when they load (update_post_processor; add_bos_token
	// defaults to true, add_eos_token to false).
	_, isSPM := t.model.(*spmModel)
	llama := llamaTemplateClasses[strings.TrimSuffix(cfg.TokenizerClass, "Fast")]
	if (isSPM && t.post == nil) || llama {
		addBOS := cfg.AddBOS != nil && *cfg.AddBOS
		if llama && cfg.AddBOS == nil {
			addBOS = true
		}
		var items []templateItem
		if addBOS && t.specials.BOS >= 0 {
			items = append(items, t.specialItem(t.specials.BOS))
		}
		items = append(items, templateItem{sequence: true})
		if cfg.AddEOS != nil && *cfg.AddEOS && t.specials.EOS >= 0 {
			items = append(items, t.specialItem(t.specials.EOS))
		}
		if len(items) > 1 || llama {
			t.setPost(&templateProcessor{items: items})
		}
	}
}

// llamaTemplateClasses are the tokenizer classes whose template follows
// add_bos_token and add_eos_token.
var llamaTemplateClasses = map[string]bool{"LlamaTokenizer": true, "CodeLlamaTokenizer": true, "GemmaTokenizer": true}

func (t *Tokenizer) specialItem(id int) templateItem {
	s, _ := t.IDToToken(id)
	return templateItem{special: specialPiece{ids: []int{id}, tokens: []string{s}}}
}
