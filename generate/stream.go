package generate

import "unicode/utf8"

// TextStreamer turns a row's tokens into text as they are generated and
// writes only text that is final: it decodes every token so far (a
// tokenizer's decode is not the sum of its tokens' decodes: byte-fallback
// pieces, merged spaces) and holds back a tail that ends in a broken UTF-8
// sequence (U+FFFD from an incomplete byte run, or invalid bytes), so a
// character split over several tokens is written whole.
type TextStreamer struct {
	// Decode turns ids into text (special tokens skipped, as a user wants
	// to read them).
	Decode func(ids []int32) string
	// Write receives each piece of final text.
	Write func(text string)

	ids     []int32
	written int // bytes of the decoded text already written
}

// Push adds a token and writes whatever text became final.
func (s *TextStreamer) Push(token int32) {
	s.ids = append(s.ids, token)
	text := s.Decode(s.ids)
	end := len(text)
	for end > s.written {
		r, size := utf8.DecodeLastRuneInString(text[:end])
		if r != utf8.RuneError {
			break
		}
		end -= size // a broken sequence or a replacement character: wait
	}
	s.emit(text, end)
}

// Flush writes the rest of the text, broken or not, at the end of a row.
func (s *TextStreamer) Flush() {
	if len(s.ids) == 0 {
		return
	}
	text := s.Decode(s.ids)
	s.emit(text, len(text))
}

// Text returns the whole text decoded so far.
func (s *TextStreamer) Text() string { return s.Decode(s.ids) }

func (s *TextStreamer) emit(text string, end int) {
	if end <= s.written {
		return
	}
	s.Write(text[s.written:end])
	s.written = end
}
