package tblog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Protobuf wire types used by the Event messages.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// Field numbers from tensorboard/compat/proto/event.proto and summary.proto.
const (
	eventWallTime    = 1 // double
	eventStep        = 2 // int64
	eventFileVersion = 3 // string
	eventSummary     = 5 // Summary
	summaryValue     = 1 // repeated Summary.Value
	valueTag         = 1 // string
	valueSimpleValue = 2 // float
)

func appendKey(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

func appendBytesField(b []byte, field int, v []byte) []byte {
	b = appendKey(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// event is the subset of tensorflow.Event this package writes and reads.
type event struct {
	wallTime    float64
	step        int64
	fileVersion string
	hasVersion  bool
	values      []value // Summary.value entries that carry simple_value
}

// value is one Summary.Value with a simple_value.
type value struct {
	tag    string
	simple float32
}

// marshal encodes e in the protobuf wire format the way proto3 serializers
// do: fields in number order, a zero wall_time (+0.0) or step omitted, and
// the oneof member (file_version or summary) written when set.
func (e *event) marshal() []byte {
	b := make([]byte, 0, 64)
	if bits := math.Float64bits(e.wallTime); bits != 0 {
		b = appendKey(b, eventWallTime, wireFixed64)
		b = binary.LittleEndian.AppendUint64(b, bits)
	}
	if e.step != 0 {
		b = appendKey(b, eventStep, wireVarint)
		b = binary.AppendUvarint(b, uint64(e.step)) // int64: two's complement, 10 bytes if negative
	}
	if e.hasVersion {
		b = appendBytesField(b, eventFileVersion, []byte(e.fileVersion))
	}
	if len(e.values) > 0 {
		var sum []byte
		for _, v := range e.values {
			var val []byte
			val = appendBytesField(val, valueTag, []byte(v.tag))
			val = appendKey(val, valueSimpleValue, wireFixed32)
			val = binary.LittleEndian.AppendUint32(val, math.Float32bits(v.simple))
			sum = appendBytesField(sum, summaryValue, val)
		}
		b = appendBytesField(b, eventSummary, sum)
	}
	return b
}

// field is one decoded protobuf field.
type field struct {
	num  int
	wire int
	u    uint64 // varint, fixed64 and fixed32 payloads
	b    []byte // length-delimited payload
}

var errMalformed = errors.New("malformed protobuf")

// nextField decodes the field at the start of b and returns it with the rest.
func nextField(b []byte) (field, []byte, error) {
	key, n := binary.Uvarint(b)
	if n <= 0 {
		return field{}, nil, fmt.Errorf("%w: bad field key", errMalformed)
	}
	b = b[n:]
	f := field{num: int(key >> 3), wire: int(key & 7)}
	if f.num == 0 {
		return field{}, nil, fmt.Errorf("%w: field number 0", errMalformed)
	}
	switch f.wire {
	case wireVarint:
		f.u, n = binary.Uvarint(b)
		if n <= 0 {
			return field{}, nil, fmt.Errorf("%w: bad varint in field %d", errMalformed, f.num)
		}
		b = b[n:]
	case wireFixed64:
		if len(b) < 8 {
			return field{}, nil, fmt.Errorf("%w: short fixed64 in field %d", errMalformed, f.num)
		}
		f.u, b = binary.LittleEndian.Uint64(b), b[8:]
	case wireFixed32:
		if len(b) < 4 {
			return field{}, nil, fmt.Errorf("%w: short fixed32 in field %d", errMalformed, f.num)
		}
		f.u, b = uint64(binary.LittleEndian.Uint32(b)), b[4:]
	case wireBytes:
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return field{}, nil, fmt.Errorf("%w: bad length in field %d", errMalformed, f.num)
		}
		f.b, b = b[n:n+int(l)], b[n+int(l):]
	default:
		return field{}, nil, fmt.Errorf("%w: unsupported wire type %d in field %d", errMalformed, f.wire, f.num)
	}
	return f, b, nil
}

// unmarshalEvent decodes the Event fields this package knows and skips the
// rest (graphs, histograms, images, tensor summaries, session logs).
func unmarshalEvent(b []byte) (event, error) {
	var e event
	for len(b) > 0 {
		f, rest, err := nextField(b)
		if err != nil {
			return event{}, err
		}
		b = rest
		switch {
		case f.num == eventWallTime && f.wire == wireFixed64:
			e.wallTime = math.Float64frombits(f.u)
		case f.num == eventStep && f.wire == wireVarint:
			e.step = int64(f.u)
		case f.num == eventFileVersion && f.wire == wireBytes:
			e.fileVersion, e.hasVersion = string(f.b), true
		case f.num == eventSummary && f.wire == wireBytes:
			vals, err := unmarshalSummary(f.b)
			if err != nil {
				return event{}, fmt.Errorf("summary: %w", err)
			}
			e.values = append(e.values, vals...)
		}
	}
	return e, nil
}

// unmarshalSummary returns the Summary.Value entries that hold a simple_value.
func unmarshalSummary(b []byte) ([]value, error) {
	var out []value
	for len(b) > 0 {
		f, rest, err := nextField(b)
		if err != nil {
			return nil, err
		}
		b = rest
		if f.num != summaryValue || f.wire != wireBytes {
			continue
		}
		var v value
		simple := false
		for vb := f.b; len(vb) > 0; {
			vf, vrest, err := nextField(vb)
			if err != nil {
				return nil, fmt.Errorf("value: %w", err)
			}
			vb = vrest
			switch {
			case vf.num == valueTag && vf.wire == wireBytes:
				v.tag = string(vf.b)
			case vf.num == valueSimpleValue && vf.wire == wireFixed32:
				v.simple, simple = math.Float32frombits(uint32(vf.u)), true
			}
		}
		if simple {
			out = append(out, v)
		}
	}
	return out, nil
}
