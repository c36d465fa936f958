package progress

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeClock is a manually advanced clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func TestPlainEverySteps(t *testing.T) {
	clk := newClock()
	var out bytes.Buffer
	b := New(&out, 25, Options{Mode: Plain, Label: "train", PlainSteps: 10, PlainInterval: -1, Now: clk.Now})
	for step := 1; step <= 25; step++ {
		clk.Advance(time.Second)
		b.Update(step, Fields{Epoch: 1 + (step-1)/10, Epochs: 3, Loss: 2.0 / float64(step), LR: 1e-4, Samples: int64(8 * step)})
	}
	b.Finish()
	b.Finish() // no second final line
	want := strings.Join([]string{
		"train 1/25 (4.0%) | epoch 1/3 | loss 2 | lr 1.00e-04 | 8 samples/s | 0:01 elapsed | ETA 0:24",
		"train 10/25 (40.0%) | epoch 1/3 | loss 0.2 | lr 1.00e-04 | 8 samples/s | 0:10 elapsed | ETA 0:15",
		"train 20/25 (80.0%) | epoch 2/3 | loss 0.1 | lr 1.00e-04 | 8 samples/s | 0:20 elapsed | ETA 0:05",
		"train 25/25 (100.0%) | epoch 3/3 | loss 0.08 | lr 1.00e-04 | 8 samples/s | 0:25 elapsed | ETA 0:00",
		"",
	}, "\n")
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestPlainEveryInterval(t *testing.T) {
	clk := newClock()
	var out bytes.Buffer
	b := New(&out, 0, Options{Mode: Plain, PlainInterval: 30 * time.Second, Now: clk.Now})
	var printedAt []int
	for step := 1; step <= 20; step++ {
		clk.Advance(7 * time.Second)
		before := out.Len()
		b.Update(step, Fields{Loss: 1, LR: 0.5})
		if out.Len() > before {
			printedAt = append(printedAt, step)
		}
	}
	// Lines at step 1 (t=7s), then whenever 30 s have passed since the last:
	// t=42 (step 6), t=77 (step 11), t=112 (step 16).
	if want := []int{1, 6, 11, 16}; !equalInts(printedAt, want) {
		t.Errorf("printed at steps %v, want %v", printedAt, want)
	}
	b.Finish()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if got, want := lines[len(lines)-1], "step 20 | loss 1 | lr 5.00e-01 | 0.143 steps/s | 2:20 elapsed"; got != want {
		t.Errorf("final line %q, want %q", got, want)
	}
}

func TestTTYRedrawThrottle(t *testing.T) {
	clk := newClock()
	var out bytes.Buffer
	b := New(&out, 100, Options{Mode: TTY, Width: 200, Now: clk.Now})
	for step := 1; step <= 100; step++ {
		clk.Advance(30 * time.Millisecond)
		b.Update(step, Fields{Loss: 0.5, LR: 1e-3})
	}
	b.Finish()
	s := out.String()
	// Draws: the first update, then every 100 ms (every 4th step at 30 ms:
	// 120 ms), the final step, and Finish.
	draws := strings.Count(s, "\r")
	if draws < 25 || draws > 30 {
		t.Errorf("%d redraws for 100 updates over 3 s, want about 27", draws)
	}
	if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") {
		t.Errorf("TTY output must end with exactly one newline, got %q", s[max(0, len(s)-40):])
	}
	last := s[strings.LastIndex(s, "\r")+1 : len(s)-1]
	want := "100/100 [==============================] 100.0% | loss 0.5 | lr 1.00e-03 | 33.3 steps/s | 0:03 elapsed | ETA 0:00"
	if last != want {
		t.Errorf("final line\n%q\nwant\n%q", last, want)
	}
}

