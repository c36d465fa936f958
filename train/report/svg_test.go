package report

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"
)

var seriesPathRE = regexp.MustCompile(`<path class="series" d="([^"]*)"`)

// seriesPaths returns the d attributes of the series paths in svg.
func seriesPaths(svg string) []string {
	var out []string
	for _, m := range seriesPathRE.FindAllStringSubmatch(svg, -1) {
		out = append(out, m[1])
	}
	return out
}

// wellFormed parses s as XML, failing the test on a syntax error.
func wellFormed(t *testing.T, what, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	for {
		_, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			t.Fatalf("%s is not well-formed XML: %v", what, err)
		}
	}
}

func TestSeriesPathGolden(t *testing.T) {
	// Worked by hand: one legend row puts the plot at top 38, left 72, size
	// 628x216. x: steps 1..3 with step-1 ticks, so x = 72, 386, 700.
	// y: [0.25, 1] gets 0.2 ticks and becomes [0.2, 1.0]; 1 -> top (38),
	// 0.5 -> 38 + 216*(1-0.375) = 173, 0.25 -> 38 + 216*(1-0.0625) = 240.5.
	svg, _ := renderSVG(Chart{Series: []Series{{Name: "loss", Points: []Point{{1, 1}, {2, 0.5}, {3, 0.25}}}}})
	paths := seriesPaths(svg)
	want := "M72.0,38.0L386.0,173.0L700.0,240.5"
	if len(paths) != 1 || paths[0] != want {
		t.Errorf("series paths %q, want [%q]", paths, want)
	}
	if n := strings.Count(svg, "<circle"); n != 3 {
		t.Errorf("%d markers, want 3 for a short series", n)
	}
	wellFormed(t, "svg", svg)
}

func TestSeriesUnsortedAndGaps(t *testing.T) {
	c := Chart{Series: []Series{{Name: "val", Points: []Point{
		{4, 4}, {1, 1}, {2, math.NaN()}, {3, 3}, {5, math.Inf(1)}, {6, 6}, {7, 7},
	}}}}
	svg, p := renderSVG(c)
	paths := seriesPaths(svg)
	if len(paths) != 1 {
		t.Fatalf("got %d series paths", len(paths))
	}
	// Runs: {1}, {3, 4}, {6, 7}: three subpaths, sorted by step.
	if n := strings.Count(paths[0], "M"); n != 3 {
		t.Errorf("path %q has %d subpaths, want 3", paths[0], n)
	}
	if p.nonFinite != 2 {
		t.Errorf("nonFinite = %d, want 2", p.nonFinite)
	}
	if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
		t.Errorf("svg contains a non-finite coordinate")
	}
}

func TestSinglePointAndEmpty(t *testing.T) {
	svg, p := renderSVG(Chart{Title: "one", Series: []Series{{Name: "acc", Points: []Point{{10, 0.5}}}}})
	wellFormed(t, "single-point svg", svg)
	if p.empty || strings.Count(svg, "<circle") != 1 {
		t.Errorf("single point: empty=%v, %d markers; want a marker", p.empty, strings.Count(svg, "<circle"))
	}
	if strings.Contains(svg, "NaN") {
		t.Errorf("single point: NaN in svg")
	}

	for _, c := range []Chart{
		{Title: "none"},
		{Title: "all NaN", Series: []Series{{Name: "x", Points: []Point{{1, math.NaN()}, {2, math.Inf(-1)}}}}},
	} {
		svg, p := renderSVG(c)
		wellFormed(t, c.Title, svg)
		if !p.empty || !strings.Contains(svg, "no finite data") || len(seriesPaths(svg)) != 0 {
			t.Errorf("%s: want an empty chart saying so", c.Title)
		}
	}
}

func TestHugeRanges(t *testing.T) {
	tests := []Chart{
		{Title: "exploding loss, log", LogY: true, Series: []Series{{Name: "loss", Points: []Point{{1, 1e-30}, {2, 1}, {3, 1e30}}}}},
		{Title: "extremes", Series: []Series{{Name: "v", Points: []Point{{1, -math.MaxFloat64}, {2, 0}, {3, math.MaxFloat64}}}}},
		{Title: "steps", Series: []Series{{Name: "v", Points: []Point{{math.MinInt64, 1}, {math.MaxInt64, 2}}}}},
	}
	for _, c := range tests {
		svg, _ := renderSVG(c)
		wellFormed(t, c.Title, svg)
		for _, bad := range []string{"NaN", "Inf", "e+"} {
			if strings.Contains(svg, bad) {
				t.Errorf("%s: svg contains %q", c.Title, bad)
			}
		}
		for _, d := range seriesPaths(svg) {
			for _, f := range strings.FieldsFunc(d, func(r rune) bool { return r == 'M' || r == 'L' || r == ',' }) {
				if len(f) > 8 { // coordinates stay within the 720x300 viewBox
					t.Errorf("%s: coordinate %q out of the chart", c.Title, f)
				}
			}
		}
	}
}

func TestLogYFallsBackWithNonPositive(t *testing.T) {
	_, p := renderSVG(Chart{LogY: true, Series: []Series{{Name: "x", Points: []Point{{1, 0}, {2, 10}}}}})
	if p.y.log || !p.logDropped {
		t.Errorf("log=%v logDropped=%v, want a linear axis and a note", p.y.log, p.logDropped)
	}
}

func TestDecimateKeepsSpikes(t *testing.T) {
	pts := make([]Point, 100000)
	for i := range pts {
		pts[i] = Point{int64(i), 1 + 0.01*math.Sin(float64(i))}
	}
	pts[54321].Value = 50 // a spike
	svg, _ := renderSVG(Chart{Series: []Series{{Name: "loss", Points: pts}}})
	d := seriesPaths(svg)[0]
	n := strings.Count(d, "L") + 1
	if n > 4*628 {
		t.Errorf("%d path points for 628 pixel columns, want at most %d", n, 4*628)
	}
	if !strings.Contains(d, ",38.0") { // the spike reaches the top of the plot area
		t.Errorf("the spike was lost by decimation")
	}
	if strings.Count(svg, "<circle") != 0 {
		t.Errorf("markers drawn on a long series")
	}
	if len(svg) > 100_000 {
		t.Errorf("svg is %d bytes for 100k points, want under 100 kB", len(svg))
	}
}

func TestLegendLayout(t *testing.T) {
	var series []Series
	for i := range 11 {
		series = append(series, Series{Name: strings.Repeat("n", 5+i), Points: []Point{{1, float64(i)}, {2, float64(i + 1)}}})
	}
	svg, p := renderSVG(Chart{Series: series})
	wellFormed(t, "legend svg", svg)
	if len(p.legend) != 11 {
		t.Fatalf("%d legend items, want 11", len(p.legend))
	}
	rows := map[float64]bool{}
	for _, it := range p.legend {
		rows[it.y] = true
		if right := it.x + 26 + float64(len(it.name)*charW); right > chartW {
			t.Errorf("legend item %q ends at %g, past the chart width %d", it.name, right, chartW)
		}
	}
	if len(rows) < 2 {
		t.Errorf("11 legend items in %d row(s), want them wrapped", len(rows))
	}
	if p.top <= marginTop+legendRowH {
		t.Errorf("plot top %g does not leave room for the legend rows", p.top)
	}
	if !strings.Contains(svg, `stroke-dasharray="6 3"`) {
		t.Errorf("series past the palette are not dashed")
	}
}
