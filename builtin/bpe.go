package builtin

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// endOfWord is CLIP's end-of-word suffix.
const endOfWord = "</w>"

// Special tokens of CLIP's tokenizer.
const (
	bosToken = "<|startoftext|>"
	eosToken = "<|endoftext|>"
)

// byteUnicode is GPT-2/CLIP's reversible byte → printable-rune table.
func byteUnicode() [256]rune {
	var t [256]rune
	var bs []int
	for b := '!'; b <= '~'; b++ {
		bs = append(bs, int(b))
	}
	for b := '¡'; b <= '¬'; b++ {
		bs = append(bs, int(b))
	}
	for b := '®'; b <= 'ÿ'; b++ {
		bs = append(bs, int(b))
	}
	in := map[int]bool{}
	for _, b := range bs {
		in[b] = true
		t[b] = rune(b)
	}
	n := 0
	for b := 0; b < 256; b++ {
		if !in[b] {
			t[b] = rune(256 + n)
			n++
		}
	}
	return t
}

// clipSplit is CLIP's pre-tokenizer pattern without the special tokens
// and contractions (the synthetic captions have none).
var clipSplit = regexp.MustCompile(`\pL+|\pN|[^\s\pL\pN]+`)

// symbols turns a pre-token into its byte symbols with the end-of-word
// suffix on the last one.
func symbols(piece string, table [256]rune) []string {
	b := []byte(piece)
	out := make([]string, len(b))
	for i, c := range b {
		out[i] = string(table[c])
	}
	out[len(out)-1] += endOfWord
	return out
}

// trainBPE learns merges on the words of texts (lower-cased and split like
// CLIP) until every word is one token, choosing at each step the most
// frequent adjacent pair (ties broken by the pair's text, so the result is
// deterministic).
func trainBPE(texts []string) [][2]string {
	table := byteUnicode()
	counts := map[string]int{}
	for _, t := range texts {
		for _, p := range clipSplit.FindAllString(strings.ToLower(t), -1) {
			counts[p]++
		}
	}
	type word struct {
		syms  []string
		count int
	}
	var words []word
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		words = append(words, word{symbols(k, table), counts[k]})
	}
	var merges [][2]string
	for {
		pairs := map[[2]string]int{}
		for _, w := range words {
			for i := 0; i+1 < len(w.syms); i++ {
				pairs[[2]string{w.syms[i], w.syms[i+1]}] += w.count
			}
		}
		if len(pairs) == 0 {
			return merges
		}
		var best [2]string
		bestN := -1
		for p, n := range pairs {
			if n > bestN || (n == bestN && p[0]+" "+p[1] < best[0]+" "+best[1]) {
				best, bestN = p, n
			}
		}
		merges = append(merges, best)
		joined := best[0] + best[1]
		for wi := range words {
			s := words[wi].syms
			var out []string
			for i := 0; i < len(s); i++ {
				if i+1 < len(s) && s[i] == best[0] && s[i+1] == best[1] {
					out = append(out, joined)
					i++
				} else {
					out = append(out, s[i])
				}
			}
			words[wi].syms = out
		}
	}
}

// writeTokenizer writes a CLIP slow-tokenizer pair (vocab.json,
// merges.txt) with its tokenizer_config.json and special_tokens_map.json,
// and returns the vocabulary size. Token ids follow CLIP's layout: the 256
// byte symbols, the same with </w>, the merges in order, then
// <|startoftext|> and <|endoftext|>.
func writeTokenizer(dir string, merges [][2]string, maxLen int) (int, error) {
	table := byteUnicode()
	var order []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			order = append(order, s)
		}
	}
	// CLIP orders the byte symbols by printable ranges first.
	var bs []int
	for b := 0; b < 256; b++ {
		bs = append(bs, b)
	}
	sort.SliceStable(bs, func(i, j int) bool { return table[bs[i]] < table[bs[j]] })
	for _, b := range bs {
		add(string(table[b]))
	}
	for _, b := range bs {
		add(string(table[b]) + endOfWord)
	}
	for _, m := range merges {
		add(m[0] + m[1])
	}
	add(bosToken)
	add(eosToken)
	vocab := make(map[string]int, len(order))
	for i, s := range order {
		vocab[s] = i
	}
	vj, err := json.Marshal(vocab)
	if err != nil {
		return 0, err
	}
	var mb strings.Builder
	mb.WriteString("#version: 0.2\n")
	for _, m := range merges {
		mb.WriteString(m[0] + " " + m[1] + "\n")
	}
	cfg := map[string]any{
		"tokenizer_class": "CLIPTokenizer", "model_max_length": maxLen, "do_lower_case": true,
		"bos_token": bosToken, "eos_token": eosToken, "pad_token": eosToken, "unk_token": eosToken,
		"errors": "replace", "clean_up_tokenization_spaces": true,
	}
	cj, _ := json.MarshalIndent(cfg, "", "  ")
	sm, _ := json.MarshalIndent(map[string]string{"bos_token": bosToken, "eos_token": eosToken, "pad_token": eosToken, "unk_token": eosToken}, "", "  ")
	for name, data := range map[string][]byte{
		"vocab.json": vj, "merges.txt": []byte(mb.String()), "tokenizer_config.json": append(cj, '\n'), "special_tokens_map.json": append(sm, '\n'),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return 0, fmt.Errorf("builtin: %w", err)
		}
	}
	return len(order), nil
}
