package report

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sampleRun() Run {
	var train, lr []Point
	for s := int64(1); s <= 200; s++ {
		train = append(train, Point{s, 2.5 * math.Exp(-float64(s)/60)})
		lr = append(lr, Point{s, 1e-4 * math.Min(1, float64(s)/20)})
	}
	return Run{
		Title: `CLIP <LoRA> & "friends"`,
		Meta: [][2]string{
			{"method", "lora (r=8, alpha=16)"},
			{"model", "openai/clip-vit-base-patch32"},
			{"data", "flickr8k <train>"},
			{"trainable / total parameters", FormatParams(1_179_648, 151_277_313)},
			{"duration", "12m31s"},
		},
		Charts: []Chart{
			{Title: "Training loss", YLabel: "loss", Series: []Series{{Name: "train", Points: train}}},
			{Title: "Validation", YLabel: "value", Series: []Series{
				{Name: "val loss", Points: []Point{{50, 1.9}, {100, 1.2}, {150, math.NaN()}, {200, 0.8}}},
				{Name: "R@1 i→t", Points: []Point{{50, 0.21}, {100, 0.33}, {150, 0.37}, {200, 0.41}}},
			}},
			{Title: "Learning rate", YLabel: "lr", Series: []Series{{Name: "lr", Points: lr}}},
		},
		Metrics: []Metric{
			{Name: "zero-shot accuracy", Before: 0.5, After: 0.625},
			{Name: "image→text R@1", Before: 0.3125, After: 0.4375},
			{Name: "text→image R@5", Before: 0.75, After: 0.7},
			{Name: "val loss", Before: 2.25, After: 0.8, LowerIsBetter: true},
			{Name: "R@10 <script>", Before: math.NaN(), After: 0.9},
		},
	}
}

func TestRenderPage(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, sampleRun()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	wellFormed(t, "report page", page)
	if n := strings.Count(page, "<svg"); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	for _, want := range []string{
		"<title>CLIP &lt;LoRA&gt; &amp; &#34;friends&#34;</title>",
		"flickr8k &lt;train&gt;",
		"1.18M / 151.28M (0.78%)",
		"12m31s",
		// metric rows: before, after, difference with its sign and class
		"<td>zero-shot accuracy</td><td class=\"num\">0.5000</td><td class=\"num\">0.6250</td><td class=\"num better\">+0.1250</td>",
		"<td class=\"num\">0.3125</td><td class=\"num\">0.4375</td><td class=\"num better\">+0.1250</td>",
		"<td class=\"num\">0.7500</td><td class=\"num\">0.7000</td><td class=\"num worse\">-0.0500</td>",
		"<td class=\"num\">2.2500</td><td class=\"num\">0.8000</td><td class=\"num better\">-1.4500</td>",
		"<td>R@10 &lt;script&gt;</td><td class=\"num\">—</td><td class=\"num\">0.9000</td><td class=\"num\">—</td>",
		"1 non-finite value(s) not drawn.",
		"R@1 i→t",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "<LoRA>") {
		t.Errorf("unescaped text in the page")
	}
	// Self-contained: nothing is loaded from elsewhere.
	for _, bad := range []string{"http:", "https:", "src=", "href=", "url(", "@import", "<link", "<script"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q; it must not load external resources", bad)
		}
	}
}

func TestRenderMinimal(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, Run{}); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, "empty report", buf.String())
	if !strings.Contains(buf.String(), "<h1>Training report</h1>") {
		t.Errorf("empty run lacks the default title")
	}
	for _, absent := range []string{"<svg", "<table", "Evaluation"} {
		if strings.Contains(buf.String(), absent) {
			t.Errorf("empty run renders %q", absent)
		}
	}
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, sampleRun()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) {
		t.Errorf("report starts with %q", b[:min(len(b), 20)])
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only report.html (no temp files)", len(entries))
	}

	missing := filepath.Join(dir, "no", "such", "report.html")
	if err := Write(missing, Run{}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("write into a missing directory: err = %v, want an error naming %s", err, missing)
	}
}

func TestFormatParams(t *testing.T) {
	tests := []struct {
		trainable, total int64
		want             string
	}{
		{1_179_648, 151_277_313, "1.18M / 151.28M (0.78%)"},
		{151_277_313, 151_277_313, "151.28M / 151.28M (100.00%)"},
		{512, 7_000_000_000, "512 / 7.00B (0.00%)"},
		{12_345, 0, "12.3K / 0"},
	}
	for _, tt := range tests {
		if got := FormatParams(tt.trainable, tt.total); got != tt.want {
			t.Errorf("FormatParams(%d, %d) = %q, want %q", tt.trainable, tt.total, got, tt.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0.4375, "0.4375"},
		{0, "0.0000"},
		{43.75, "43.7500"},
		{1.5e-5, "1.5e-5"},
		{2.5e7, "2.5e7"},
		{math.NaN(), "—"},
		{math.Inf(1), "+Inf"},
	}
	for _, tt := range tests {
		if got := formatValue(tt.v); got != tt.want {
			t.Errorf("formatValue(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
