package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Chart geometry in SVG user units; the SVG scales to the page width.
const (
	chartW      = 720
	chartH      = 300
	marginLeft  = 72
	marginRight = 20
	marginTop   = 14
	marginBot   = 46
	legendRowH  = 18
	charW       = 7 // estimated width of one legend character at 12px
	markerLimit = 40
)

// palette holds the series colors (Okabe-Ito, distinguishable with common
// color-vision deficiencies); series beyond it reuse it with dashes.
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"}

// plot is a chart prepared for drawing.
type plot struct {
	chart      Chart
	x, y       axis
	left, top  float64 // plot area origin
	w, h       float64 // plot area size
	legend     []legendItem
	nonFinite  int  // values not drawn (NaN, ±Inf, and ≤ 0 on a log axis)
	logDropped bool // LogY was asked for but the data has values ≤ 0
	empty      bool // no finite point at all
}

type legendItem struct {
	x, y  float64
	name  string
	color string
	dash  string
}

// renderSVG draws c as a standalone <svg> element and returns it with the
// prepared plot, whose counts feed the caption.
func renderSVG(c Chart) (string, *plot) {
	p := layout(c)
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, chartW, chartH, esc(c.Title))
	sb.WriteString("\n")
	p.drawAxes(&sb)
	if p.empty {
		fmt.Fprintf(&sb, `<text class="empty" x="%s" y="%s" text-anchor="middle">no finite data</text>`+"\n",
			num(p.left+p.w/2), num(p.top+p.h/2))
	} else {
		for i, s := range c.Series {
			p.drawSeries(&sb, i, s)
		}
	}
	p.drawLegend(&sb)
	sb.WriteString("</svg>")
	return sb.String(), p
}

// layout computes the axes and the legend placement.
func layout(c Chart) *plot {
	p := &plot{chart: c}
	// Legend rows: entries flow left to right and wrap.
	plotLeft, plotRight := float64(marginLeft), float64(chartW-marginRight)
	x, row := plotLeft, 0
	if len(c.Series) > 1 || (len(c.Series) == 1 && c.Series[0].Name != "") {
		for i, s := range c.Series {
			w := 26 + float64(len([]rune(s.Name))*charW) + 14
			if x+w > plotRight && x > plotLeft {
				x, row = plotLeft, row+1
			}
			color, dash := seriesStyle(i)
			p.legend = append(p.legend, legendItem{x: x, y: float64(marginTop + row*legendRowH + 10), name: s.Name, color: color, dash: dash})
			x += w
		}
		row++
	}
	p.left, p.top = plotLeft, float64(marginTop+row*legendRowH+6)
	p.w, p.h = plotRight-plotLeft, float64(chartH-marginBot)-p.top

	// Data ranges over finite values.
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	positive := true
	for _, s := range c.Series {
		for _, pt := range s.Points {
			if math.IsNaN(pt.Value) || math.IsInf(pt.Value, 0) {
				continue
			}
			xlo, xhi = math.Min(xlo, float64(pt.Step)), math.Max(xhi, float64(pt.Step))
			ylo, yhi = math.Min(ylo, pt.Value), math.Max(yhi, pt.Value)
			if pt.Value <= 0 {
				positive = false
			}
		}
	}
	if math.IsInf(xlo, 1) {
		p.empty = true
		xlo, xhi, ylo, yhi = 0, 1, 0, 1
	}
	p.x = linearAxis(xlo, xhi, 7, true)
	switch {
	case c.LogY && positive && !p.empty:
		p.y = logAxis(ylo, yhi)
	default:
		p.logDropped = c.LogY && !p.empty
		p.y = linearAxis(ylo, yhi, 6, false)
	}
	for _, s := range c.Series {
		for _, pt := range s.Points {
			if _, ok := p.yValue(pt.Value); !ok {
				p.nonFinite++
			}
		}
	}
	return p
}

// seriesStyle returns the color and dash pattern of series i.
func seriesStyle(i int) (color, dash string) {
	color = palette[i%len(palette)]
	if i >= len(palette) {
		dash = "6 3"
	}
	return color, dash
}

// yValue converts a data value to axis units; ok is false when it cannot
// be drawn.
func (p *plot) yValue(v float64) (float64, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	if p.y.log {
		if v <= 0 {
			return 0, false
		}
		return math.Log10(v), true
	}
	return v, true
}

// px and py map data to SVG coordinates.
func (p *plot) px(step float64) float64 { return p.left + p.x.frac(step)*p.w }
func (p *plot) py(v float64) float64    { return p.top + p.h - p.y.frac(v)*p.h }

