package tblog

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriterRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run", "tb")
	start := time.Unix(1700000000, 250_000_000)
	w, err := create(dir, fixed(start), "host/a b")
	if err != nil {
		t.Fatal(err)
	}
	wantName := "events.out.tfevents.1700000000.host_a_b"
	if got := filepath.Base(w.Path()); got != wantName {
		t.Errorf("file name = %q, want %q", got, wantName)
	}
	in := []ScalarEvent{
		{"train/loss", 1, 2.5, start.Add(time.Second)},
		{"train/lr", 1, 1e-4, start.Add(time.Second)},
		{"train/loss", 2, math.NaN(), start.Add(2 * time.Second)},
		{"train/loss", 3, math.Inf(1), start.Add(3 * time.Second)},
		{"eval/recall@1", 1 << 40, -0.125, start.Add(4 * time.Second)},
		{"overflow", -5, 1e300, start.Add(5 * time.Second)},
		{"zero", 0, 0, start.Add(6 * time.Second)},
	}
	for _, s := range in {
		if err := w.Scalar(s.Tag, s.Step, s.Value, s.WallTime); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	got, err := ReadScalars(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("read %d scalars, want %d", len(got), len(in))
	}
	for i, g := range got {
		want := in[i]
		wantV := float64(float32(want.Value))
		if want.Value > math.MaxFloat32 {
			wantV = math.Inf(1)
		}
		sameValue := g.Value == wantV || (math.IsNaN(g.Value) && math.IsNaN(wantV))
		if g.Tag != want.Tag || g.Step != want.Step || !sameValue {
			t.Errorf("scalar %d = %s/%d/%v, want %s/%d/%v", i, g.Tag, g.Step, g.Value, want.Tag, want.Step, wantV)
		}
		if d := g.WallTime.Sub(want.WallTime); d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("scalar %d wall time off by %v", i, d)
		}
	}

	// The first record is the file_version event at the creation time.
	var first *event
	if err := readEvents(w.Path(), func(e *event) {
		if first == nil {
			c := *e
			first = &c
		}
	}); err != nil {
		t.Fatal(err)
	}
	if first == nil || !first.hasVersion || first.fileVersion != FileVersion || first.wallTime != 1700000000.25 {
		t.Errorf("first event = %+v, want file_version %q at 1700000000.25", first, FileVersion)
	}
}

func TestCreateDoesNotOverwrite(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1234567890, 0)
	var paths []string
	for range 3 {
		w, err := create(dir, fixed(now), "h")
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Base(w.Path()))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"events.out.tfevents.1234567890.h", "events.out.tfevents.1234567890.h.1", "events.out.tfevents.1234567890.h.2"}
	for i := range want {
		if paths[i] != want[i] {
			t.Errorf("file %d = %q, want %q", i, paths[i], want[i])
		}
	}
}

func TestCreateUsesHostname(t *testing.T) {
	w, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if !strings.HasPrefix(filepath.Base(w.Path()), FilePrefix) {
		t.Errorf("file name %q lacks prefix %q", w.Path(), FilePrefix)
	}
	got, err := ReadScalars(w.Path())
	if err != nil || len(got) != 0 {
		t.Errorf("fresh file: %d scalars, err %v; want 0, nil", len(got), err)
	}
}

func TestWriterErrors(t *testing.T) {
	w, err := create(t.TempDir(), fixed(time.Unix(1, 0)), "h")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("", 1, 1, time.Unix(2, 0)); err == nil || !strings.Contains(err.Error(), w.Path()) {
		t.Errorf("empty tag: err = %v, want an error naming the file", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close: err = %v, want os.ErrClosed", err)
	}
	if err := w.Scalar("a", 1, 1, time.Unix(2, 0)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Scalar after Close: err = %v, want os.ErrClosed", err)
	}

	// A file in place of the directory.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(blocker); err == nil || !strings.Contains(err.Error(), blocker) {
		t.Errorf("Create under a file: err = %v, want an error naming %s", err, blocker)
	}
}

func TestReadScalarsErrorsNameFile(t *testing.T) {
	dir := t.TempDir()
	w, err := create(dir, fixed(time.Unix(10, 0)), "h")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("loss", 1, 1, time.Unix(11, 0)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	first := 12 + len("\x09\x00\x00\x00\x00\x00\x00\x24\x40\x1a\x0dbrain.Event:2") + 4

	corrupt := append([]byte(nil), b...)
	corrupt[first+14] ^= 0xff
	bad := filepath.Join(dir, "corrupt")
	if err := os.WriteFile(bad, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadScalars(bad)
	for _, want := range []string{bad, "record 1", "data CRC mismatch"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("corrupt file: err = %v, want it to contain %q", err, want)
		}
	}

	trunc := filepath.Join(dir, "truncated")
	if err := os.WriteFile(trunc, b[:len(b)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadScalars(trunc); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: err = %v, want a truncation error", err)
	}

	if _, err := ReadScalars(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
}

// fixed returns a clock stopped at t.
func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestAutoFlush(t *testing.T) {
	now := time.Unix(1000, 0)
	w, err := create(t.TempDir(), func() time.Time { return now }, "h")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	count := func() int {
		t.Helper()
		got, err := ReadScalars(w.Path())
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	now = now.Add(AutoFlushInterval - time.Second)
	if err := w.Scalar("loss", 1, 1, now); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d scalars on disk before the flush interval, want 0 (buffered)", n)
	}
	now = now.Add(time.Second)
	if err := w.Scalar("loss", 2, 1, now); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("%d scalars on disk after the flush interval, want 2", n)
	}
}
