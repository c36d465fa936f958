package data

import (
	"errors"
	"fmt"
)

// Problem kinds: the Kind of a RecordError, stable strings for reports and
// JSON output.
const (
	KindMalformedJSON  = "malformed-json"     // the record is not valid JSON
	KindInvalidUTF8    = "invalid-utf8"       // the record has bytes that are not UTF-8
	KindBadRecord      = "bad-record"         // a required field is missing or has the wrong type
	KindBadMetadata    = "bad-metadata"       // a metadata field has the wrong type
	KindBadPath        = "bad-path"           // the image path is empty or escapes the root
	KindMissingImage   = "missing-image"      // the image file (or tar member) does not exist
	KindUnreadable     = "unreadable-image"   // the image exists but cannot be read
	KindUndecodable    = "undecodable-image"  // the image bytes do not decode
	KindEmptyCaption   = "empty-caption"      // a caption or turn is empty (or all blank)
	KindTooManyTokens  = "too-many-tokens"    // text longer than the tokenizer's limit
	KindMissingTag     = "missing-image-tag"  // an image but no <image> tag
	KindTagNoImage     = "image-tag-no-image" // an <image> tag but no image
	KindBadTurns       = "bad-conversation"   // turns do not alternate human/gpt
	KindDuplicate      = "duplicate"          // same image and text as an earlier record
	KindTransformError = "transform-error"    // the training transform failed on the record
	KindBadFile        = "bad-file"           // the file cannot be read (or breaks off)
)

// RecordError reports one bad record; a Reader returns it and carries on
// with the next record. Origin's fields (File, Line, Member, Row) say where.
type RecordError struct {
	Origin
	// Kind is one of the Kind... constants.
	Kind string
	// Msg says what is wrong and, where it helps, what to do.
	Msg string
	// Warning marks problems that do not make the record unusable
	// (too-many-tokens, duplicate).
	Warning bool
	// Raw holds the bad record's bytes when Options.KeepRaw is set and the
	// format keeps them (JSON, JSONL, CSV, TSV), so it can be copied along.
	Raw []byte
}

// Error formats the error as "origin: msg (kind)".
func (e *RecordError) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Origin, e.Msg, e.Kind)
}

// IsRecordError tells whether err is (or wraps) a *RecordError, that is, an
// error about one record after which reading can go on.
func IsRecordError(err error) bool {
	var re *RecordError
	return errors.As(err, &re)
}

func recErr(o Origin, kind, format string, args ...any) *RecordError {
	return &RecordError{Origin: o, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
