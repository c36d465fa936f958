package data

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Format is a file layout that a Reader understands.
type Format string

// The formats. FormatAuto lets Sniff decide.
const (
	FormatAuto       Format = ""
	FormatJSONArray  Format = "json"    // a JSON array of records
	FormatJSONL      Format = "jsonl"   // one JSON record per line
	FormatCSV        Format = "csv"     // comma-separated with a header row
	FormatTSV        Format = "tsv"     // tab-separated with a header row
	FormatWebDataset Format = "wds"     // a webdataset tar shard
	FormatParquet    Format = "parquet" // a Parquet file
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatAuto, FormatJSONArray, FormatJSONL, FormatCSV, FormatTSV, FormatWebDataset, FormatParquet:
		return f, nil
	case "auto":
		return FormatAuto, nil
	case "tar":
		return FormatWebDataset, nil
	}
	return "", fmt.Errorf("unknown format %q; use one of auto, json, jsonl, csv, tsv, wds (tar), parquet", s)
}

// Sniff decides the format of a file from its extension and, for .json and
// unknown extensions, its first bytes: a .json file whose first
// non-blank byte is '[' is a JSON array, '{' is JSONL.
func Sniff(path string) (Format, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	case ".csv":
		return FormatCSV, nil
	case ".tsv":
		return FormatTSV, nil
	case ".tar":
		return FormatWebDataset, nil
	case ".parquet", ".pq":
		return FormatParquet, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	head = head[:n]
	if bytes.HasPrefix(head, []byte("PAR1")) {
		return FormatParquet, nil
	}
	if n >= 262 && string(head[257:262]) == "ustar" {
		return FormatWebDataset, nil
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) > 0 {
		switch trimmed[0] {
		case '[':
			return FormatJSONArray, nil
		case '{':
			return FormatJSONL, nil
		}
	}
	if ext == ".json" {
		if len(trimmed) == 0 {
			return FormatJSONL, nil // empty file: zero records
		}
		return "", fmt.Errorf("%s: a .json data file must start with '[' (array) or '{' (one object per line)", path)
	}
	if len(bytes.TrimSpace(head)) == 0 && n == 0 {
		return FormatJSONL, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format; name the file .json, .jsonl, .csv, .tsv, .tar or .parquet, or pass the format explicitly", path)
}

// ExpandPattern expands brace patterns in a path, as webdataset does:
// "shard-{000..009}.tar" gives shard-000.tar ... shard-009.tar (zero
// padding follows the width of the first bound), and "{a,b,c}" gives one
// path per alternative. Several groups multiply. A path without braces is
// returned as is.
func ExpandPattern(p string) ([]string, error) {
	open := strings.IndexByte(p, '{')
	if open < 0 {
		if strings.IndexByte(p, '}') >= 0 {
			return nil, fmt.Errorf("pattern %q: '}' without '{'", p)
		}
		return []string{p}, nil
	}
	closeRel := strings.IndexByte(p[open:], '}')
	if closeRel < 0 {
		return nil, fmt.Errorf("pattern %q: '{' without '}'", p)
	}
	close := open + closeRel
	body := p[open+1 : close]
	var alts []string
	if lo, hi, ok := strings.Cut(body, ".."); ok {
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return nil, fmt.Errorf("pattern %q: range {%s} must be {LOW..HIGH} with 0 <= LOW <= HIGH", p, body)
		}
		if b-a >= 1_000_000 {
			return nil, fmt.Errorf("pattern %q: range {%s} has too many values", p, body)
		}
		width := len(lo)
		for i := a; i <= b; i++ {
			alts = append(alts, fmt.Sprintf("%0*d", width, i))
		}
	} else {
		alts = strings.Split(body, ",")
	}
	rest, err := ExpandPattern(p[close+1:])
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(alts)*len(rest))
	for _, a := range alts {
		for _, r := range rest {
			out = append(out, p[:open]+a+r)
		}
	}
	return out, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
