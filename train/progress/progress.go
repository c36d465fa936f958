// Package progress draws a live training progress line: step/total, epoch,
// loss, learning rate, smoothed throughput, elapsed time and ETA.
//
// On a terminal the line is redrawn in place with a carriage return at most
// every Options.RedrawInterval (100 ms by default). When the output is not a
// terminal (CI logs, a file, a pipe) a plain line is printed instead every
// Options.PlainInterval (30 s by default) or every Options.PlainSteps steps,
// so logs stay readable. The clock is injectable (Options.Now), which makes
// the output deterministic in tests.
package progress

import (
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"
)

// Mode selects how a Bar writes.
type Mode int

const (
	// Auto draws in TTY mode when the writer is a terminal, else Plain.
	Auto Mode = iota
	// TTY redraws one line in place with carriage returns.
	TTY
	// Plain prints a new line at intervals.
	Plain
)

// Options configures a Bar. The zero value is usable.
type Options struct {
	Mode  Mode   // Auto (default), TTY or Plain
	Label string // printed first on each line, e.g. "train"
	// Width is the line width in TTY mode; 0 asks the terminal, then falls
	// back to $COLUMNS and 100. Lines are cut to Width-1 so they never wrap.
	Width int
	// RedrawInterval is the least time between redraws in TTY mode (100 ms).
	RedrawInterval time.Duration
	// PlainInterval is the time between lines in Plain mode (30 s); a
	// negative value prints on PlainSteps only.
	PlainInterval time.Duration
	// PlainSteps, when > 0, also prints a Plain line each time the step
	// passes a multiple of PlainSteps.
	PlainSteps int
	// RateWindow is the time constant of the exponential smoothing of
	// samples/s and steps/s (10 s): an update dt after the previous one
	// weighs 1-exp(-dt/RateWindow).
	RateWindow time.Duration
	// StartStep is the step the run starts from (the checkpoint's step when
	// resuming), so the first Update is not counted as StartStep steps.
	StartStep int
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Fields are the training values shown with each update.
type Fields struct {
	Epoch  int     // current epoch, 1-based; 0 hides the epoch
	Epochs int     // number of epochs; 0 when unknown
	Loss   float64 // training loss (NaN and Inf are shown as such)
	LR     float64 // learning rate
	// Samples is the number of samples processed since New. When it stays 0
	// the throughput is shown in steps/s instead of samples/s.
	Samples int64
}

// Bar is a progress display for one training run. Its methods are safe for
// concurrent use. Write errors do not stop training; Err reports the first.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	total int
	opts  Options
	tty   bool
	width int

	updated    bool // Update has been called
	start      time.Time
	step       int
	fields     Fields
	prevT      time.Time // time of the previous update
	prevStep   int
	prevSample int64
	stepRate   float64 // smoothed steps/s; 0 until measured
	sampleRate float64 // smoothed samples/s
	lastDraw   time.Time
	lastStep   int // step of the last line written
	drawn      bool
	dirty      bool // state changed since the last line written
	lineLen    int  // length of the TTY line on screen
	gaugeCells int  // TTY gauge width; shrinks (to 0) when lines do not fit
	dropBelow  int  // TTY lines leave out segments with a lower priority
	finished   bool
	err        error
}

// New returns a Bar writing to w for a run of total steps (total <= 0 when
// unknown: no percentage, bar or ETA). Elapsed time and throughput are
// measured from the call to New; nothing is written until the first Update.
func New(w io.Writer, total int, opts Options) *Bar {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RedrawInterval <= 0 {
		opts.RedrawInterval = 100 * time.Millisecond
	}
	if opts.PlainInterval == 0 {
		opts.PlainInterval = 30 * time.Second
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = 10 * time.Second
	}
	now := opts.Now()
	b := &Bar{w: w, total: total, opts: opts, start: now, prevT: now,
		step: opts.StartStep, prevStep: opts.StartStep, lastStep: opts.StartStep, gaugeCells: 30}
	switch opts.Mode {
	case TTY:
		b.tty = true
	case Plain:
	default:
		b.tty = isTerminal(w)
	}
	b.width = opts.Width
	if b.tty && b.width <= 0 {
		b.width = terminalWidth(w)
	}
	return b
}

