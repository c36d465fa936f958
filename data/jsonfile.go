package data

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// jsonlSource reads one JSON record per line. Blank lines are skipped.
type jsonlSource struct {
	f    *os.File
	br   *bufio.Reader
	path string
	root string
	opts *Options
	line int
	done bool
}

func openJSONL(path, root string, opts *Options) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &jsonlSource{f: f, br: bufio.NewReaderSize(f, 256<<10), path: path, root: root, opts: opts}, nil
}

// readLine returns the next line without its terminator. A line longer than
// max is consumed and reported with tooLong set.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			switch {
			case len(buf)+len(chunk) > max:
				tooLong, buf = true, nil
			case buf == nil && err != bufio.ErrBufferFull:
				buf = chunk // valid until the next read
			default:
				buf = append(buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
		} else if err != nil {
			return nil, false, err
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		return buf, tooLong, nil
	}
}

func (s *jsonlSource) next() (*Example, error) {
	for !s.done {
		line, tooLong, err := readLine(s.br, s.opts.maxRecord())
		if err == io.EOF {
			s.done = true
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", s.line+1, err)
		}
		s.line++
		o := Origin{File: s.path, Line: s.line}
		if tooLong {
			return nil, recErr(o, KindBadRecord, "line is longer than %d bytes", s.opts.maxRecord())
		}
		if s.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		ex, err := parseJSONRecord(line, o, s.root)
		if s.opts.KeepRaw {
			raw := append([]byte(nil), line...)
			attachRaw(ex, err, raw)
		}
		return ex, err
	}
	return nil, io.EOF
}

func (s *jsonlSource) close() error { return s.f.Close() }

// jsonArraySource streams the elements of a top-level JSON array.
type jsonArraySource struct {
	f     *os.File
	lines *lineTracker
	dec   *json.Decoder
	path  string
	root  string
	opts  *Options
	done  bool
}

func openJSONArray(path, root string, opts *Options) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	lt := &lineTracker{r: bufio.NewReaderSize(f, 256<<10)}
	dec := json.NewDecoder(lt)
	s := &jsonArraySource{f: f, lines: lt, dec: dec, path: path, root: root, opts: opts}
	tok, err := dec.Token()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("line %d: malformed JSON: %v", lt.lineAt(dec.InputOffset()), err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		f.Close()
		return nil, fmt.Errorf("expected a JSON array of records, found %v", tok)
	}
	return s, nil
}

func (s *jsonArraySource) next() (*Example, error) {
	if s.done {
		return nil, io.EOF
	}
	if !s.dec.More() {
		s.done = true
		if _, err := s.dec.Token(); err != nil {
			return nil, recErr(Origin{File: s.path, Line: s.lines.lineAt(s.dec.InputOffset())}, KindMalformedJSON,
				"malformed JSON at the end of the array: %v", err)
		}
		return nil, io.EOF
	}
	var raw json.RawMessage
	err := s.dec.Decode(&raw)
	if err != nil {
		s.done = true
		line, col := s.lines.errorPos(s.dec.InputOffset())
		return nil, recErr(Origin{File: s.path, Line: line}, KindMalformedJSON,
			"malformed JSON at column %d: %v; the rest of the array cannot be read (fix the file, or convert it to JSONL so one bad line does not hide the others)", col, err)
	}
	end := s.dec.InputOffset()
	start := end - int64(len(raw))
	o := Origin{File: s.path, Line: s.lines.lineAt(start)}
	s.lines.lineAt(end)
	if len(raw) > s.opts.maxRecord() {
		return nil, recErr(o, KindBadRecord, "record is longer than %d bytes", s.opts.maxRecord())
	}
	ex, err := parseJSONRecord(raw, o, s.root)
	if s.opts.KeepRaw {
		kept := append([]byte(nil), raw...)
		attachRaw(ex, err, kept)
	}
	return ex, err
}

func (s *jsonArraySource) close() error { return s.f.Close() }

// lineTracker passes bytes through and maps byte offsets to line numbers.
// It keeps only the bytes between the last resolved offset and the read
// position, so memory stays bounded by the decoder's read-ahead.
type lineTracker struct {
	r        io.Reader
	pending  []byte // bytes from base on
	base     int64  // offset of pending[0]
	baseLine int    // 1-based line of offset base
	baseCol  int    // 0-based column of offset base
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.pending = append(t.pending, p[:n]...)
	return n, err
}

// lineCol returns the 1-based line and column of the byte at offset (which
// must not be before an offset already asked for).
func (t *lineTracker) lineCol(offset int64) (int, int) {
	if t.baseLine == 0 {
		t.baseLine = 1
	}
	k := int(offset - t.base)
	if k < 0 {
		k = 0
	}
	if k > len(t.pending) {
		k = len(t.pending)
	}
	seg := t.pending[:k]
	nl := bytes.Count(seg, []byte("\n"))
	if nl > 0 {
		t.baseLine += nl
		t.baseCol = len(seg) - bytes.LastIndexByte(seg, '\n') - 1
	} else {
		t.baseCol += len(seg)
	}
	t.base += int64(k)
	t.pending = append(t.pending[:0], t.pending[k:]...)
	return t.baseLine, t.baseCol + 1
}

func (t *lineTracker) lineAt(offset int64) int {
	l, _ := t.lineCol(offset)
	return l
}

// errorPos finds the line and column of a syntax error in the element that
// starts after the last resolved offset: the decoder's own error offsets
// are relative to its internal buffer, so the pending bytes are scanned
// again. fallback is used when they hold no syntax error.
func (t *lineTracker) errorPos(fallback int64) (int, int) {
	rest := t.pending
	skip := len(rest) - len(bytes.TrimLeft(rest, " \t\r\n"))
	if skip < len(rest) && rest[skip] == ',' {
		skip++
		skip += len(rest[skip:]) - len(bytes.TrimLeft(rest[skip:], " \t\r\n"))
	}
	var v json.RawMessage
	var se *json.SyntaxError
	if err := json.Unmarshal(rest[skip:], &v); errors.As(err, &se) && se.Offset > 0 && se.Offset <= int64(len(rest)-skip) {
		return t.lineCol(t.base + int64(skip) + se.Offset - 1)
	}
	return t.lineCol(fallback)
}

// attachRaw stores a record's bytes on the example or on the record error.
func attachRaw(ex *Example, err error, raw []byte) {
	if re, ok := err.(*RecordError); ok {
		re.Raw = raw
	} else if ex != nil {
		ex.Raw = raw
	}
}
