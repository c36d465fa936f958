package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func sample() *Report {
	img := image.NewNRGBA(image.Rect(0, 0, 320, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 320; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 80, 255})
		}
	}
	score := 0.75
	return &Report{
		Title: "Caption eval <test>",
		Meta:  map[string]string{"model": "blip-base", "data": "coco-val"},
		Sections: []Section{{
			Title:   "Scores",
			Text:    "Corpus scores & details",
			Metrics: []Metric{{"bleu", 31.25}, {"cider", 1.0345678}},
			Tables: []Table{{Title: "per group", Columns: []string{"group", "n", "mean"},
				Rows: [][]any{{"F", 10, 0.5}, {"M", int64(12), float32(0.25)}, {"?", nil, true}}}},
			Examples: []Example{{ID: "img1", Prediction: "a <b>cat</b>", References: []string{"a cat", "cat"},
				Score: &score, Fields: map[string]string{"sex": "F"}, Image: img}},
		}},
	}
}

func TestJSONAndHTML(t *testing.T) {
	r := sample()
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back["title"] != "Caption eval <test>" || strings.Contains(js.String(), "base64") {
		t.Errorf("json: %s", js.String())
	}
	var h bytes.Buffer
	if err := r.WriteHTML(&h); err != nil {
		t.Fatal(err)
	}
	out := h.String()
	for _, want := range []string{"<h1>Caption eval &lt;test&gt;</h1>", "31.2500", "1.0346", "a &lt;b&gt;cat&lt;/b&gt;", "<td>F</td><td>10</td><td>0.5000</td>", "<td>0.2500</td>", "0.7500", "blip-base"} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	if strings.Contains(out, "http://") || strings.Contains(out, "https://") || strings.Contains(out, "<script") {
		t.Error("html is not self-contained")
	}
	m := regexp.MustCompile(`src="data:image/png;base64,([A-Za-z0-9+/=]+)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no embedded thumbnail")
	}
	raw, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	th, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if th.Bounds().Dx() != 160 || th.Bounds().Dy() != 100 {
		t.Errorf("thumbnail %v", th.Bounds())
	}
	dir := t.TempDir()
	if err := r.WriteFiles(filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.json", "report.html"} {
		if st, err := os.Stat(filepath.Join(dir, "out", f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := []*Report{
		{Sections: []Section{{Tables: []Table{{Columns: []string{"a", "b"}, Rows: [][]any{{1}}}}}}},
		{Sections: []Section{{Tables: []Table{{Columns: []string{"a"}, Rows: [][]any{{math.NaN()}}}}}}},
		{Sections: []Section{{Tables: []Table{{Columns: []string{"a"}, Rows: [][]any{{[]int{1}}}}}}}},
		{Sections: []Section{{Metrics: []Metric{{"x", math.Inf(1)}}}}},
	}
	for i, r := range bad {
		if err := r.WriteJSON(&bytes.Buffer{}); err == nil {
			t.Errorf("report %d accepted", i)
		}
		if err := r.WriteHTML(&bytes.Buffer{}); err == nil {
			t.Errorf("report %d accepted by HTML", i)
		}
	}
}

func TestThumbnailSmallImageKeepsSize(t *testing.T) {
	img := image.NewNRGBA(image.Rect(5, 5, 25, 15))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	b, err := Thumbnail(img, 160)
	if err != nil {
		t.Fatal(err)
	}
	th, _ := png.Decode(bytes.NewReader(b))
	if th.Bounds().Dx() != 20 || th.Bounds().Dy() != 10 {
		t.Errorf("%v", th.Bounds())
	}
	if c := color.NRGBAModel.Convert(th.At(3, 3)).(color.NRGBA); c.R != 200 || c.A != 200 {
		t.Errorf("pixel %v", c)
	}
	if _, err := Thumbnail(image.NewNRGBA(image.Rect(0, 0, 0, 0)), 10); err == nil {
		t.Error("empty image accepted")
	}
}
