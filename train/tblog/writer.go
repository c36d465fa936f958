package tblog

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FileVersion is the file_version string of the first event in every file,
// the value TensorFlow's EventsWriter writes.
const FileVersion = "brain.Event:2"

// FilePrefix starts the name of every event file; TensorBoard picks up files
// whose name contains "tfevents".
const FilePrefix = "events.out.tfevents."

// AutoFlushInterval is how long a Writer keeps records in its buffer: a
// Scalar call made this long after the last flush flushes, so that a
// running TensorBoard sees new points without the caller calling Flush.
const AutoFlushInterval = 10 * time.Second

// Writer appends scalar events to one TensorBoard event file. It buffers
// records in memory until Flush, Close, a full buffer, or a Scalar call
// AutoFlushInterval after the last flush. A Writer is not safe for
// concurrent use; after the first error every method returns that error.
type Writer struct {
	path      string
	f         *os.File
	bw        *bufio.Writer
	buf       []byte
	err       error
	now       func() time.Time // clock for automatic flushes
	lastFlush time.Time
}

// Create makes dir (and parents) if needed, creates
// dir/events.out.tfevents.<unix seconds>.<hostname> and writes the first
// record, an Event with file_version "brain.Event:2". If a file of that name
// already exists (two writers in the same second), ".1", ".2", ... is
// appended rather than overwriting it.
func Create(dir string) (*Writer, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return create(dir, time.Now, host)
}

// create is Create with the clock and host name injected for tests.
func create(dir string, clock func() time.Time, host string) (*Writer, error) {
	now := clock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tblog: create event directory: %w", err)
	}
	base := filepath.Join(dir, fmt.Sprintf("%s%d.%s", FilePrefix, now.Unix(), sanitizeHost(host)))
	var f *os.File
	var err error
	path := base
	for i := 1; ; i++ {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || i > 1000 {
			return nil, fmt.Errorf("tblog: create event file: %w", err)
		}
		path = fmt.Sprintf("%s.%d", base, i)
	}
	w := &Writer{path: path, f: f, bw: bufio.NewWriterSize(f, 64<<10), now: clock}
	w.write(&event{wallTime: wallSeconds(now), fileVersion: FileVersion, hasVersion: true})
	if err := w.Flush(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return w, nil
}

// sanitizeHost keeps a host name usable as part of a file name.
func sanitizeHost(h string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r <= ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, h)
}

// wallSeconds converts t to the fractional Unix seconds stored in wall_time.
func wallSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// Path returns the path of the event file.
func (w *Writer) Path() string { return w.path }

// Scalar appends one scalar event: tag at step with value v (stored as a
// float32 simple_value, as TensorBoard does; NaN and ±Inf are kept) at
// wallTime. Tags name charts in TensorBoard: "train/loss", "eval/recall@1".
func (w *Writer) Scalar(tag string, step int64, v float64, wallTime time.Time) error {
	if tag == "" {
		return fmt.Errorf("tblog: %s: scalar at step %d has an empty tag", w.path, step)
	}
	return w.write(&event{
		wallTime: wallSeconds(wallTime),
		step:     step,
		values:   []value{{tag: tag, simple: float32(clampFloat32(v))}},
	})
}

// clampFloat32 maps float64 values beyond the float32 range to the infinity
// of their sign explicitly, so the stored value does not depend on how the
// conversion rounds out-of-range values.
func clampFloat32(v float64) float64 {
	switch {
	case v > math.MaxFloat32:
		return math.Inf(1)
	case v < -math.MaxFloat32:
		return math.Inf(-1)
	}
	return v
}

func (w *Writer) write(e *event) error {
	if w.err != nil {
		return w.err
	}
	w.buf = appendRecord(w.buf[:0], e.marshal())
	if _, err := w.bw.Write(w.buf); err != nil {
		w.err = fmt.Errorf("tblog: write %s: %w", w.path, err)
		return w.err
	}
	if w.now().Sub(w.lastFlush) >= AutoFlushInterval {
		return w.Flush()
	}
	return nil
}

// Flush writes buffered records to the file so that TensorBoard can see them.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("tblog: flush %s: %w", w.path, err)
	}
	w.lastFlush = w.now()
	return w.err
}

// Close flushes and closes the file. Calling Close again returns an error
// wrapping os.ErrClosed.
func (w *Writer) Close() error {
	if w.f == nil {
		return fmt.Errorf("tblog: close %s: %w", w.path, os.ErrClosed)
	}
	ferr := w.Flush()
	cerr := w.f.Close()
	w.f = nil
	if w.err == nil {
		w.err = fmt.Errorf("tblog: %s: %w", w.path, os.ErrClosed)
	}
	if ferr != nil {
		return ferr
	}
	if cerr != nil {
		return fmt.Errorf("tblog: close %s: %w", w.path, cerr)
	}
	return nil
}
