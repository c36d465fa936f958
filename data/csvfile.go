package data

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// CSVOptions configure CSV and TSV files, like open_clip's --csv-img-key,
// --csv-caption-key and --csv-separator.
type CSVOptions struct {
	// ImageKey is the image column; empty picks the first of image_path,
	// filepath, image, file_name, path that the header has.
	ImageKey string
	// CaptionKey is the caption column; empty picks the first of caption,
	// title, text that the header has.
	CaptionKey string
	// Separator overrides the field separator (',' for .csv, tab for .tsv).
	Separator rune
}

// Default column names tried when CSVOptions leaves them empty.
var (
	DefaultImageKeys   = []string{"image_path", "filepath", "image", "file_name", "path"}
	DefaultCaptionKeys = []string{"caption", "title", "text"}
)

type csvSource struct {
	f      *os.File
	raw    *os.File // second handle for Example.Raw
	cr     *csv.Reader
	path   string
	root   string
	opts   *Options
	header []string
	imgCol int
	capCol int
	idCol  int
	prev   int64 // input offset after the previous record
	done   bool
}

func openCSV(path, root string, sep rune, opts *Options) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if opts.CSV.Separator != 0 {
		sep = opts.CSV.Separator
	}
	cr := csv.NewReader(bufio.NewReaderSize(f, 256<<10))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	s := &csvSource{f: f, cr: cr, path: path, root: root, opts: opts, idCol: -1}
	header, err := cr.Read()
	if err != nil {
		f.Close()
		if err == io.EOF {
			return nil, errors.New("empty file: a header row naming the image and caption columns is needed")
		}
		return nil, fmt.Errorf("header: %w", err)
	}
	s.header = append([]string(nil), header...)
	if len(s.header) > 0 {
		s.header[0] = strings.TrimPrefix(s.header[0], "\ufeff")
	}
	s.prev = cr.InputOffset()
	s.imgCol = pickColumn(s.header, opts.CSV.ImageKey, DefaultImageKeys)
	s.capCol = pickColumn(s.header, opts.CSV.CaptionKey, DefaultCaptionKeys)
	if s.imgCol < 0 || s.capCol < 0 {
		f.Close()
		what, key, defaults := "image", opts.CSV.ImageKey, DefaultImageKeys
		if s.imgCol >= 0 {
			what, key, defaults = "caption", opts.CSV.CaptionKey, DefaultCaptionKeys
		}
		if key != "" {
			return nil, fmt.Errorf("line 1: no %s column %q in the header %q; pass the right --csv-%s-key", what, key, s.header, map[string]string{"image": "img", "caption": "caption"}[what])
		}
		return nil, fmt.Errorf("line 1: no %s column (tried %q) in the header %q; name it with --csv-%s-key", what, defaults, s.header, map[string]string{"image": "img", "caption": "caption"}[what])
	}
	s.idCol = pickColumn(s.header, "", []string{"id"})
	if opts.KeepRaw {
		if s.raw, err = os.Open(path); err != nil {
			f.Close()
			return nil, err
		}
	}
	return s, nil
}

func pickColumn(header []string, key string, defaults []string) int {
	if key != "" {
		defaults = []string{key}
	}
	for _, k := range defaults {
		for i, h := range header {
			if h == k {
				return i
			}
		}
	}
	return -1
}

func (s *csvSource) next() (*Example, error) {
	if s.done {
		return nil, io.EOF
	}
	rec, err := s.cr.Read()
	start := s.prev
	s.prev = s.cr.InputOffset()
	if err == io.EOF {
		s.done = true
		return nil, io.EOF
	}
	var raw []byte
	if s.opts.KeepRaw {
		raw = make([]byte, s.prev-start)
		if _, rerr := s.raw.ReadAt(raw, start); rerr != nil && rerr != io.EOF {
			return nil, rerr
		}
	}
	ex, err := s.record(rec, err)
	if s.opts.KeepRaw {
		attachRaw(ex, err, raw)
	}
	return ex, err
}

func (s *csvSource) record(rec []string, err error) (*Example, error) {
	var pe *csv.ParseError
	if err != nil && errors.As(err, &pe) {
		return nil, recErr(Origin{File: s.path, Line: pe.StartLine}, KindBadRecord, "malformed %s record: %v", s.kindName(), pe.Err)
	}
	if err != nil {
		return nil, err
	}
	line, _ := s.cr.FieldPos(0)
	o := Origin{File: s.path, Line: line}
	for i, v := range rec {
		if j := invalidUTF8At([]byte(v)); j >= 0 {
			name := fmt.Sprintf("column %d", i+1)
			if i < len(s.header) {
				name = fmt.Sprintf("column %q", s.header[i])
			}
			return nil, recErr(o, KindInvalidUTF8, "invalid UTF-8 at byte %d of %s; re-encode the file as UTF-8", j+1, name)
		}
	}
	if len(rec) != len(s.header) {
		return nil, recErr(o, KindBadRecord, "record has %d fields, the header has %d", len(rec), len(s.header))
	}
	ex := &Example{Kind: Pair, Origin: o, Captions: []string{rec[s.capCol]}}
	if s.idCol >= 0 {
		ex.ID = rec[s.idCol]
	}
	ref, err := fileRef(s.root, rec[s.imgCol])
	if err != nil {
		return nil, recErr(o, KindBadPath, "%v", err)
	}
	ex.Image = ref
	for i, v := range rec {
		if i == s.imgCol || i == s.capCol || i == s.idCol {
			continue
		}
		if err := setColumnMeta(&ex.Meta, s.header[i], v); err != nil {
			return nil, recErr(o, KindBadMetadata, "%v", err)
		}
	}
	return ex, nil
}

func (s *csvSource) kindName() string {
	if s.cr.Comma == '\t' {
		return "TSV"
	}
	return "CSV"
}

func (s *csvSource) close() error {
	if s.raw != nil {
		s.raw.Close()
	}
	return s.f.Close()
}

// setColumnMeta stores a text column (CSV, Parquet) as metadata: source,
// language and quality_score are typed, others go to Extra as JSON strings.
// Empty cells are treated as absent.
func setColumnMeta(m *Metadata, name, v string) error {
	if v == "" {
		return nil
	}
	switch name {
	case "source":
		m.Source = v
	case "language":
		m.Language = v
	case "quality_score":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("column \"quality_score\" must be a number, got %q", clip(v, 40))
		}
		m.QualityScore, m.HasQuality = f, true
	default:
		b, _ := json.Marshal(v)
		if m.Extra == nil {
			m.Extra = make(map[string]json.RawMessage)
		}
		m.Extra[name] = b
	}
	return nil
}