func TestTTYWidthAndPadding(t *testing.T) {
	tests := []struct {
		width  int
		frames []string
	}{
		// Wide enough for everything: the gauge takes what is left, up to 30.
		{120, []string{
			"1/10 [===>                          ]  10.0% | loss 123456 | lr 1.00e+00 | 1 steps/s | 0:01 elapsed | ETA 0:09",
			"2/10 [======>                       ]  20.0% | loss 1 | lr 1.00e+00 | 1 steps/s | 0:02 elapsed | ETA 0:08     ",
		}},
		// The 30-cell line is 110 runes, 6 over the 104 allowed: the gauge
		// gives up 6+gaugeSlack cells, and keeps its size for the shorter
		// second frame.
		{105, []string{
			"1/10 [==>" + strings.Repeat(" ", 17) + "]  10.0% | loss 123456 | lr 1.00e+00 | 1 steps/s | 0:01 elapsed | ETA 0:09",
			"2/10 [====>" + strings.Repeat(" ", 15) + "]  20.0% | loss 1 | lr 1.00e+00 | 1 steps/s | 0:02 elapsed | ETA 0:08     ",
		}},
		// Room for only 9 gauge cells in the first frame (89 columns less
		// 80): no gauge, and it does not come back for the shorter frame.
		{90, []string{
			"1/10 10.0% | loss 123456 | lr 1.00e+00 | 1 steps/s | 0:01 elapsed | ETA 0:09",
			"2/10 20.0% | loss 1 | lr 1.00e+00 | 1 steps/s | 0:02 elapsed | ETA 0:08     ",
		}},
		// Narrow: the gauge goes first, then elapsed, throughput, lr; the
		// shorter second frame is padded over the first.
		{40, []string{
			"1/10 10.0% | loss 123456 | ETA 0:09",
			"2/10 20.0% | loss 1 | ETA 0:08     ",
		}},
		// Narrower still: only step and percentage; then cut at width-1.
		{12, []string{"1/10 10.0%", "2/10 20.0%"}},
		{8, []string{"1/10 10", "2/10 20"}},
	}
	for _, tt := range tests {
		clk := newClock()
		var out bytes.Buffer
		b := New(&out, 10, Options{Mode: TTY, Width: tt.width, Now: clk.Now})
		clk.Advance(time.Second)
		b.Update(1, Fields{Loss: 123456, LR: 1})
		clk.Advance(time.Second)
		b.Update(2, Fields{Loss: 1, LR: 1})
		frames := strings.Split(out.String(), "\r")[1:]
		if len(frames) != len(tt.frames) {
			t.Fatalf("width %d: got %d frames, want %d: %q", tt.width, len(frames), len(tt.frames), out.String())
		}
		for i, f := range frames {
			if f != tt.frames[i] {
				t.Errorf("width %d frame %d:\n%q\nwant\n%q", tt.width, i, f, tt.frames[i])
			}
			if n := len([]rune(f)); n > tt.width-1 {
				t.Errorf("width %d frame %d is %d runes, longer than width-1", tt.width, i, n)
			}
		}
	}
}

func TestTTYPrintf(t *testing.T) {
	clk := newClock()
	var out bytes.Buffer
	b := New(&out, 4, Options{Mode: TTY, Width: 200, Now: clk.Now})
	clk.Advance(time.Second)
	b.Update(1, Fields{Loss: 1, LR: 1e-5})
	b.Printf("eval at step %d: recall@1 %.3f", 1, 0.25)
	got := out.String()
	bar := "1/4 [=======>                      ]  25.0% | loss 1 | lr 1.00e-05 | 1 steps/s | 0:01 elapsed | ETA 0:03"
	want := "\r" + bar + "\r" + strings.Repeat(" ", len(bar)) + "\r" + "eval at step 1: recall@1 0.250\n" + "\r" + bar
	if got != want {
		t.Errorf("output\n%q\nwant\n%q", got, want)
	}
}

func TestSmoothedRate(t *testing.T) {
	clk := newClock()
	var out bytes.Buffer
	b := New(&out, 1000, Options{Mode: Plain, RateWindow: 10 * time.Second, Now: clk.Now})
	// 1 step/s for 5 s, then 2 steps/s.
	step := 0
	for range 5 {
		clk.Advance(time.Second)
		step++
		b.Update(step, Fields{})
	}
	clk.Advance(time.Second)
	step += 2
	b.Update(step, Fields{})
	alpha := 1 - math.Exp(-0.1)
	want := 1 + alpha*(2-1)
	if math.Abs(b.stepRate-want) > 1e-12 {
		t.Errorf("smoothed rate %v, want %v", b.stepRate, want)
	}
	// A repeated update of the same step is not a stall.
	clk.Advance(5 * time.Second)
	b.Update(step, Fields{Loss: 3})
	if math.Abs(b.stepRate-want) > 1e-12 {
		t.Errorf("rate after repeated step %v, want unchanged %v", b.stepRate, want)
	}
}

