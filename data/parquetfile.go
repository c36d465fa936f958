package data

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// ParquetOptions configure Parquet files.
type ParquetOptions struct {
	// ImageColumn is the image column: plain binary, or the Hugging Face
	// struct {bytes: binary, path: string}. Empty means "image".
	ImageColumn string
	// TextColumn is the caption column (a string). Empty picks the first of
	// "text", "caption" that the file has.
	TextColumn string
}

// parquetLayout locates the columns of one file.
type parquetLayout struct {
	bytesCol, pathCol, textCol int
	imageName, textName        string
	metaCols                   map[int]string // other top-level leaf columns
}

func findParquetLayout(pf *parquet.File, opts *ParquetOptions) (*parquetLayout, error) {
	schema := pf.Schema()
	l := &parquetLayout{bytesCol: -1, pathCol: -1, textCol: -1, metaCols: map[int]string{}}
	l.imageName = opts.ImageColumn
	if l.imageName == "" {
		l.imageName = "image"
	}
	if leaf, ok := schema.Lookup(l.imageName, "bytes"); ok {
		l.bytesCol = leaf.ColumnIndex
		if p, ok := schema.Lookup(l.imageName, "path"); ok {
			l.pathCol = p.ColumnIndex
		}
	} else if leaf, ok := schema.Lookup(l.imageName); ok && leaf.Node.Leaf() {
		l.bytesCol = leaf.ColumnIndex
	}
	if l.bytesCol < 0 {
		return nil, fmt.Errorf("no image column %q (binary, or a struct with a \"bytes\" field) among the columns %v; name it with --parquet-image-col", l.imageName, schema.Columns())
	}
	names := []string{"text", "caption"}
	if opts.TextColumn != "" {
		names = []string{opts.TextColumn}
	}
	for _, n := range names {
		if leaf, ok := schema.Lookup(n); ok && leaf.Node.Leaf() {
			l.textCol, l.textName = leaf.ColumnIndex, n
			break
		}
	}
	if l.textCol < 0 {
		return nil, fmt.Errorf("no text column (tried %q) among the columns %v; name it with --parquet-text-col", names, schema.Columns())
	}
	for _, path := range schema.Columns() {
		if len(path) != 1 {
			continue
		}
		leaf, _ := schema.Lookup(path...)
		if leaf.ColumnIndex != l.bytesCol && leaf.ColumnIndex != l.textCol {
			l.metaCols[leaf.ColumnIndex] = path[0]
		}
	}
	return l, nil
}

type parquetSource struct {
	f      *os.File
	pf     *parquet.File
	path   string
	root   string
	opts   *Options
	layout *parquetLayout
	groups []parquet.RowGroup
	gi     int // current row group
	rows   parquet.Rows
	inRG   int64 // next row within the group
	row    int64 // next global row
	buf    []parquet.Row
	bufPos int
}

func openParquet(path, root string, opts *Options) (source, error) {
	f, pf, err := openParquetFile(path)
	if err != nil {
		return nil, err
	}
	layout, err := findParquetLayout(pf, &opts.Parquet)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &parquetSource{f: f, pf: pf, path: path, root: root, opts: opts, layout: layout, groups: pf.RowGroups()}, nil
}

func openParquetFile(path string) (*os.File, *parquet.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	return f, pf, nil
}

func (s *parquetSource) next() (*Example, error) {
	for {
		if s.bufPos < len(s.buf) {
			r := s.buf[s.bufPos]
			s.bufPos++
			ex, err := s.layout.example(r, s.path, s.root, s.row, s.opts.LazyImages)
			if ex != nil && ex.Image != nil && s.opts.LazyImages {
				ex.Image.parquet = &parquetCell{path: s.path, group: s.gi, row: s.inRG, col: s.layout.bytesCol}
			}
			s.row++
			s.inRG++
			return ex, err
		}
		if s.rows == nil {
			if s.gi >= len(s.groups) {
				return nil, io.EOF
			}
			s.rows = s.groups[s.gi].Rows()
			s.inRG = 0
		}
		if s.buf == nil {
			s.buf = make([]parquet.Row, 16)
		}
		n, err := s.rows.ReadRows(s.buf[:cap(s.buf)])
		s.buf, s.bufPos = s.buf[:n], 0
		if err == io.EOF || (n == 0 && err == nil) {
			if n > 0 {
				continue
			}
			s.rows.Close()
			s.rows = nil
			s.gi++
			s.buf = s.buf[:0]
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", s.row, err)
		}
	}
}

func (s *parquetSource) close() error {
	if s.rows != nil {
		s.rows.Close()
	}
	return s.f.Close()
}