func (p *plot) drawAxes(sb *strings.Builder) {
	bottom := p.top + p.h
	for i, t := range p.y.ticks {
		y := num(p.py(t))
		fmt.Fprintf(sb, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(p.left), y, num(p.left+p.w), y)
		fmt.Fprintf(sb, `<text class="tick" x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n",
			num(p.left-6), y, esc(p.y.labels[i]))
	}
	for i, t := range p.x.ticks {
		x := num(p.px(t))
		fmt.Fprintf(sb, `<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", x, num(p.top), x, num(bottom))
		fmt.Fprintf(sb, `<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", x, num(bottom+16), esc(p.x.labels[i]))
	}
	fmt.Fprintf(sb, `<path class="axis" d="M%s,%sV%sH%s"/>`+"\n", num(p.left), num(p.top), num(bottom), num(p.left+p.w))
	xl := p.chart.XLabel
	if xl == "" {
		xl = "step"
	}
	fmt.Fprintf(sb, `<text class="label" x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", num(p.left+p.w/2), num(chartH-6), esc(xl))
	if yl := p.chart.YLabel; yl != "" {
		if p.y.log {
			yl += " (log scale)"
		}
		cx, cy := num(14), num(p.top+p.h/2)
		fmt.Fprintf(sb, `<text class="label" x="%s" y="%s" text-anchor="middle" transform="rotate(-90 %s %s)">%s</text>`+"\n", cx, cy, cx, cy, esc(yl))
	}
}

func (p *plot) drawLegend(sb *strings.Builder) {
	for _, it := range p.legend {
		dash := ""
		if it.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, it.dash)
		}
		fmt.Fprintf(sb, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"%s/>`+"\n",
			num(it.x), num(it.y), num(it.x+20), num(it.y), it.color, dash)
		fmt.Fprintf(sb, `<text class="legend" x="%s" y="%s" dominant-baseline="middle">%s</text>`+"\n", num(it.x+26), num(it.y), esc(it.name))
	}
}

// xy is a point in SVG coordinates.
type xy struct{ x, y float64 }

// drawSeries draws series i as a path broken at values that cannot be
// drawn, with markers when it has few points or a run of one point.
func (p *plot) drawSeries(sb *strings.Builder, i int, s Series) {
	color, dash := seriesStyle(i)
	pts := slices.Clone(s.Points)
	slices.SortStableFunc(pts, func(a, b Point) int { return cmp.Compare(a.Step, b.Step) })

	var runs [][]xy
	var cur []xy
	finite := 0
	for _, pt := range pts {
		v, ok := p.yValue(pt.Value)
		if !ok {
			if len(cur) > 0 {
				runs, cur = append(runs, cur), nil
			}
			continue
		}
		finite++
		cur = append(cur, xy{p.px(float64(pt.Step)), p.py(v)})
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	if finite == 0 {
		return
	}
	var d strings.Builder
	for _, r := range runs {
		writePath(&d, decimate(r, p.left, p.w))
	}
	dashAttr := ""
	if dash != "" {
		dashAttr = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	fmt.Fprintf(sb, `<path class="series" d="%s" stroke="%s"%s><title>%s</title></path>`+"\n", d.String(), color, dashAttr, esc(s.Name))
	for _, r := range runs {
		if finite > markerLimit && len(r) > 1 {
			continue
		}
		for _, q := range r {
			fmt.Fprintf(sb, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", num(q.x), num(q.y), color)
		}
	}
}

// writePath appends "Mx,yLx,y..." for one unbroken run.
func writePath(d *strings.Builder, r []xy) {
	for j, q := range r {
		if j == 0 {
			d.WriteByte('M')
		} else {
			d.WriteByte('L')
		}
		d.WriteString(num(q.x))
		d.WriteByte(',')
		d.WriteString(num(q.y))
	}
}

// decimate keeps, for each pixel column of the plot, the first, lowest,
// highest and last point in their original order: the drawn line looks the
// same (spikes survive) while a run of 100k steps stays a few kilobytes.
func decimate(r []xy, left, width float64) []xy {
	cols := int(width)
	if len(r) <= 4*cols {
		return r
	}
	out := make([]xy, 0, 4*cols)
	for i := 0; i < len(r); {
		col := int(r[i].x - left)
		j := i
		lo, hi := i, i
		for j < len(r) && int(r[j].x-left) == col {
			if r[j].y < r[lo].y {
				lo = j
			}
			if r[j].y > r[hi].y {
				hi = j
			}
			j++
		}
		keep := []int{i, lo, hi, j - 1}
		slices.Sort(keep)
		for k, idx := range keep {
			if k == 0 || idx != keep[k-1] {
				out = append(out, r[idx])
			}
		}
		i = j
	}
	return out
}

// num formats an SVG coordinate with one decimal.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if s == "-0.0" {
		return "0.0"
	}
	return s
}

// esc escapes text for SVG (XML) content and attribute values.
func esc(s string) string {
	var sb strings.Builder
	xml.EscapeText(&sb, []byte(s)) // writes to a strings.Builder cannot fail
	return sb.String()
}
