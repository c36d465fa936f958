package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// trainSplit is CLIP's pre-tokenizer pattern without the special tokens
// and contractions, for TrainCLIPBPE.
var trainSplit = regexp.MustCompile(`\pL+|\pN|[^\s\pL\pN]+`)

// wordSymbols turns a pre-token into its byte symbols with CLIP's
// end-of-word suffix on the last one.
func wordSymbols(piece string) []string {
	b := []byte(piece)
	out := make([]string, len(b))
	for i, c := range b {
		out[i] = byteToStr[c]
	}
	out[len(out)-1] += "</w>"
	return out
}

// TrainCLIPBPE learns byte-level BPE merges with CLIP's end-of-word
// suffix on the words of texts (lower-cased and split like CLIP) until
// every word is one token, choosing at each step the most frequent
// adjacent pair; ties go to the pair whose text sorts first, so the
// result depends on the texts alone. vlmtune builds its built-in model's
// vocabulary with it.
func TrainCLIPBPE(texts []string) [][2]string {
	counts := map[string]int{}
	for _, t := range texts {
		for _, p := range trainSplit.FindAllString(strings.ToLower(t), -1) {
			counts[p]++
		}
	}
	type word struct {
		syms  []string
		count int
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	words := make([]word, 0, len(keys))
	for _, k := range keys {
		words = append(words, word{wordSymbols(k), counts[k]})
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

// WriteCLIPVocab writes a CLIP slow-tokenizer pair (vocab.json,
// merges.txt) for merges, with its tokenizer_config.json (model_max_length
// maxLen) and special_tokens_map.json, into dir, and returns the
// vocabulary size. Token ids follow CLIP's layout: the 256 byte symbols,
// the same with </w>, the merges in order, then <|startoftext|> and
// <|endoftext|>.
func WriteCLIPVocab(dir string, merges [][2]string, maxLen int) (int, error) {
	var order []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			order = append(order, s)
		}
	}
	bytes := byteOrder()
	for _, b := range bytes {
		add(byteToStr[b])
	}
	for _, b := range bytes {
		add(byteToStr[b] + "</w>")
	}
	for _, m := range merges {
		add(m[0] + m[1])
	}
	add(clipBOS)
	add(clipEOS)
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
		"bos_token": clipBOS, "eos_token": clipEOS, "pad_token": clipEOS, "unk_token": clipEOS,
		"errors": "replace", "clean_up_tokenization_spaces": true,
	}
	cj, _ := json.MarshalIndent(cfg, "", "  ")
	sm, _ := json.MarshalIndent(map[string]string{"bos_token": clipBOS, "eos_token": clipEOS, "pad_token": clipEOS, "unk_token": clipEOS}, "", "  ")
	for name, data := range map[string][]byte{
		"vocab.json": vj, "merges.txt": []byte(mb.String()), "tokenizer_config.json": append(cj, '\n'), "special_tokens_map.json": append(sm, '\n'),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return 0, fmt.Errorf("tokenizer: %w", err)
		}
	}
	return len(order), nil
}