// example builds an Example from one row. With lazy set the image bytes are
// not kept.
func (l *parquetLayout) example(r parquet.Row, file, root string, row int64, lazy bool) (*Example, error) {
	o := Origin{File: file, Row: row, IsRow: true}
	ex := &Example{Kind: Pair, Origin: o}
	var img []byte
	var imgPath string
	var haveBytes, haveText bool
	var metaErr error
	r.Range(func(ci int, vals []parquet.Value) bool {
		if len(vals) == 0 || vals[0].IsNull() {
			return true
		}
		v := vals[0]
		switch {
		case ci == l.bytesCol:
			img, haveBytes = append([]byte(nil), v.ByteArray()...), true
		case ci == l.pathCol:
			imgPath = string(v.ByteArray())
		case ci == l.textCol:
			ex.Captions, haveText = []string{string(v.ByteArray())}, true
		default:
			name, ok := l.metaCols[ci]
			if !ok {
				return true
			}
			if name == "id" {
				ex.ID = valueString(v)
				return true
			}
			if err := setParquetMeta(&ex.Meta, name, v); err != nil && metaErr == nil {
				metaErr = err
			}
		}
		return true
	})
	if metaErr != nil {
		return nil, recErr(o, KindBadMetadata, "%v", metaErr)
	}
	if !haveText {
		return nil, recErr(o, KindBadRecord, "column %q is null", l.textName)
	}
	if j := invalidUTF8At([]byte(ex.Captions[0])); j >= 0 {
		return nil, recErr(o, KindInvalidUTF8, "invalid UTF-8 at byte %d of column %q", j+1, l.textName)
	}
	switch {
	case haveBytes:
		ref := &ImageRef{Name: imgPath, Path: file, Bytes: img}
		if ref.Name == "" {
			ref.Name = fmt.Sprintf("%s[%d]", l.imageName, row)
		}
		if lazy {
			ref.Bytes = nil
		}
		ex.Image = ref
	case imgPath != "":
		ref, err := fileRef(root, imgPath)
		if err != nil {
			return nil, recErr(o, KindBadPath, "%v", err)
		}
		ex.Image = ref
	default:
		return nil, recErr(o, KindMissingImage, "column %q has neither bytes nor a path", l.imageName)
	}
	return ex, nil
}

func valueString(v parquet.Value) string {
	switch v.Kind() {
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray())
	}
	return v.String()
}

func setParquetMeta(m *Metadata, name string, v parquet.Value) error {
	num := func() (float64, bool) {
		switch v.Kind() {
		case parquet.Int32:
			return float64(v.Int32()), true
		case parquet.Int64:
			return float64(v.Int64()), true
		case parquet.Float:
			return float64(v.Float()), true
		case parquet.Double:
			return v.Double(), true
		}
		return 0, false
	}
	if name == "quality_score" {
		f, ok := num()
		if !ok {
			return fmt.Errorf("column \"quality_score\" must be numeric, got %s %q", v.Kind(), clip(valueString(v), 40))
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("column \"quality_score\" is not finite")
		}
		m.QualityScore, m.HasQuality = f, true
		return nil
	}
	if name == "source" || name == "language" {
		if k := v.Kind(); k != parquet.ByteArray && k != parquet.FixedLenByteArray {
			return fmt.Errorf("column %q must be a string, got %s", name, k)
		}
		return setColumnMeta(m, name, valueString(v))
	}
	if f, ok := num(); ok {
		if m.Extra == nil {
			m.Extra = make(map[string]json.RawMessage)
		}
		m.Extra[name] = json.RawMessage(strconv.FormatFloat(f, 'g', -1, 64))
		return nil
	}
	if v.Kind() == parquet.Boolean {
		if m.Extra == nil {
			m.Extra = make(map[string]json.RawMessage)
		}
		m.Extra[name] = json.RawMessage(strconv.FormatBool(v.Boolean()))
		return nil
	}
	return setColumnMeta(m, name, valueString(v))
}

// parquetCell locates an image cell to read later (Options.LazyImages).
type parquetCell struct {
	path  string
	group int
	row   int64 // row within the group
	col   int
}

func (c *parquetCell) read() ([]byte, error) {
	f, pf, err := openParquetFile(c.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	groups := pf.RowGroups()
	if c.group >= len(groups) {
		return nil, fmt.Errorf("%s: row group %d is gone; the file changed since it was indexed", c.path, c.group)
	}
	rows := groups[c.group].Rows()
	defer rows.Close()
	if err := rows.SeekToRow(c.row); err != nil {
		return nil, fmt.Errorf("%s: row group %d row %d: %w", c.path, c.group, c.row, err)
	}
	buf := make([]parquet.Row, 1)
	n, err := rows.ReadRows(buf)
	if n == 0 {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%s: row group %d row %d: %w", c.path, c.group, c.row, err)
	}
	var out []byte
	buf[0].Range(func(ci int, vals []parquet.Value) bool {
		if ci == c.col && len(vals) > 0 && !vals[0].IsNull() {
			out = append([]byte(nil), vals[0].ByteArray()...)
			return false
		}
		return true
	})
	if out == nil {
		return nil, fmt.Errorf("%s: row group %d row %d: image bytes are null", c.path, c.group, c.row)
	}
	return out, nil
}