func TestStartStep(t *testing.T) {
	clk := newClock()
	var out bytes.Buffer
	b := New(&out, 5000, Options{Mode: Plain, StartStep: 4000, Now: clk.Now})
	clk.Advance(2 * time.Second)
	b.Update(4001, Fields{Samples: 16})
	if b.stepRate != 0.5 || b.sampleRate != 8 {
		t.Errorf("rates after resume = %v steps/s, %v samples/s; want 0.5 and 8", b.stepRate, b.sampleRate)
	}
	if !strings.Contains(out.String(), "ETA 33:18") {
		t.Errorf("line %q, want ETA 33:18 (999 steps at 0.5 steps/s)", out.String())
	}
}

func TestAutoModeNotTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []any{&bytes.Buffer{}, f} {
		b := New(w.(interface{ Write([]byte) (int, error) }), 10, Options{})
		if b.tty {
			t.Errorf("%T: detected as a terminal", w)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorIsReported(t *testing.T) {
	b := New(failWriter{}, 10, Options{Mode: Plain})
	b.Update(1, Fields{})
	b.Finish()
	if err := b.Err(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Err() = %v, want the write error", err)
	}
}

func TestFinishWithoutUpdate(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, 10, Options{Mode: TTY})
	b.Finish()
	b.Update(3, Fields{})
	if out.Len() != 0 {
		t.Errorf("wrote %q, want nothing", out.String())
	}
}

func TestFormatSig(t *testing.T) {
	tests := []struct {
		v      float64
		digits int
		want   string
	}{
		{0.41234, 4, "0.4123"},
		{2.34567, 4, "2.346"},
		{12345, 4, "12345"},
		{0, 4, "0"},
		{1.5e-5, 3, "1.50e-05"},
		{2.5e7, 3, "2.50e+07"},
		{-0.5, 3, "-0.5"},
		{math.NaN(), 4, "NaN"},
		{math.Inf(1), 4, "+Inf"},
		{math.Inf(-1), 4, "-Inf"},
	}
	for _, tt := range tests {
		if got := formatSig(tt.v, tt.digits); got != tt.want {
			t.Errorf("formatSig(%v, %d) = %q, want %q", tt.v, tt.digits, got, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00"},
		{-time.Second, "0:00"},
		{59*time.Second + 999*time.Millisecond, "0:59"},
		{61 * time.Second, "1:01"},
		{3*time.Hour + 2*time.Minute + 1*time.Second, "3:02:01"},
		{100 * time.Hour, "100:00:00"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.d); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestGauge(t *testing.T) {
	tests := []struct {
		step, total, cells int
		want               string
	}{
		{0, 10, 10, "[>         ]"},
		{5, 10, 10, "[=====>    ]"},
		{10, 10, 10, "[==========]"},
		{12, 10, 4, "[====]"},
		{-1, 10, 4, "[>   ]"},
	}
	for _, tt := range tests {
		if got := gauge(tt.step, tt.total, tt.cells); got != tt.want {
			t.Errorf("gauge(%d, %d, %d) = %q, want %q", tt.step, tt.total, tt.cells, got, tt.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUnknownRateAndTotal(t *testing.T) {
	clk := newClock()
	var out bytes.Buffer
	b := New(&out, 8, Options{Mode: Plain, Now: clk.Now})
	b.Update(1, Fields{Epoch: 2, Loss: math.NaN(), LR: 0}) // no time has passed: no rate yet
	if got, want := out.String(), "1/8 (12.5%) | epoch 2 | loss NaN | lr 0 | 0:00 elapsed | ETA ?\n"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
}
