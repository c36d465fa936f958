// Package sentencepiece reads SentencePiece model files (the serialized
// ModelProto of google/sentencepiece): the pieces with their scores and
// types, the trainer options that matter for encoding, and the normalizer
// spec with its precompiled character map. It decodes the protobuf wire
// format directly and knows only the fields it needs; unknown fields are
// skipped.
package sentencepiece

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"unicode/utf8"
)

// PieceType is the kind of a piece.
type PieceType int

// The piece types of sentencepiece_model.proto.
const (
	Normal      PieceType = 1
	Unknown     PieceType = 2
	Control     PieceType = 3
	UserDefined PieceType = 4
	Unused      PieceType = 5
	Byte        PieceType = 6
)

// ModelType is the segmentation algorithm.
type ModelType int

// The model types of sentencepiece_model.proto.
const (
	Unigram ModelType = 1
	BPE     ModelType = 2
	Word    ModelType = 3
	Char    ModelType = 4
)

// String names the model type as spm_train's --model_type does.
func (t ModelType) String() string {
	switch t {
	case Unigram:
		return "unigram"
	case BPE:
		return "bpe"
	case Word:
		return "word"
	case Char:
		return "char"
	}
	return fmt.Sprintf("model type %d", int(t))
}

// Piece is one vocabulary entry; its id is its index.
type Piece struct {
	Text  string
	Score float32
	Type  PieceType
}

// NormalizerSpec says how text is normalized before segmentation.
type NormalizerSpec struct {
	Name string
	// PrecompiledCharsmap is the Darts trie and replacement pool of the
	// normalization rules (empty for the identity).
	PrecompiledCharsmap    []byte
	AddDummyPrefix         bool
	RemoveExtraWhitespaces bool
	EscapeWhitespaces      bool
}

// Model is the part of a ModelProto that encoding and decoding need.
type Model struct {
	Pieces     []Piece
	Type       ModelType
	Normalizer NormalizerSpec
	// ByteFallback spells unknown characters as <0xAB> byte pieces.
	ByteFallback            bool
	TreatWhitespaceAsSuffix bool
	// The special ids of the trainer spec (-1: none).
	UnkID, BOSID, EOSID, PadID int
}

// ReadFile reads and parses a .model file.
func ReadFile(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Parse decodes a serialized ModelProto.
func Parse(data []byte) (*Model, error) {
	m := &Model{
		Type:       Unigram,
		Normalizer: NormalizerSpec{AddDummyPrefix: true, RemoveExtraWhitespaces: true, EscapeWhitespaces: true},
		UnkID:      0, BOSID: 1, EOSID: 2, PadID: -1,
	}
	err := fields(data, func(num int, wt int, v uint64, b []byte) error {
		switch {
		case num == 1 && wt == 2:
			p, err := parsePiece(b)
			if err != nil {
				return fmt.Errorf("piece %d: %w", len(m.Pieces), err)
			}
			m.Pieces = append(m.Pieces, p)
		case num == 2 && wt == 2:
			return parseTrainer(b, m)
		case num == 3 && wt == 2:
			return parseNormalizer(b, &m.Normalizer)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("not a SentencePiece model: %w", err)
	}
	if len(m.Pieces) == 0 {
		return nil, errors.New("not a SentencePiece model: it has no pieces")
	}
	if m.Type != Unigram && m.Type != BPE {
		return nil, fmt.Errorf("SentencePiece %s models are not supported (only unigram and bpe)", m.Type)
	}
	seen := make(map[string]bool, len(m.Pieces))
	for i, p := range m.Pieces {
		if p.Text == "" {
			return nil, fmt.Errorf("piece %d is empty", i)
		}
		if seen[p.Text] {
			return nil, fmt.Errorf("piece %d (%q) is defined twice", i, p.Text)
		}
		seen[p.Text] = true
		if p.Type == Unknown {
			m.UnkID = i
		}
	}
	if m.UnkID < 0 || m.UnkID >= len(m.Pieces) || m.Pieces[m.UnkID].Type != Unknown {
		return nil, errors.New("the model has no unknown piece (type UNKNOWN)")
	}
	return m, nil
}

func parsePiece(b []byte) (Piece, error) {
	p := Piece{Type: Normal}
	err := fields(b, func(num, wt int, v uint64, s []byte) error {
		switch {
		case num == 1 && wt == 2:
			if !utf8.Valid(s) {
				return errors.New("piece text is not valid UTF-8")
			}
			p.Text = string(s)
		case num == 2 && wt == 5:
			p.Score = math.Float32frombits(uint32(v))
		case num == 3 && wt == 0:
			p.Type = PieceType(v)
			if p.Type < Normal || p.Type > Byte {
				return fmt.Errorf("unknown piece type %d", v)
			}
		}
		return nil
	})
	return p, err
}

func parseTrainer(b []byte, m *Model) error {
	return fields(b, func(num, wt int, v uint64, _ []byte) error {
		if wt != 0 {
			return nil
		}
		switch num {
		case 3:
			m.Type = ModelType(v)
		case 24:
			m.TreatWhitespaceAsSuffix = v != 0
		case 35:
			m.ByteFallback = v != 0
		case 40:
			m.UnkID = int(int32(v))
		case 41:
			m.BOSID = int(int32(v))
		case 42:
			m.EOSID = int(int32(v))
		case 43:
			m.PadID = int(int32(v))
		}
		return nil
	})
}

func parseNormalizer(b []byte, n *NormalizerSpec) error {
	return fields(b, func(num, wt int, v uint64, s []byte) error {
		switch {
		case num == 1 && wt == 2:
			n.Name = string(s)
		case num == 2 && wt == 2:
			n.PrecompiledCharsmap = append([]byte(nil), s...)
		case num == 3 && wt == 0:
			n.AddDummyPrefix = v != 0
		case num == 4 && wt == 0:
			n.RemoveExtraWhitespaces = v != 0
		case num == 5 && wt == 0:
			n.EscapeWhitespaces = v != 0
		}
		return nil
	})
}

// fields walks the protobuf wire format of one message, calling fn with
// each field's number and wire type, and its value (varint or fixed) or
// bytes (length-delimited).
func fields(b []byte, fn func(num, wt int, v uint64, s []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errors.New("truncated field key")
		}
		b = b[n:]
		num, wt := int(key>>3), int(key&7)
		if num == 0 {
			return errors.New("field number 0")
		}
		var v uint64
		var s []byte
		switch wt {
		case 0:
			v, n = binary.Uvarint(b)
			if n <= 0 {
				return fmt.Errorf("field %d: truncated varint", num)
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return fmt.Errorf("field %d: truncated fixed64", num)
			}
			v, b = binary.LittleEndian.Uint64(b), b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return fmt.Errorf("field %d: length runs past the end of the data", num)
			}
			s, b = b[n:n+int(l)], b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return fmt.Errorf("field %d: truncated fixed32", num)
			}
			v, b = uint64(binary.LittleEndian.Uint32(b)), b[4:]
		default:
			return fmt.Errorf("field %d: unsupported wire type %d", num, wt)
		}
		if err := fn(num, wt, v, s); err != nil {
			return err
		}
	}
	return nil
}
