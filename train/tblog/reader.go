package tblog

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// ScalarEvent is one scalar read back from an event file.
type ScalarEvent struct {
	Tag      string
	Step     int64
	Value    float64 // the stored float32 simple_value, widened
	WallTime time.Time
}

// ReadScalars reads every record of the event file at path, verifying the
// length and data CRCs of each, and returns the simple_value scalars in file
// order. Summary values of other kinds (histograms, images, tensors) and
// events without a summary are skipped. Errors name the file, the record
// index and its byte offset; a record cut short at the end of the file (a
// writer still running or killed) is an error too.
func ReadScalars(path string) ([]ScalarEvent, error) {
	var out []ScalarEvent
	err := readEvents(path, func(e *event) {
		for _, v := range e.values {
			out = append(out, ScalarEvent{
				Tag:      v.tag,
				Step:     e.step,
				Value:    float64(v.simple),
				WallTime: fromWallSeconds(e.wallTime),
			})
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readEvents decodes each record of the file and passes it to fn.
func readEvents(path string, fn func(*event)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("tblog: read event file: %w", err)
	}
	defer f.Close()
	r := &countingReader{r: bufio.NewReaderSize(f, 64<<10)}
	for i := 0; ; i++ {
		off := r.n
		data, err := readRecord(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tblog: %s: record %d at byte %d: %w", path, i, off, err)
		}
		e, err := unmarshalEvent(data)
		if err != nil {
			return fmt.Errorf("tblog: %s: record %d at byte %d: %w", path, i, off, err)
		}
		fn(&e)
	}
}

// fromWallSeconds converts fractional Unix seconds to a time.Time.
func fromWallSeconds(s float64) time.Time {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return time.Time{}
	}
	sec := math.Floor(s)
	return time.Unix(int64(sec), int64(math.Round((s-sec)*1e9)))
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
