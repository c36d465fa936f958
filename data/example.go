package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// Kind tells which layout an Example came from.
type Kind int

const (
	// Pair is an image with one or more captions.
	Pair Kind = iota
	// Conversation is an instruction-following dialogue (LLaVA format),
	// with or without an image.
	Conversation
)

// String returns "pair" or "conversation".
func (k Kind) String() string {
	if k == Conversation {
		return "conversation"
	}
	return "pair"
}

// ImageTag is the placeholder that marks where the image goes in a LLaVA
// conversation.
const ImageTag = "<image>"

// Example is one record of a data set, whatever its file format.
type Example struct {
	// ID is the record's "id" field, or the key of a webdataset sample; when
	// the record has none it is left empty (use Origin to name the record).
	ID string
	// Index is the 0-based position of the record in the stream, counting
	// every record (good or bad) across all files read by one Reader.
	Index int
	// Kind is Pair or Conversation.
	Kind Kind
	// Image is nil when the record has no image (text-only conversations).
	Image *ImageRef
	// Captions holds the caption(s) of a Pair.
	Captions []string
	// Turns holds the dialogue of a Conversation.
	Turns []Turn
	// Meta holds the typed and extra metadata fields.
	Meta Metadata
	// Origin tells where the record was read.
	Origin Origin
	// Raw holds the record exactly as written in the file (JSON, JSONL, CSV
	// and TSV only) when Options.KeepRaw is set. For CSV it includes the
	// line terminator(s); for JSON it is the text of one value.
	Raw []byte
}

// Turn is one message of a conversation.
type Turn struct {
	// From is "human" or "gpt" (LLaVA's names; "user"/"assistant" are kept
	// as written).
	From string `json:"from"`
	// Value is the message text; the first human turn of a record with an
	// image carries the <image> tag.
	Value string `json:"value"`
}

// Text returns all text of the example: the captions of a pair joined by
// newlines, or the values of all turns of a conversation joined by newlines.
func (e *Example) Text() string {
	if e.Kind == Conversation {
		parts := make([]string, len(e.Turns))
		for i, t := range e.Turns {
			parts[i] = t.Value
		}
		return strings.Join(parts, "\n")
	}
	return strings.Join(e.Captions, "\n")
}

// Name returns a short human-readable identity for the example: its ID when
// it has one, otherwise its origin.
func (e *Example) Name() string {
	if e.ID != "" {
		return e.ID
	}
	return e.Origin.String()
}

// Metadata holds the typed metadata fields of a record plus any others.
type Metadata struct {
	// Source names where the example came from (a crawl, a data set).
	Source string `json:"source,omitempty"`
	// QualityScore is a quality estimate, meaningful when HasQuality is set.
	QualityScore float64 `json:"quality_score,omitempty"`
	// HasQuality tells whether the record had a quality_score.
	HasQuality bool `json:"-"`
	// Language is a language code such as "en".
	Language string `json:"language,omitempty"`
	// Extra holds the other metadata fields as raw JSON values (CSV and
	// Parquet columns other than the known ones are stored as JSON strings
	// or numbers).
	Extra map[string]json.RawMessage `json:"-"`
}

// Field returns the value of a metadata field as a string, for grouping:
// "source", "language" and "quality_score" are the typed fields; any other
// name is looked up in Extra (JSON strings unquoted, other values as
// written). The second result is false when the field is absent.
func (m *Metadata) Field(name string) (string, bool) {
	switch name {
	case "source":
		return m.Source, m.Source != ""
	case "language":
		return m.Language, m.Language != ""
	case "quality_score":
		if !m.HasQuality {
			return "", false
		}
		return fmt.Sprint(m.QualityScore), true
	}
	raw, ok := m.Extra[name]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return string(raw), true
}

// Origin tells where a record was read.
type Origin struct {
	// File is the data file (or tar shard) path as given to the reader.
	File string `json:"file"`
	// Line is the 1-based line where the record starts (JSON, JSONL, CSV,
	// TSV); 0 for tar and Parquet.
	Line int `json:"line,omitempty"`
	// Member is the tar member (for webdataset shards), such as "000123.jpg".
	Member string `json:"member,omitempty"`
	// Row is the 0-based row of a Parquet file; meaningful when IsRow.
	Row int64 `json:"row,omitempty"`
	// IsRow marks Parquet origins (row 0 is a valid row).
	IsRow bool `json:"-"`
}

// String formats the origin as "file:line", "file[member]" or "file row N".
func (o Origin) String() string {
	switch {
	case o.Member != "":
		return fmt.Sprintf("%s[%s]", o.File, o.Member)
	case o.IsRow:
		return fmt.Sprintf("%s row %d", o.File, o.Row)
	case o.Line > 0:
		return fmt.Sprintf("%s:%d", o.File, o.Line)
	}
	return o.File
}

// ImageRef says where an example's image is: a file on disk, a byte range
// inside a tar shard, a cell of a Parquet file, or bytes already in memory.
type ImageRef struct {
	// Name is the image as the record names it (a path, a tar member, or the
	// Parquet path field); for messages.
	Name string
	// Path is the resolved file to read: the image file itself, or the
	// shard or Parquet file that holds it.
	Path string
	// Bytes holds the image when it is already in memory (tar members and
	// Parquet cells read while streaming).
	Bytes []byte
	// Offset and Size give the byte range of a tar member inside Path when
	// InArchive is set and Bytes is nil.
	Offset, Size int64
	// InArchive marks a tar member.
	InArchive bool
	// parquet locates a Parquet cell when the bytes were not kept.
	parquet *parquetCell
}

// Read returns the image bytes, reading them from disk when they are not in
// memory. Errors wrap the underlying *os.PathError, so errors.Is(err,
// fs.ErrNotExist) tells a missing file.
func (r *ImageRef) Read() ([]byte, error) {
	switch {
	case r.Bytes != nil:
		return r.Bytes, nil
	case r.InArchive:
		f, err := os.Open(r.Path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		buf := make([]byte, r.Size)
		if _, err := f.ReadAt(buf, r.Offset); err != nil {
			return nil, fmt.Errorf("read %s[%s]: %w", r.Path, r.Name, err)
		}
		return buf, nil
	case r.parquet != nil:
		return r.parquet.read()
	}
	return os.ReadFile(r.Path)
}

// IsFile tells whether the image is a file of its own on disk (Path), as
// opposed to bytes in memory, a tar member or a Parquet cell.
func (r *ImageRef) IsFile() bool {
	return r.Bytes == nil && !r.InArchive && r.parquet == nil
}

// Open returns a reader of the image bytes. For a file on disk it streams
// the file, which lets image.DecodeConfig stop after the header.
func (r *ImageRef) Open() (io.ReadCloser, error) {
	switch {
	case r.Bytes != nil:
		return io.NopCloser(bytes.NewReader(r.Bytes)), nil
	case r.InArchive:
		f, err := os.Open(r.Path)
		if err != nil {
			return nil, err
		}
		return sectionCloser{io.NewSectionReader(f, r.Offset, r.Size), f}, nil
	case r.parquet != nil:
		b, err := r.parquet.read()
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	return os.Open(r.Path)
}

type sectionCloser struct {
	*io.SectionReader
	f *os.File
}

func (s sectionCloser) Close() error { return s.f.Close() }
