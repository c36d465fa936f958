package train

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/vlmtune/vlmtune/train/progress"
	"github.com/vlmtune/vlmtune/train/report"
	"github.com/vlmtune/vlmtune/train/tblog"
)

// runLog writes a run's logs: metrics.jsonl (one JSON object per event),
// TensorBoard scalars, the progress bar, and the series for report.html.
type runLog struct {
	jsonl  *os.File
	tb     *tblog.Writer
	bar    *progress.Bar
	out    io.Writer
	series map[string][]report.Point
	start  time.Time
}

func openRunLog(dir string, out io.Writer, cfg LoggingConfig, total, startStep int) (*runLog, error) {
	l := &runLog{out: out, series: map[string][]report.Point{}, start: time.Now()}
	f, err := os.OpenFile(filepath.Join(dir, "metrics.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	l.jsonl = f
	if cfg.TensorBoard {
		if l.tb, err = tblog.Create(dir); err != nil {
			f.Close()
			return nil, err
		}
	}
	mode := progress.Plain
	if cfg.Progress {
		mode = progress.Auto
	}
	l.bar = progress.New(out, total, progress.Options{Mode: mode, Label: "train", StartStep: startStep, PlainSteps: cfg.LogEvery, PlainInterval: -1})
	return l, nil
}

// event appends one record to metrics.jsonl and the scalars to TensorBoard
// and the report series.
func (l *runLog) event(kind string, step int, values map[string]float64) error {
	rec := map[string]any{"event": kind, "step": step, "time": time.Now().UTC().Format(time.RFC3339Nano)}
	names := make([]string, 0, len(values))
	for k, v := range values {
		names = append(names, k)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			rec[k] = fmt.Sprint(v) // JSON has no NaN
		} else {
			rec[k] = v
		}
	}
	sort.Strings(names)
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := l.jsonl.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing metrics.jsonl: %w", err)
	}
	now := time.Now()
	for _, k := range names {
		tag := kind + "/" + k
		if l.tb != nil {
			if err := l.tb.Scalar(tag, int64(step), values[k], now); err != nil {
				return err
			}
		}
		l.series[tag] = append(l.series[tag], report.Point{Step: int64(step), Value: values[k]})
	}
	return nil
}

// printf writes a line above the progress bar.
func (l *runLog) printf(format string, args ...any) { l.bar.Printf(format, args...) }

func (l *runLog) close() error {
	l.bar.Finish()
	var first error
	if l.tb != nil {
		if err := l.tb.Close(); err != nil {
			first = err
		}
	}
	if err := l.jsonl.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

// chart collects series by tag into a report chart.
func (l *runLog) chart(title, ylabel string, tags ...string) report.Chart {
	c := report.Chart{Title: title, YLabel: ylabel}
	for _, t := range tags {
		if pts := l.series[t]; len(pts) > 0 {
			c.Series = append(c.Series, report.Series{Name: t, Points: pts})
		}
	}
	return c
}
