package tblog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// castagnoli is the CRC-32C table used by TFRecord checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskDelta is the constant added by the CRC masking permutation.
const maskDelta = 0xa282ead8

// crc32c returns the plain CRC-32C (Castagnoli) checksum of b.
func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// maskCRC applies TFRecord's masking permutation to a CRC-32C checksum.
func maskCRC(crc uint32) uint32 { return ((crc >> 15) | (crc << 17)) + maskDelta }

// maskedCRC32C returns the masked CRC-32C of b, the form stored in TFRecords.
func maskedCRC32C(b []byte) uint32 { return maskCRC(crc32c(b)) }

// maxRecordLen bounds the length field accepted by the reader so that a
// corrupt header cannot make it allocate gigabytes.
const maxRecordLen = 256 << 20

// appendRecord appends data framed as one TFRecord to dst.
func appendRecord(dst, data []byte) []byte {
	var hdr [12]byte
	binary.LittleEndian.PutUint64(hdr[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(hdr[8:], maskedCRC32C(hdr[:8]))
	dst = append(dst, hdr[:]...)
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, maskedCRC32C(data))
}

// errTruncated reports a record cut short, as when a writer was killed
// mid-write or the file is still being written.
var errTruncated = errors.New("truncated record")

// readRecord reads one TFRecord from r and verifies both checksums. It returns
// io.EOF only when r is exhausted exactly at a record boundary.
func readRecord(r io.Reader) ([]byte, error) {
	var hdr [12]byte
	n, err := io.ReadFull(r, hdr[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header has %d of 12 bytes", errTruncated, n)
	}
	if got, want := binary.LittleEndian.Uint32(hdr[8:]), maskedCRC32C(hdr[:8]); got != want {
		return nil, fmt.Errorf("length CRC mismatch: stored %#08x, computed %#08x", got, want)
	}
	length := binary.LittleEndian.Uint64(hdr[:8])
	if length > maxRecordLen {
		return nil, fmt.Errorf("record length %d exceeds the %d-byte limit", length, maxRecordLen)
	}
	buf := make([]byte, length+4)
	if n, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("%w: %d of %d data+CRC bytes", errTruncated, n, len(buf))
	}
	data := buf[:length]
	if got, want := binary.LittleEndian.Uint32(buf[length:]), maskedCRC32C(data); got != want {
		return nil, fmt.Errorf("data CRC mismatch: stored %#08x, computed %#08x", got, want)
	}
	return data, nil
}
