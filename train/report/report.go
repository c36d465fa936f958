// Package report writes a self-contained report.html for a training run:
// run metadata, line charts of training and validation curves drawn as
// inline SVG by a small plotter of its own, and a before/after table of
// evaluation metrics. The page loads nothing from anywhere (no scripts,
// fonts, images or style sheets), so it works offline and can be attached
// to an issue or mailed as is. All text is escaped.
package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// Run is everything a report shows.
type Run struct {
	// Title heads the page ("CLIP ViT-B/32 LoRA on flickr8k"); "Training
	// report" when empty.
	Title string
	// Meta rows are shown in order as a two-column table: method, model,
	// data, trainable/total parameters (see FormatParams), duration, ...
	Meta [][2]string
	// Charts are drawn in order: training loss, validation loss and
	// metrics, learning rate, ...
	Charts []Chart
	// Metrics is the before/after evaluation table, in order.
	Metrics []Metric
}

// Chart is one line chart of one or more series against the step.
type Chart struct {
	Title  string
	XLabel string // x axis label; "step" when empty
	YLabel string
	// LogY draws the y axis in log10 when every finite value is positive;
	// with zero or negative values the axis stays linear and the caption
	// says so.
	LogY   bool
	Series []Series
}

// Series is one named line. Points need not be sorted. NaN and ±Inf values
// break the line and are counted in the chart's caption.
type Series struct {
	Name   string
	Points []Point
}

// Point is one value at one step.
type Point struct {
	Step  int64
	Value float64
}

// Metric is one row of the evaluation table.
type Metric struct {
	Name          string  // "zero-shot accuracy", "image→text R@1"
	Before, After float64 // NaN when not measured
	// LowerIsBetter marks metrics such as loss or perplexity, so that a
	// decrease is shown as an improvement.
	LowerIsBetter bool
}

// Write renders r and writes it to path atomically: the page is written to
// a temporary file in the same directory, synced and renamed over path, so
// readers never see a partial report.
func Write(path string, r Run) error {
	var buf bytes.Buffer
	if err := Render(&buf, r); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	done = true
	return nil
}

// Render writes the report page for r to w.
func Render(w io.Writer, r Run) error {
	page := pageData{Title: r.Title, Meta: r.Meta}
	if page.Title == "" {
		page.Title = "Training report"
	}
	for _, c := range r.Charts {
		svg, p := renderSVG(c)
		fig := figure{Title: c.Title, SVG: template.HTML(svg)} // built from escaped text only
		if p.nonFinite > 0 {
			fig.Notes = append(fig.Notes, fmt.Sprintf("%d non-finite value(s) not drawn.", p.nonFinite))
		}
		if p.logDropped {
			fig.Notes = append(fig.Notes, "Linear scale: the values include zero or negatives, which a log scale cannot show.")
		}
		page.Figures = append(page.Figures, fig)
	}
	for _, m := range r.Metrics {
		row := metricRow{Name: m.Name, Before: formatValue(m.Before), After: formatValue(m.After), Diff: "—"}
		if d := m.After - m.Before; !math.IsNaN(d) && !math.IsInf(d, 0) {
			row.Diff = template.HTML(formatDiff(d))
			better := d > 0
			if m.LowerIsBetter {
				better = d < 0
			}
			switch {
			case d == 0:
			case better:
				row.Class = "better"
			default:
				row.Class = "worse"
			}
		}
		page.Metrics = append(page.Metrics, row)
	}
	return pageTemplate.Execute(w, page)
}

// FormatParams formats parameter counts for the metadata table:
// "1.18M / 151.28M (0.78%)".
func FormatParams(trainable, total int64) string {
	s := humanCount(trainable) + " / " + humanCount(total)
	if total > 0 {
		s += fmt.Sprintf(" (%.2f%%)", 100*float64(trainable)/float64(total))
	}
	return s
}

// humanCount formats n with a K, M or B suffix.
func humanCount(n int64) string {
	v := float64(n)
	switch a := math.Abs(v); {
	case a >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 2, 64) + "B"
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "K"
	}
	return strconv.FormatInt(n, 10)
}

// formatValue formats a metric value with four decimals, or four
// significant digits when that would hide it.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'f', -1, 64)
	case v != 0 && (math.Abs(v) < 1e-3 || math.Abs(v) >= 1e6):
		return trimExp(strconv.FormatFloat(v, 'e', 3, 64))
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// formatDiff formats a difference with an explicit sign.
func formatDiff(d float64) string {
	s := formatValue(d)
	if d > 0 {
		s = "+" + s
	}
	return s
}

type pageData struct {
	Title   string
	Meta    [][2]string
	Figures []figure
	Metrics []metricRow
}

type figure struct {
	Title string
	SVG   template.HTML
	Notes []string
}

type metricRow struct {
	Name, Before, After, Class string
	// Diff is built by formatDiff from a float only; as template.HTML its
	// "+" sign is not escaped to "&#43;".
	Diff template.HTML
}

// pageTemplate is well-formed XML as well as HTML (every element closed,
// no named entities, no '<' or '&' in the style sheet), which the tests
// check with encoding/xml.
var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 960px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.4em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.3em; }
table { border-collapse: collapse; }
th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #eee; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.meta th { color: #555; font-weight: 600; }
.better { color: #1a7f37; }
.worse { color: #c62828; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-size: 12px; fill: #333; }
svg.chart .grid { stroke: #e6e6e6; stroke-width: 1; }
svg.chart .axis { stroke: #444; stroke-width: 1; fill: none; }
svg.chart .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; stroke-linecap: round; }
svg.chart .label { font-size: 13px; }
svg.chart .empty { fill: #888; }
p.note { color: #666; font-size: 0.9em; margin: 0.2em 0; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{- if .Meta}}
<table class="meta">
{{- range .Meta}}
<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{- end}}
</table>
{{- end}}
{{- if .Figures}}
<h2>Training curves</h2>
{{- range .Figures}}
<section class="figure">
{{- if .Title}}
<h3>{{.Title}}</h3>
{{- end}}
{{.SVG}}
{{- range .Notes}}
<p class="note">{{.}}</p>
{{- end}}
</section>
{{- end}}
{{- end}}
{{- if .Metrics}}
<h2>Evaluation</h2>
<table class="metrics">
<tr><th>metric</th><th class="num">before</th><th class="num">after</th><th class="num">difference</th></tr>
{{- range .Metrics}}
<tr><td>{{.Name}}</td><td class="num">{{.Before}}</td><td class="num">{{.After}}</td><td class="num{{if .Class}} {{.Class}}{{end}}">{{.Diff}}</td></tr>
{{- end}}
</table>
{{- end}}
</body>
</html>
`))
