package generate

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A character whose bytes arrive over several tokens (byte fallback) is
// written whole, once; everything is written by the end.
func TestTextStreamerNeverWritesBrokenUTF8(t *testing.T) {
	// Each token is one byte of the text: "a", then "€" (3 bytes), "b",
	// then an emoji (4 bytes).
	text := "a€b😀"
	decode := func(ids []int32) string {
		var b []byte
		for _, id := range ids {
			b = append(b, text[id])
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	var pieces []string
	s := TextStreamer{Decode: decode, Write: func(p string) { pieces = append(pieces, p) }}
	for i := range len(text) {
		s.Push(int32(i))
		for _, p := range pieces {
			if !utf8.ValidString(p) || strings.ContainsRune(p, '\uFFFD') {
				t.Fatalf("wrote a broken piece %q", p)
			}
		}
	}
	s.Flush()
	if got := strings.Join(pieces, ""); got != text {
		t.Errorf("wrote %q, want %q", got, text)
	}
	if want := []string{"a", "€", "b", "😀"}; strings.Join(pieces, "|") != strings.Join(want, "|") {
		t.Errorf("pieces %q, want %q", pieces, want)
	}
}

// A row cut inside a character still writes its bytes at Flush.
func TestTextStreamerFlushWritesTheRest(t *testing.T) {
	text := "x\xe2\x82"
	decode := func(ids []int32) string { return strings.ToValidUTF8(text[:len(ids)], "\uFFFD") }
	var out strings.Builder
	s := TextStreamer{Decode: decode, Write: func(p string) { out.WriteString(p) }}
	for i := range len(text) {
		s.Push(int32(i))
	}
	if out.String() != "x" {
		t.Errorf("before Flush: %q", out.String())
	}
	s.Flush()
	if out.String() != "x\uFFFD" {
		t.Errorf("after Flush: %q", out.String())
	}
}
