package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"
)

// jsonRecord is the union of the pair and LLaVA layouts; fields stay raw so
// their types can be checked with precise messages.
type jsonRecord struct {
	ID            json.RawMessage `json:"id"`
	ImagePath     json.RawMessage `json:"image_path"`
	Image         json.RawMessage `json:"image"`
	Caption       json.RawMessage `json:"caption"`
	Captions      json.RawMessage `json:"captions"`
	Conversations json.RawMessage `json:"conversations"`
	Metadata      json.RawMessage `json:"metadata"`
}

// parseJSONRecord turns one JSON record into an Example. raw must be one
// JSON value; o says where it was read.
func parseJSONRecord(raw []byte, o Origin, root string) (*Example, error) {
	if i := invalidUTF8At(raw); i >= 0 {
		return nil, recErr(o, KindInvalidUTF8, "invalid UTF-8 at byte %d of the record; re-encode the file as UTF-8", i+1)
	}
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] != '{' && json.Valid(raw) {
		return nil, recErr(o, KindBadRecord, "record is a JSON %s, not an object", jsonType(trimmed))
	}
	var rec jsonRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, recErr(o, KindMalformedJSON, "malformed JSON: %s", describeJSONError(err, raw))
	}
	ex := &Example{Origin: o}
	id, err := idField(rec.ID)
	if err != nil {
		return nil, recErr(o, KindBadRecord, "%v", err)
	}
	ex.ID = id
	if err := parseMetadata(rec.Metadata, &ex.Meta); err != nil {
		return nil, recErr(o, KindBadMetadata, "%v", err)
	}
	if !isAbsent(rec.Conversations) {
		ex.Kind = Conversation
		var turns []json.RawMessage
		if err := json.Unmarshal(rec.Conversations, &turns); err != nil {
			return nil, recErr(o, KindBadRecord, `field "conversations" must be an array of {"from", "value"} objects, got %s`, jsonType(rec.Conversations))
		}
		for i, t := range turns {
			var raw struct {
				From  json.RawMessage `json:"from"`
				Value json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal(t, &raw); err != nil {
				return nil, recErr(o, KindBadRecord, "conversations[%d] must be an object, got %s", i, jsonType(t))
			}
			from, err := stringField(raw.From, fmt.Sprintf("conversations[%d].from", i), true)
			if err != nil {
				return nil, recErr(o, KindBadRecord, "%v", err)
			}
			value, err := stringField(raw.Value, fmt.Sprintf("conversations[%d].value", i), true)
			if err != nil {
				return nil, recErr(o, KindBadRecord, "%v", err)
			}
			ex.Turns = append(ex.Turns, Turn{From: from, Value: value})
		}
		imgField := rec.Image
		name := "image"
		if isAbsent(imgField) && !isAbsent(rec.ImagePath) {
			imgField, name = rec.ImagePath, "image_path"
		}
		if !isAbsent(imgField) {
			p, err := stringField(imgField, name, true)
			if err != nil {
				return nil, recErr(o, KindBadRecord, "%v (one image per record is supported)", err)
			}
			ref, err := fileRef(root, p)
			if err != nil {
				return nil, recErr(o, KindBadPath, "%v", err)
			}
			ex.Image = ref
		}
		return ex, nil
	}
	ex.Kind = Pair
	imgField, name := rec.ImagePath, "image_path"
	if isAbsent(imgField) {
		imgField, name = rec.Image, "image"
	}
	if isAbsent(imgField) {
		return nil, recErr(o, KindBadRecord, `no "image_path" field (a pair record needs an image; a text-only record needs "conversations")`)
	}
	p, err := stringField(imgField, name, true)
	if err != nil {
		return nil, recErr(o, KindBadRecord, "%v", err)
	}
	ref, err := fileRef(root, p)
	if err != nil {
		return nil, recErr(o, KindBadPath, "%v", err)
	}
	ex.Image = ref
	if !isAbsent(rec.Caption) {
		c, err := stringField(rec.Caption, "caption", true)
		if err != nil {
			return nil, recErr(o, KindBadRecord, "%v", err)
		}
		ex.Captions = append(ex.Captions, c)
	}
	if !isAbsent(rec.Captions) {
		var list []json.RawMessage
		if err := json.Unmarshal(rec.Captions, &list); err != nil {
			return nil, recErr(o, KindBadRecord, `field "captions" must be an array of strings, got %s`, jsonType(rec.Captions))
		}
		for i, c := range list {
			s, err := stringField(c, fmt.Sprintf("captions[%d]", i), true)
			if err != nil {
				return nil, recErr(o, KindBadRecord, "%v", err)
			}
			ex.Captions = append(ex.Captions, s)
		}
	}
	if isAbsent(rec.Caption) && isAbsent(rec.Captions) {
		return nil, recErr(o, KindBadRecord, `no "caption" or "captions" field`)
	}
	return ex, nil
}

