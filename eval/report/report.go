// Package report writes evaluation reports as JSON and as one
// self-contained HTML page: a title, sections of text, key-value metrics,
// tables of numbers, and optional examples with the image embedded as a
// base64 PNG thumbnail next to the prediction and references. The structure
// is generic; metric packages fill it in.
package report

import (
	"encoding/json"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
)

// Report is a whole evaluation report.
type Report struct {
	Title string `json:"title"`
	// Meta holds free-form facts about the run (model, data, date, ...),
	// shown as a list at the top.
	Meta     map[string]string `json:"meta,omitempty"`
	Sections []Section         `json:"sections"`
}

// Section groups text, metrics, tables and examples under a heading.
type Section struct {
	Title string `json:"title"`
	Text  string `json:"text,omitempty"`
	// Metrics are named numbers shown as a two-column table, in order.
	Metrics  []Metric  `json:"metrics,omitempty"`
	Tables   []Table   `json:"tables,omitempty"`
	Examples []Example `json:"examples,omitempty"`
}

// Metric is one named number.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Table is a titled table. Each cell is a string, a number (any Go integer
// or float type), a bool or nil; numbers are printed with Precision
// decimals in HTML and kept exact in JSON.
type Table struct {
	Title   string   `json:"title,omitempty"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	// Precision is the number of decimals for floats in HTML (0 means 4).
	Precision int `json:"-"`
}

// Example is one evaluated example.
type Example struct {
	ID         string   `json:"id,omitempty"`
	Prediction string   `json:"prediction,omitempty"`
	References []string `json:"references,omitempty"`
	// Score is an optional per-example metric value.
	Score *float64 `json:"score,omitempty"`
	// Fields are extra labelled values (metadata, ground truth).
	Fields map[string]string `json:"fields,omitempty"`
	// Image, when set, is shown in HTML as a thumbnail; it is not written
	// to JSON.
	Image image.Image `json:"-"`
}

// Validate checks that every table row has one cell per column, that cells
// have supported types, and that numbers are finite (JSON cannot hold NaN).
func (r *Report) Validate() error {
	for si, s := range r.Sections {
		for _, m := range s.Metrics {
			if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
				return fmt.Errorf("report: section %d (%q) metric %q is %v", si, s.Title, m.Name, m.Value)
			}
		}
		for ti, t := range s.Tables {
			for ri, row := range t.Rows {
				if len(row) != len(t.Columns) {
					return fmt.Errorf("report: section %d (%q) table %d (%q) row %d has %d cells for %d columns",
						si, s.Title, ti, t.Title, ri, len(row), len(t.Columns))
				}
				for ci, c := range row {
					if _, err := formatCell(c, 4); err != nil {
						return fmt.Errorf("report: section %d table %d row %d column %d: %w", si, ti, ri, ci, err)
					}
				}
			}
		}
		for ei, e := range s.Examples {
			if e.Score != nil && (math.IsNaN(*e.Score) || math.IsInf(*e.Score, 0)) {
				return fmt.Errorf("report: section %d example %d score is %v", si, ei, *e.Score)
			}
		}
	}
	return nil
}

// WriteJSON writes the report as indented JSON (images are omitted).
func (r *Report) WriteJSON(w io.Writer) error {
	if err := r.Validate(); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteFiles writes report.json and report.html into dir, creating it.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for name, write := range map[string]func(io.Writer) error{"report.json": r.WriteJSON, "report.html": r.WriteHTML} {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("report: writing %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("report: closing %s: %w", path, err)
		}
	}
	return nil
}