// Update records that step (the number of completed optimizer steps,
// counted from 0 at the start of training) has finished with fields, and
// redraws or prints when it is time to. Call it after every step; it is
// cheap when nothing is drawn.
func (b *Bar) Update(step int, f Fields) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	now := b.opts.Now()
	// Rates are measured between updates that advance the step, so a
	// repeated Update for the same step does not read as a stall.
	if dt := now.Sub(b.prevT).Seconds(); dt > 0 && step > b.prevStep {
		alpha := 1 - math.Exp(-dt/b.opts.RateWindow.Seconds())
		b.stepRate = smooth(b.stepRate, float64(step-b.prevStep)/dt, alpha)
		if ds := f.Samples - b.prevSample; ds > 0 {
			b.sampleRate = smooth(b.sampleRate, float64(ds)/dt, alpha)
		}
		b.prevT, b.prevStep, b.prevSample = now, step, f.Samples
	} else if step < b.prevStep || f.Samples < b.prevSample {
		// The caller went backwards (a new run reusing the bar): restart
		// the measurement from here.
		b.prevT, b.prevStep, b.prevSample = now, step, f.Samples
	}
	b.updated = true
	b.step, b.fields, b.dirty = step, f, true

	final := b.total > 0 && step >= b.total
	if b.tty {
		if !b.drawn || final || now.Sub(b.lastDraw) >= b.opts.RedrawInterval {
			b.drawTTY(now)
		}
		return
	}
	due := !b.drawn || final
	if b.opts.PlainInterval > 0 && now.Sub(b.lastDraw) >= b.opts.PlainInterval {
		due = true
	}
	if k := b.opts.PlainSteps; k > 0 && floorDiv(step, k) > floorDiv(b.lastStep, k) {
		due = true
	}
	if due {
		b.printPlain(now)
	}
}

// smooth folds a new measurement into an exponential moving average; the
// first measurement is taken as is.
func smooth(avg, x, alpha float64) float64 {
	if avg == 0 {
		return x
	}
	return avg + alpha*(x-avg)
}

func floorDiv(a, k int) int {
	q := a / k
	if a%k != 0 && a < 0 {
		q--
	}
	return q
}

// Printf writes a message on its own line without garbling the bar: in TTY
// mode the bar is cleared, the message printed and the bar redrawn below it.
// A newline is added if format lacks one.
func (b *Bar) Printf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	if b.tty && b.lineLen > 0 && !b.finished {
		b.write("\r" + strings.Repeat(" ", b.lineLen) + "\r" + msg)
		b.lineLen = 0
		b.drawTTY(b.opts.Now())
		return
	}
	b.write(msg)
}

// Finish draws the final state and ends the line. Later calls to Update
// and Finish do nothing.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished || !b.updated {
		b.finished = true
		return
	}
	now := b.opts.Now()
	if b.tty {
		b.drawTTY(now)
		b.write("\n")
	} else if b.dirty {
		b.printPlain(now)
	}
	b.finished = true
}

// Err returns the first error from writing to the output, if any.
func (b *Bar) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

func (b *Bar) drawTTY(now time.Time) {
	line := b.render(now, true)
	if n := b.width - 1; n > 0 && len([]rune(line)) > n {
		line = string([]rune(line)[:n])
	}
	pad := ""
	if n := len([]rune(line)); n < b.lineLen {
		pad = strings.Repeat(" ", b.lineLen-n)
	}
	b.write("\r" + line + pad)
	b.lineLen = len([]rune(line))
	b.mark(now)
}

func (b *Bar) printPlain(now time.Time) {
	b.write(b.render(now, false) + "\n")
	b.mark(now)
}

func (b *Bar) mark(now time.Time) {
	b.lastDraw, b.lastStep, b.drawn, b.dirty = now, b.step, true, false
}

func (b *Bar) write(s string) {
	if _, err := io.WriteString(b.w, s); err != nil && b.err == nil {
		b.err = fmt.Errorf("progress: write: %w", err)
	}
}