func fileRef(root, name string) (*ImageRef, error) {
	p, err := ResolvePath(root, name)
	if err != nil {
		return nil, err
	}
	return &ImageRef{Name: name, Path: p}, nil
}

// parseMetadata fills m from a raw "metadata" object.
func parseMetadata(raw json.RawMessage, m *Metadata) error {
	if isAbsent(raw) {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return fmt.Errorf(`field "metadata" must be an object, got %s`, jsonType(raw))
	}
	for k, v := range fields {
		switch k {
		case "source", "language":
			if isAbsent(v) {
				continue
			}
			s, err := stringField(v, "metadata."+k, true)
			if err != nil {
				return err
			}
			if k == "source" {
				m.Source = s
			} else {
				m.Language = s
			}
		case "quality_score":
			if isAbsent(v) {
				continue
			}
			var f float64
			if jsonType(v) != "number" || json.Unmarshal(v, &f) != nil {
				return fmt.Errorf(`field "metadata.quality_score" must be a number, got %s %s`, jsonType(v), clip(string(v), 40))
			}
			if math.IsInf(f, 0) || math.IsNaN(f) {
				return fmt.Errorf(`field "metadata.quality_score" is not finite`)
			}
			m.QualityScore, m.HasQuality = f, true
		default:
			if m.Extra == nil {
				m.Extra = make(map[string]json.RawMessage)
			}
			m.Extra[k] = v
		}
	}
	return nil
}

func idField(raw json.RawMessage) (string, error) {
	if isAbsent(raw) {
		return "", nil
	}
	switch jsonType(raw) {
	case "string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf(`field "id": %v`, err)
		}
		return s, nil
	case "number":
		return string(bytes.TrimSpace(raw)), nil
	}
	return "", fmt.Errorf(`field "id" must be a string or a number, got %s`, jsonType(raw))
}

// stringField decodes a JSON string field, with a message naming the field
// when it has another type.
func stringField(raw json.RawMessage, name string, required bool) (string, error) {
	if isAbsent(raw) {
		if required {
			return "", fmt.Errorf("field %q is missing", name)
		}
		return "", nil
	}
	if t := jsonType(raw); t != "string" {
		return "", fmt.Errorf("field %q must be a string, got %s %s", name, t, clip(string(raw), 40))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("field %q: %v", name, err)
	}
	return s, nil
}

func isAbsent(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// jsonType names the type of a raw JSON value.
func jsonType(raw []byte) string {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// invalidUTF8At returns the offset of the first byte that is not valid
// UTF-8, or -1.
func invalidUTF8At(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// describeJSONError adds the column to a JSON syntax error.
func describeJSONError(err error, raw []byte) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("%v at column %d", se, columnAt(raw, se.Offset))
	}
	if _, ok := err.(*json.UnmarshalTypeError); ok {
		return err.Error()
	}
	return err.Error()
}

// columnAt returns the 1-based column (in bytes) of offset within the last
// line of raw[:offset].
func columnAt(raw []byte, offset int64) int {
	if offset > int64(len(raw)) {
		offset = int64(len(raw))
	}
	if offset < 1 {
		return 1
	}
	line := raw[:offset]
	if i := bytes.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	return len(line)
}
