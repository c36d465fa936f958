package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/png"
	"io"
	"math"
	"sort"
	"strconv"
)

// ThumbnailSize is the longest side, in pixels, of embedded thumbnails.
const ThumbnailSize = 160

// formatCell renders a table cell; prec is the number of float decimals.
func formatCell(c any, prec int) (string, error) {
	switch v := c.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(v), nil
	case float32:
		return formatCell(float64(v), prec)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", fmt.Errorf("number %v is not finite", v)
		}
		return strconv.FormatFloat(v, 'f', prec, 64), nil
	}
	return "", fmt.Errorf("unsupported cell type %T", c)
}

// Thumbnail scales img so its longer side is at most size pixels (area
// averaging) and returns it as PNG bytes.
func Thumbnail(img image.Image, size int) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, fmt.Errorf("report: empty image")
	}
	scale := math.Min(1, float64(size)/float64(max(w, h)))
	tw, th := max(1, int(math.Round(float64(w)*scale))), max(1, int(math.Round(float64(h)*scale)))
	out := image.NewNRGBA(image.Rect(0, 0, tw, th))
	for ty := 0; ty < th; ty++ {
		y0, y1 := ty*h/th, max((ty+1)*h/th, ty*h/th+1)
		for tx := 0; tx < tw; tx++ {
			x0, x1 := tx*w/tw, max((tx+1)*w/tw, tx*w/tw+1)
			var r, g, bl, a, n uint64
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					cr, cg, cb, ca := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
					r, g, bl, a, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca), n+1
				}
			}
			// Average premultiplied values, then un-premultiply for NRGBA.
			i := out.PixOffset(tx, ty)
			if a == 0 {
				continue
			}
			out.Pix[i] = uint8((r*255 + a/2) / a)
			out.Pix[i+1] = uint8((g*255 + a/2) / a)
			out.Pix[i+2] = uint8((bl*255 + a/2) / a)
			out.Pix[i+3] = uint8((a/n + 128) / 257)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return nil, fmt.Errorf("report: png: %w", err)
	}
	return buf.Bytes(), nil
}

type htmlTable struct {
	Title   string
	Columns []string
	Rows    [][]string
}

type htmlExample struct {
	Example
	ImageURI template.URL
	ScoreStr string
	Keys     []string
}

type htmlSection struct {
	Section
	MetricStr []string
	HTables   []htmlTable
	HExamples []htmlExample
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:72em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2}
.ex{display:flex;gap:1em;border-top:1px solid #ddd;padding:.6em 0}
.ex img{border:1px solid #ccc}.k{color:#666}
</style></head><body>
<h1>{{.Title}}</h1>
{{if .Meta}}<ul>{{range .MetaKeys}}<li><span class="k">{{.}}:</span> {{index $.Meta .}}</li>{{end}}</ul>{{end}}
{{range .Sections}}<section><h2>{{.Title}}</h2>
{{if .Text}}<p>{{.Text}}</p>{{end}}
{{range .HTables}}{{if .Title}}<h3>{{.Title}}</h3>{{end}}<table><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}
{{range .HExamples}}<div class="ex">{{if .ImageURI}}<img src="{{.ImageURI}}" alt="{{.ID}}">{{end}}<div>
{{if .ID}}<div><span class="k">id:</span> {{.ID}}</div>{{end}}
{{if .Prediction}}<div><span class="k">prediction:</span> {{.Prediction}}</div>{{end}}
{{range .References}}<div><span class="k">reference:</span> {{.}}</div>{{end}}
{{if .ScoreStr}}<div><span class="k">score:</span> {{.ScoreStr}}</div>{{end}}
{{$f := .Fields}}{{range .Keys}}<div><span class="k">{{.}}:</span> {{index $f .}}</div>{{end}}
</div></div>{{end}}
</section>{{end}}
</body></html>
`))

// WriteHTML writes the report as one self-contained HTML page (no
// external resources; images are data URIs).
func (r *Report) WriteHTML(w io.Writer) error {
	if err := r.Validate(); err != nil {
		return err
	}
	data := struct {
		Title    string
		Meta     map[string]string
		MetaKeys []string
		Sections []htmlSection
	}{Title: r.Title, Meta: r.Meta, MetaKeys: sortedKeys(r.Meta)}
	for si, s := range r.Sections {
		hs := htmlSection{Section: s}
		if len(s.Metrics) > 0 {
			t := htmlTable{Columns: []string{"metric", "value"}}
			for _, m := range s.Metrics {
				v, _ := formatCell(m.Value, 4)
				t.Rows = append(t.Rows, []string{m.Name, v})
			}
			hs.HTables = append(hs.HTables, t)
		}
		for _, t := range s.Tables {
			prec := t.Precision
			if prec == 0 {
				prec = 4
			}
			ht := htmlTable{Title: t.Title, Columns: t.Columns}
			for _, row := range t.Rows {
				cells := make([]string, len(row))
				for i, c := range row {
					cells[i], _ = formatCell(c, prec)
				}
				ht.Rows = append(ht.Rows, cells)
			}
			hs.HTables = append(hs.HTables, ht)
		}
		for ei, e := range s.Examples {
			he := htmlExample{Example: e, Keys: sortedKeys(e.Fields)}
			if e.Score != nil {
				he.ScoreStr = strconv.FormatFloat(*e.Score, 'f', 4, 64)
			}
			if e.Image != nil {
				png, err := Thumbnail(e.Image, ThumbnailSize)
				if err != nil {
					return fmt.Errorf("report: section %d example %d: %w", si, ei, err)
				}
				he.ImageURI = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
			}
			hs.HExamples = append(hs.HExamples, he)
		}
		data.Sections = append(data.Sections, hs)
	}
	return page.Execute(w, data)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
