package tokenizer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/text/unicode/norm"
)

const (
	clipBOS = "<|startoftext|>"
	clipEOS = "<|endoftext|>"
	// openAIMerges is how many lines of bpe_simple_vocab_16e6.txt.gz OpenAI's
	// tokenizer reads as merges (49152 - 256 - 2).
	openAIMerges = 48894
)

// readMerges reads a merges.txt: "#version" lines are skipped, every other
// line is "left right".
func readMerges(file string, r io.Reader, limit int) ([][2]string, error) {
	var merges [][2]string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSuffix(sc.Text(), "\r")
		if strings.HasPrefix(s, "#version") {
			continue
		}
		if limit > 0 && len(merges) == limit {
			break
		}
		parts := strings.Split(s, " ")
		if len(parts) != 2 {
			if s == "" && limit > 0 {
				continue
			}
			return nil, &FormatError{File: file, Key: fmt.Sprintf("line %d", line),
				Msg: fmt.Sprintf(`expected "left right", got %q`, s)}
		}
		merges = append(merges, [2]string{parts[0], parts[1]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return merges, nil
}

// loadVocabMerges builds a tokenizer from the vocab.json + merges.txt pair
// of a slow Hugging Face tokenizer. A vocabulary with "</w>" tokens is
// CLIP's and gets the pipeline transformers' CLIPTokenizerFast converts it
// to; otherwise it is GPT-2 style byte-level BPE.
func loadVocabMerges(vocabPath, mergesPath string, cfg *hfConfig) (*Tokenizer, error) {
	data, err := os.ReadFile(vocabPath)
	if err != nil {
		return nil, err
	}
	var vocab map[string]int
	if err := json.Unmarshal(data, &vocab); err != nil {
		return nil, jsonSyntaxError(vocabPath, data, err)
	}
	mf, err := os.Open(mergesPath)
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	merges, err := readMerges(mergesPath, mf, 0)
	if err != nil {
		return nil, err
	}
	isCLIP := strings.HasPrefix(cfg.TokenizerClass, "CLIP")
	if !isCLIP {
		for k := range vocab {
			if strings.HasSuffix(k, "</w>") {
				isCLIP = true
				break
			}
		}
	}
	if isCLIP {
		return buildCLIP(vocabPath, vocab, merges, cfg)
	}
	return buildGPT2(vocabPath, vocab, merges, cfg)
}

// buildCLIP assembles CLIP's pipeline: NFC, white space collapsed, lower
// case, the CLIP split expression, byte-level mapping, BPE with the "</w>"
// suffix, and <|startoftext|> ... <|endoftext|> around the ids.
func buildCLIP(file string, vocab map[string]int, merges [][2]string, cfg *hfConfig) (*Tokenizer, error) {
	unk := cfg.token("unk_token", clipEOS)
	m, err := newBPE(vocab, merges, unk, "", "</w>", false, false, false)
	if err != nil {
		return nil, &FormatError{File: file, Msg: err.Error()}
	}
	spaces, _ := compilePattern("", patternSpaces, true)
	split, _ := compilePattern("", patternCLIP, true)
	t := &Tokenizer{
		model: m,
		normalizer: seqNormalizer{unicodeNormalizer{norm.NFC},
			replaceNormalizer{pattern: spaces, content: " "}, lowercaseNormalizer{}},
		preTok: seqPreTokenizer{splitPreTokenizer{pattern: split, behavior: splitRemoved, invert: true},
			byteLevelPreTokenizer{}},
		dec:        byteLevelDecoder{},
		clipSuffix: "</w>",
		source:     file,
	}
	bos, eos := cfg.token("bos_token", clipBOS), cfg.token("eos_token", clipEOS)
	added := cfg.addedTokens()
	if len(added) == 0 {
		added = []AddedToken{{Content: bos, Normalized: true, Special: true}, {Content: eos, Normalized: true, Special: true}}
	}
	t.setAddedTokens(added)
	bosID, ok1 := t.TokenToID(bos)
	eosID, ok2 := t.TokenToID(eos)
	if !ok1 || !ok2 {
		return nil, &FormatError{File: file, Msg: fmt.Sprintf("the vocabulary lacks the CLIP special tokens %q and %q", bos, eos)}
	}
	t.setPost(clsSep(bos, eos, bosID, eosID))
	return t, nil
}

// buildGPT2 assembles GPT-2's byte-level BPE pipeline (no special tokens
// are added around the ids).
func buildGPT2(file string, vocab map[string]int, merges [][2]string, cfg *hfConfig) (*Tokenizer, error) {
	m, err := newBPE(vocab, merges, "", "", "", false, false, false)
	if err != nil {
		return nil, &FormatError{File: file, Msg: err.Error()}
	}
	t := &Tokenizer{
		model:  m,
		preTok: byteLevelPreTokenizer{addPrefixSpace: cfg.AddPrefixSpace, useRegex: true},
		dec:    byteLevelDecoder{},
		source: file,
	}
	t.setAddedTokens(cfg.addedTokens())
	t.setPost(noopProcessor{})
	return t, nil
}

// loadOpenAIBPE reads OpenAI's bpe_simple_vocab_16e6.txt.gz and builds the
// vocabulary the way simple_tokenizer.py does: the 256 byte characters, the
// same with "</w>", one token per merge, then the two special tokens.
func loadOpenAIBPE(file string, cfg *hfConfig) (*Tokenizer, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var r io.Reader = bytes.NewReader(data)
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, &FormatError{File: file, Msg: fmt.Sprintf("not a valid gzip file: %v", err)}
		}
		r = zr
	}
	all, err := io.ReadAll(r)
	if err != nil {
		return nil, &FormatError{File: file, Msg: fmt.Sprintf("cannot decompress: %v", err)}
	}
	lines := strings.Split(strings.TrimSpace(string(all)), "\n")
	if len(lines) < 2 {
		return nil, &FormatError{File: file, Msg: "has no merges"}
	}
	lines = lines[1:min(len(lines), openAIMerges+1)]
	merges := make([][2]string, len(lines))
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) != 2 {
			return nil, &FormatError{File: file, Key: fmt.Sprintf("line %d", i+2), Msg: fmt.Sprintf(`expected "left right", got %q`, l)}
		}
		merges[i] = [2]string{f[0], f[1]}
	}
	vocab := map[string]int{}
	order := byteOrder()
	for i, b := range order {
		vocab[byteToStr[b]] = i
		vocab[byteToStr[b]+"</w>"] = i + 256
	}
	for i, m := range merges {
		vocab[m[0]+m[1]] = 512 + i
	}
	vocab[clipBOS] = 512 + len(merges)
	vocab[clipEOS] = 513 + len(merges)
	return buildCLIP(file, vocab, merges, cfg)
}

// byteOrder lists bytes in the order of GPT-2's bytes_to_unicode table:
// the printable ones first, then the rest.
func byteOrder() []int {
	var order, rest []int
	for b := 0; b < 256; b++ {
		if byteToRune[b] == rune(b) {
			order = append(order, b)
		} else {
			rest = append(rest, b)
		}
	}
	return append(order, rest...)
}
