package job

import (
	"fmt"
	"image"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/eval/report"
)

// report assembles the JSON/HTML report.
func (ev *evaluator) report(o Options, res *Result, images []image.Image) *report.Report {
	r := &report.Report{
		Title: fmt.Sprintf("vlmtune eval: %s", o.Task),
		Meta: map[string]string{
			"model": o.Model, "family": ev.m.Model.Family(), "data": strings.Join(o.Data, ", "),
			"examples": fmt.Sprint(len(ev.pairs)), "skipped records": fmt.Sprint(res.Skipped),
		},
	}
	names := make([]string, 0, len(res.Metrics))
	for k := range res.Metrics {
		names = append(names, k)
	}
	sort.Strings(names)
	main := report.Section{Title: "Metrics"}
	switch o.Task {
	case "retrieval":
		main.Text = "Recall@K in percent; identical caption strings count as one text that correctly describes every image it belongs to."
	case "zeroshot":
		main.Text = fmt.Sprintf("Zero-shot accuracy in percent over %d classes, templates %q (ensembled).", len(ev.classes), o.Templates)
	}
	for _, k := range names {
		main.Metrics = append(main.Metrics, report.Metric{Name: k, Value: res.Metrics[k]})
	}
	r.Sections = append(r.Sections, main)
	if g := res.Groups; g != nil {
		s := report.Section{Title: "By " + g.Field, Text: fmt.Sprintf("%s per group (percent of examples hit at rank 1). Best %q, worst %q, gap %.2f points.", ev.main, g.Best, g.Worst, g.Gap)}
		t := report.Table{Columns: []string{g.Field, "count", ev.main}}
		for _, gr := range g.Groups {
			t.Rows = append(t.Rows, []any{gr.Value, gr.Count, gr.Mean})
		}
		if g.DisparateImpact != nil {
			s.Metrics = []report.Metric{{Name: "disparate impact (worst/best)", Value: *g.DisparateImpact}}
		}
		s.Tables = []report.Table{t}
		r.Sections = append(r.Sections, s)
	}
	if rb := res.Robustness; rb != nil {
		s := report.Section{Title: "Robustness", Text: fmt.Sprintf("%s under image perturbations; clean value %.2f.", ev.main, rb.Clean)}
		t := report.Table{Columns: []string{"perturbation", "severity", ev.main, "drop"}}
		for _, x := range rb.Results {
			t.Rows = append(t.Rows, []any{x.Perturbation, x.Severity, x.Value, x.Drop})
		}
		s.Tables = []report.Table{t}
		r.Sections = append(r.Sections, s)
	}
	n := o.ShowExamples
	if n > len(images) {
		n = len(images)
	}
	if n > 0 {
		s := report.Section{Title: "Examples"}
		for i := 0; i < n; i++ {
			ex := ev.pairs[i]
			e := report.Example{ID: ex.Origin.String(), References: ex.Captions, Image: images[i]}
			score := ev.cleanScore[i]
			e.Score = &score
			if ev.cleanPred != nil {
				e.Prediction = ev.classes[ev.cleanPred[i]]
				e.Fields = map[string]string{"class": ev.classes[ev.labels[i]]}
			}
			s.Examples = append(s.Examples, e)
		}
		r.Sections = append(r.Sections, s)
	}
	return r
}
