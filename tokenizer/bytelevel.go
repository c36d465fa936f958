package tokenizer

import (
	"strings"
	"unicode/utf8"
)

// The GPT-2 byte-to-character table: printable Latin-1 bytes map to
// themselves, the other 68 bytes to U+0100 onwards, so every byte string
// becomes printable text that BPE can work on.
var (
	byteToRune    [256]rune
	byteToStr     [256]string
	runeToByteMap = map[rune]byte{}
)

func init() {
	n := 0
	for b := 0; b < 256; b++ {
		printable := b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF
		if printable {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = rune(256 + n)
			n++
		}
		byteToStr[b] = string(byteToRune[b])
		runeToByteMap[byteToRune[b]] = byte(b)
	}
}

// byteLevelEncode maps every byte of s to its stand-in character.
func byteLevelEncode(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || byteToRune[c] != rune(c) {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		b.WriteString(byteToStr[s[i]])
	}
	return b.String()
}

// byteLevelDecodeToken appends the bytes a token stands for: when every
// character of the token is in the table, the bytes it maps to, otherwise
// the token's own UTF-8 bytes.
func byteLevelDecodeToken(dst []byte, tok string) []byte {
	start := len(dst)
	for _, r := range tok {
		b, ok := runeToByteMap[r]
		if !ok {
			return append(dst[:start], tok...)
		}
		dst = append(dst, b)
	}
	return dst
}
