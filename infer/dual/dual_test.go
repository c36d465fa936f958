package dual_test

import (
	"context"
	"image"
	"math"
	"path/filepath"
	"strings"
	"testing"

	builtinmodel "github.com/vlmtune/vlmtune/builtin/model"
	"github.com/vlmtune/vlmtune/imageproc"
	"github.com/vlmtune/vlmtune/infer"
	"github.com/vlmtune/vlmtune/infer/dual"
	"github.com/vlmtune/vlmtune/synth"
	"github.com/vlmtune/vlmtune/tensor"
)

// builtinEncoder loads the built-in CLIP and a few synthetic images.
func builtinEncoder(t *testing.T, images int) (*dual.Encoder, []string) {
	t.Helper()
	dir := t.TempDir()
	m, err := builtinmodel.Extract(filepath.Join(dir, "model"))
	if err != nil {
		t.Fatal(err)
	}
	sess, err := infer.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := sess.Dual()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(context.Background(), synth.Config{N: images, Seed: 3, Size: 64, Domain: "a", Split: "val"}, filepath.Join(dir, "data"), 0, true); err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "data", "images", "*.png"))
	if err != nil || len(paths) != images {
		t.Fatalf("%d images (%v)", len(paths), err)
	}
	return enc, paths
}

func same(t *testing.T, what string, a, b []float32) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d vs %d values", what, len(a), len(b))
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("%s differs at %d: %v vs %v", what, i, a[i], b[i])
		}
	}
}

// Image files, decoded images and preprocessed pixels give the same
// embeddings, over more than one batch, and they are unit vectors.
func TestImageRoutesAgree(t *testing.T) {
	enc, paths := builtinEncoder(t, dual.BatchSize+5)
	fromFiles, err := enc.ImageFiles(paths)
	if err != nil {
		t.Fatal(err)
	}
	images := make([]image.Image, len(paths))
	s := enc.Prep.Size
	px := tensor.Zeros(len(paths), 3, s, s)
	for i, p := range paths {
		if images[i], err = imageproc.DecodeFile(p); err != nil {
			t.Fatal(err)
		}
		if err := enc.Prep.Proc.ProcessInto(px.Data()[i*3*s*s:(i+1)*3*s*s], images[i]); err != nil {
			t.Fatal(err)
		}
	}
	fromImages, err := enc.Images(images, paths)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "files vs images", fromFiles.Data(), fromImages.Data())
	same(t, "files vs pixels", fromFiles.Data(), enc.Pixels(px).Data())
	if fromFiles.RequiresGrad() || fromFiles.Scope() != enc.Scope {
		t.Fatal("encoding recorded a graph or left its scope")
	}
	for _, row := range dual.Rows(fromFiles) {
		var n float64
		for _, v := range row {
			n += float64(v) * float64(v)
		}
		if math.Abs(n-1) > 1e-5 {
			t.Fatalf("embedding norm² %v", n)
		}
	}
	if _, err := enc.ImageFiles([]string{filepath.Join(t.TempDir(), "missing.png")}); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Fatalf("missing file: %v", err)
	}
}

// Texts and their token rows agree; class embeddings ensemble the
// templates (one template: the prompt's own embedding).
func TestTextsAndClasses(t *testing.T) {
	enc, _ := builtinEncoder(t, 1)
	texts := []string{"a photo of a red circle.", "a photo of a blue square."}
	e := enc.Texts(texts)
	ids, mask, tl := enc.Prep.EncodeTexts(texts)
	same(t, "texts vs tokens", e.Data(), enc.Tokens(ids, mask, tl).Data())
	cls, err := enc.Classes([]string{"red circle", "blue square"}, []string{"a photo of a {}."})
	if err != nil {
		t.Fatal(err)
	}
	for c := range cls {
		row := e.Data()[c*e.Dim(1) : (c+1)*e.Dim(1)]
		for i, v := range cls[c] {
			if math.Abs(float64(v-row[i])) > 1e-6 {
				t.Fatalf("class %d with one template differs from its prompt's embedding", c)
			}
		}
	}
	if _, err := enc.Classes([]string{"x"}, []string{"no placeholder"}); err == nil || !strings.Contains(err.Error(), "placeholder") {
		t.Fatalf("template without {}: %v", err)
	}
}

// Zero-shot accuracy counts labelled images only; top-5 with fewer than
// five classes is 100%.
func TestZeroShotAndRetrieval(t *testing.T) {
	img := tensor.FromSlice([]float32{1, 0, 0, 1, 0.6, 0.8}, 3, 2)
	classes := [][]float32{{1, 0}, {0, 1}}
	top1, top5, pred, err := dual.ZeroShot(img, classes, []int{0, 0, -1})
	if err != nil {
		t.Fatal(err)
	}
	if top1 != 50 || top5 != 100 || pred[0] != 0 || pred[1] != 1 || pred[2] != 1 {
		t.Fatalf("top1 %v top5 %v pred %v", top1, top5, pred)
	}
	if _, _, _, err := dual.ZeroShot(img, classes, []int{-1, -1, -1}); err == nil {
		t.Fatal("no labelled image: no error")
	}
	// Text 1 describes images 0 and 2: image 2 ranks it second, and it
	// finds image 0 first.
	texts := tensor.FromSlice([]float32{0, 1, 1, 0}, 2, 2)
	r, err := dual.Retrieval(img, texts, [][]int{{1}, {0}, {1}})
	if err != nil {
		t.Fatal(err)
	}
	if r.ImageToText.Recall[1] != 200.0/3 || r.ImageToText.Ranks[2] != 2 || r.TextToImage.Recall[1] != 100 {
		t.Fatalf("i2t R@1 %v, t2i R@1 %v", r.ImageToText.Recall[1], r.TextToImage.Recall[1])
	}
}

// CLIP's probabilities are a softmax over classes.
func TestProbabilities(t *testing.T) {
	enc, _ := builtinEncoder(t, 1)
	p := dual.Probabilities(enc.Model, tensor.FromSlice([]float32{0, 0, 1, 3}, 2, 2))
	if math.Abs(p[0][0]-0.5) > 1e-12 || math.Abs(p[1][0]+p[1][1]-1) > 1e-12 || !(p[1][1] > p[1][0]) {
		t.Fatalf("probabilities %v", p)
	}
}
