package progress

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// segment is one " | "-separated part of the line. When a TTY line is too
// wide, segments are dropped from the lowest priority up.
type segment struct {
	text string
	prio int // higher stays longer
}

// render formats the current state as one line. tty adds the [=====>   ]
// gauge (when the total is known) and fits the line into the width.
func (b *Bar) render(now time.Time, tty bool) string {
	head := ""
	if b.opts.Label != "" {
		head = b.opts.Label + " "
	}
	pct := ""
	if b.total > 0 {
		head += fmt.Sprintf("%d/%d", b.step, b.total)
		frac := math.Min(math.Max(float64(b.step)/float64(b.total), 0), 1)
		pct = fmt.Sprintf("%.1f%%", 100*frac)
	} else {
		head += fmt.Sprintf("step %d", b.step)
	}

	f := b.fields
	var segs []segment
	switch {
	case f.Epochs > 0:
		segs = append(segs, segment{fmt.Sprintf("epoch %d/%d", f.Epoch, f.Epochs), 5})
	case f.Epoch > 0:
		segs = append(segs, segment{fmt.Sprintf("epoch %d", f.Epoch), 5})
	}
	segs = append(segs, segment{"loss " + formatSig(f.Loss, 4), 7}, segment{"lr " + formatLR(f.LR), 4})
	switch {
	case f.Samples > 0 && b.sampleRate > 0:
		segs = append(segs, segment{formatSig(b.sampleRate, 3) + " samples/s", 3})
	case f.Samples == 0 && b.stepRate > 0:
		segs = append(segs, segment{formatSig(b.stepRate, 3) + " steps/s", 3})
	}
	segs = append(segs, segment{formatDuration(now.Sub(b.start)) + " elapsed", 2})
	if b.total > 0 {
		eta := "?"
		if b.stepRate > 0 {
			left := float64(b.total-b.step) / b.stepRate
			eta = formatDuration(time.Duration(math.Max(left, 0) * float64(time.Second)))
		}
		segs = append(segs, segment{"ETA " + eta, 6})
	}

	if pct != "" && !tty {
		head += " (" + pct + ")"
	}
	if !tty {
		return joinSegments(head, segs)
	}
	limit := b.width - 1
	if b.width <= 0 {
		limit = math.MaxInt
	}
	// Fit the line into the width: first shrink the gauge (30 cells at most,
	// left out below 10), then drop segments from the lowest priority up.
	// Both choices are sticky, so the layout does not flicker as the numbers
	// change length; drawTTY cuts whatever still does not fit.
	if b.total <= 0 {
		b.gaugeCells = 0
	}
	for {
		kept := segs[:0:0]
		for _, sg := range segs {
			if sg.prio >= b.dropBelow {
				kept = append(kept, sg)
			}
		}
		if b.gaugeCells >= 10 {
			line := joinSegments(fmt.Sprintf("%s %s %6s", head, gauge(b.step, b.total, b.gaugeCells), pct), kept)
			over := len([]rune(line)) - limit
			if over <= 0 {
				return line
			}
			// Shrink a few cells more than needed, so that numbers growing
			// by a digit or two do not shrink it again on the next frame.
			if b.gaugeCells -= over + gaugeSlack; b.gaugeCells < 10 {
				b.gaugeCells = 0
			}
			continue
		}
		plain := head
		if pct != "" {
			plain += " " + pct
		}
		line := joinSegments(plain, kept)
		if len([]rune(line)) <= limit || len(kept) == 0 {
			return line
		}
		low := kept[0].prio
		for _, sg := range kept {
			low = min(low, sg.prio)
		}
		b.dropBelow = low + 1
	}
}

// gaugeSlack is how many cells beyond the overflow the gauge gives up when
// a line is too wide.
const gaugeSlack = 4

func joinSegments(head string, segs []segment) string {
	var sb strings.Builder
	sb.WriteString(head)
	for _, s := range segs {
		sb.WriteString(" | ")
		sb.WriteString(s.text)
	}
	return sb.String()
}

// gauge draws a [====>   ] bar of the given inner width.
func gauge(step, total, cells int) string {
	filled := 0
	if total > 0 {
		filled = int(math.Floor(float64(cells) * math.Min(math.Max(float64(step)/float64(total), 0), 1)))
	}
	var sb strings.Builder
	sb.WriteByte('[')
	for i := range cells {
		switch {
		case i < filled:
			sb.WriteByte('=')
		case i == filled && filled < cells:
			sb.WriteByte('>')
		default:
			sb.WriteByte(' ')
		}
	}
	sb.WriteByte(']')
	return sb.String()
}

// formatSig formats v with at most digits significant digits, without an
// exponent for ordinary magnitudes (0.4123, 2.346, 1234) and with one for
// very small or large ones (1.2e-05).
func formatSig(v float64, digits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	a := math.Abs(v)
	if a != 0 && (a < 1e-3 || a >= 1e6) {
		return strconv.FormatFloat(v, 'e', digits-1, 64)
	}
	s := strconv.FormatFloat(v, 'g', digits, 64)
	if strings.ContainsAny(s, "e") { // 'g' picked an exponent for, e.g., 12345 at 4 digits
		s = strconv.FormatFloat(v, 'f', 0, 64)
	}
	return s
}

// formatLR formats a learning rate the way schedules are usually written.
func formatLR(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return formatSig(v, 3)
	}
	return strconv.FormatFloat(v, 'e', 2, 64)
}

// formatDuration formats d as m:ss or h:mm:ss, rounded down to seconds.
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}
