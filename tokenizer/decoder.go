package tokenizer

import (
	"strconv"
	"strings"
)

// A decoder turns tokens back into text, as a chain of steps over the list
// of token strings (the decode_chain of the reference); the results are
// concatenated at the end.
type decoder interface {
	decodeChain(tokens []string) []string
}

type seqDecoder []decoder

func (q seqDecoder) decodeChain(t []string) []string {
	for _, d := range q {
		t = d.decodeChain(t)
	}
	return t
}

// byteLevelDecoder maps stand-in characters back to bytes.
type byteLevelDecoder struct{}

func (byteLevelDecoder) decodeChain(t []string) []string {
	var b []byte
	for _, s := range t {
		b = byteLevelDecodeToken(b, s)
	}
	return []string{lossyUTF8(b)}
}

// metaspaceDecoder turns the replacement character back into spaces; in
// the first token it is dropped unless the prepend scheme is "never".
type metaspaceDecoder struct {
	replacement rune
	scheme      prependScheme
}

func (m metaspaceDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, s := range t {
		var b strings.Builder
		for _, r := range s {
			if r == m.replacement {
				if i == 0 && m.scheme != prependNever {
					continue
				}
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		}
		out[i] = b.String()
	}
	return out
}

// wordPieceDecoder joins pieces, dropping the continuation prefix.
type wordPieceDecoder struct {
	prefix  string
	cleanup bool
}

func (w wordPieceDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, s := range t {
		if i != 0 {
			if strings.HasPrefix(s, w.prefix) {
				s = s[len(w.prefix):]
			} else {
				s = " " + s
			}
		}
		if w.cleanup {
			s = cleanupSpaces(s, true)
		}
		out[i] = s
	}
	return out
}

// cleanupSpaces removes the spaces tokenizers put before punctuation and
// English contractions (the WordPiece decoder's cleanup, and transformers'
// clean_up_tokenization when withDoNot is false).
func cleanupSpaces(s string, withDoNot bool) string {
	r := []string{" .", ".", " ?", "?", " !", "!", " ,", ",", " ' ", "'", " n't", "n't", " 'm", "'m"}
	for i := 0; i < len(r); i += 2 {
		s = strings.ReplaceAll(s, r[i], r[i+1])
	}
	if withDoNot {
		s = strings.ReplaceAll(s, " do not", " don't")
	}
	for _, p := range [][2]string{{" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}} {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	return s
}

// bpeSuffixDecoder replaces the end-of-word suffix with a space (nothing
// after the last token).
type bpeSuffixDecoder struct{ suffix string }

func (d bpeSuffixDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, s := range t {
		rep := " "
		if i == len(t)-1 {
			rep = ""
		}
		out[i] = strings.ReplaceAll(s, d.suffix, rep)
	}
	return out
}

// byteFallbackDecoder turns runs of <0xAB> tokens back into UTF-8; a run
// that is not valid UTF-8 becomes one U+FFFD per byte.
type byteFallbackDecoder struct{}

func (byteFallbackDecoder) decodeChain(t []string) []string {
	out := make([]string, 0, len(t))
	var run []byte
	flush := func() {
		if len(run) == 0 {
			return
		}
		if s := string(run); isValidUTF8(s) {
			out = append(out, s)
		} else {
			for range run {
				out = append(out, "\uFFFD")
			}
		}
		run = run[:0]
	}
	for _, s := range t {
		if len(s) == 6 && strings.HasPrefix(s, "<0x") && s[5] == '>' {
			if v, err := strconv.ParseUint(s[3:5], 16, 8); err == nil {
				run = append(run, byte(v))
				continue
			}
		}
		flush()
		out = append(out, s)
	}
	flush()
	return out
}

// fuseDecoder concatenates all tokens.
type fuseDecoder struct{}

func (fuseDecoder) decodeChain(t []string) []string { return []string{strings.Join(t, "")} }

// stripDecoder removes up to start leading and stop trailing copies of a
// character from each token.
type stripDecoder struct {
	content     rune
	start, stop int
}

func (d stripDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, s := range t {
		rs := []rune(s)
		lo := 0
		for k := 0; k < d.start && k < len(rs); k++ {
			if rs[k] != d.content {
				break
			}
			lo = k + 1
		}
		hi := len(rs)
		for k := 0; k < d.stop && len(rs)-k-1 >= 0; k++ {
			idx := len(rs) - k - 1
			if rs[idx] != d.content {
				break
			}
			hi = idx
		}
		if hi < lo {
			hi = lo
		}
		out[i] = string(rs[lo:hi])
	}
	return out
}

// replaceDecoder replaces a pattern in each token.
type replaceDecoder struct{ r replaceNormalizer }

func (d replaceDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, s := range t {
		out[i] = d.r.normalize(s)
	}
	return out
}

// ctcDecoder collapses repeated tokens, drops the pad token and turns the
// word delimiter into spaces (wav2vec2-style CTC output).
type ctcDecoder struct {
	pad, delimiter string
	cleanup        bool
}

func (d ctcDecoder) decodeChain(t []string) []string {
	var out []string
	for i, s := range t {
		if i > 0 && s == t[i-1] {
			continue
		}
		s = strings.ReplaceAll(s, d.pad, "")
		if d.cleanup {
			s = strings.ReplaceAll(cleanupSpaces(s, true), d.delimiter, " ")
		}
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
