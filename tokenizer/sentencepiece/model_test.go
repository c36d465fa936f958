package sentencepiece

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// proto builds protobuf wire bytes: varint fields, fixed32 floats and
// length-delimited bytes.
type proto []byte

func (p proto) key(num, wt int) proto { return binary.AppendUvarint(p, uint64(num<<3|wt)) }
func (p proto) varint(num int, v uint64) proto {
	return binary.AppendUvarint(p.key(num, 0), v)
}
func (p proto) bytes(num int, b []byte) proto {
	return append(binary.AppendUvarint(p.key(num, 2), uint64(len(b))), b...)
}
func (p proto) float(num int, f float32) proto {
	return binary.LittleEndian.AppendUint32(p.key(num, 5), math.Float32bits(f))
}

func piece(text string, score float32, typ PieceType) []byte {
	return proto(nil).bytes(1, []byte(text)).float(2, score).varint(3, uint64(typ))
}

func TestParse(t *testing.T) {
	trainer := proto(nil).varint(3, uint64(BPE)).varint(35, 1).varint(41, 5).varint(43, uint64(math.MaxUint64)) // pad_id -1
	norm := proto(nil).bytes(1, []byte("identity")).varint(3, 0).varint(4, 1).varint(5, 0)
	data := proto(nil).bytes(1, piece("<unk>", 0, Unknown)).bytes(1, piece("▁a", -1.5, Normal)).
		bytes(1, piece("<0x41>", 0, Byte)).bytes(2, trainer).bytes(3, norm).bytes(99, []byte("ignored"))
	m, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Pieces) != 3 || m.Pieces[1] != (Piece{"▁a", -1.5, Normal}) || m.Pieces[2].Type != Byte {
		t.Errorf("pieces %+v", m.Pieces)
	}
	if m.Type != BPE || !m.ByteFallback || m.BOSID != 5 || m.PadID != -1 || m.UnkID != 0 || m.EOSID != 2 {
		t.Errorf("trainer spec %+v", m)
	}
	if m.Normalizer.Name != "identity" || m.Normalizer.AddDummyPrefix || !m.Normalizer.RemoveExtraWhitespaces || m.Normalizer.EscapeWhitespaces {
		t.Errorf("normalizer spec %+v", m.Normalizer)
	}
}

func TestParseErrors(t *testing.T) {
	unk := piece("<unk>", 0, Unknown)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":         {nil, "no pieces"},
		"truncated":     {proto(nil).bytes(1, unk)[:5], "length runs past"},
		"bad wire type": {proto(nil).key(1, 3), "unsupported wire type"},
		"no unknown":    {proto(nil).bytes(1, piece("a", 0, Normal)), "no unknown piece"},
		"duplicate":     {proto(nil).bytes(1, unk).bytes(1, piece("a", 0, Normal)).bytes(1, piece("a", 0, Normal)), "defined twice"},
		"empty piece":   {proto(nil).bytes(1, unk).bytes(1, piece("", 0, Normal)), "is empty"},
		"bad type":      {proto(nil).bytes(1, proto(nil).bytes(1, []byte("x")).varint(3, 9)), "unknown piece type 9"},
		"word model":    {proto(nil).bytes(1, unk).bytes(2, proto(nil).varint(3, uint64(Word))), "word models are not supported"},
		"bad utf8":      {proto(nil).bytes(1, proto(nil).bytes(1, []byte{0xff})), "not valid UTF-8"},
	}
	for name, c := range cases {
		_, err := Parse(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}
