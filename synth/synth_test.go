package synth

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{N: 0}, "n must be positive"},
		{Config{N: 1, Kind: "faces"}, `kind "faces"`},
		{Config{N: 1, Size: 8}, "size must be 16..1024"},
		{Config{N: 1, Domain: "c"}, `domain "c"`},
		{Config{N: 1, MaxObjects: 12}, "max objects"},
		{Config{N: 1, LabelNoise: 2}, "label noise"},
		{Config{N: 1, Split: "a/b"}, "plain name"},
	}
	for _, c := range cases {
		if err := c.cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.cfg, err, c.want)
		}
	}
	if err := (Config{N: 5}).Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// hashDir returns the SHA-256 of every file under dir, by relative path.
func hashDir(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = sha256.Sum256(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	cfg := Config{N: 40, Seed: 9, MaxObjects: 3, Domain: "ab", LabelNoise: 0.2}
	a, b := t.TempDir(), t.TempDir()
	if _, err := Generate(context.Background(), cfg, a, 1, false); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), cfg, b, 3, false); err != nil {
		t.Fatal(err)
	}
	ha, hb := hashDir(t, a), hashDir(t, b)
	if len(ha) != 40+4 {
		t.Fatalf("%d files, want 44", len(ha))
	}
	for name, h := range ha {
		if hb[name] != h {
			t.Errorf("%s differs between 1 and 3 workers", name)
		}
	}
	c := t.TempDir()
	cfg.Split = "val"
	if _, err := Generate(context.Background(), cfg, c, 2, false); err != nil {
		t.Fatal(err)
	}
	if hashDir(t, c)["images/000000.png"] == ha["images/000000.png"] {
		t.Error("split val drew the same first image as split train")
	}
}

func readPairs(t *testing.T, dir string) []Pair {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "pairs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Pair
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p Pair
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("pairs.jsonl line %d: %v", len(out)+1, err)
		}
		out = append(out, p)
	}
	return out
}

func TestGenerateFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := Generate(context.Background(), Config{N: 30, Seed: 2, Size: 48}, dir, 2, false); err != nil {
		t.Fatal(err)
	}
	labels, err := os.ReadFile(filepath.Join(dir, "labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	labelList := strings.Split(strings.TrimSpace(string(labels)), "\n")
	if len(labelList) != 16 || labelList[0] != "red circle" {
		t.Fatalf("labels.txt: %q", labelList)
	}
	pairs := readPairs(t, dir)
	if len(pairs) != 30 {
		t.Fatalf("%d pairs", len(pairs))
	}
	for i, p := range pairs {
		m := p.Metadata
		if p.ImagePath != ImageName(i) || !slices.Contains(p.Captions, p.Caption) || len(p.Captions) < 5 {
			t.Errorf("pair %d: %+v", i, p)
		}
		if m.Source != "synth-shapes" || m.Language != "en" || m.QualityScore < 0.6 || m.QualityScore > 1 ||
			labelList[m.LabelID] != m.Label || m.Label != m.Color+" "+m.Shape || m.Count != 1 || m.Position == "" || m.Split != "train" {
			t.Errorf("pair %d metadata: %+v", i, m)
		}
		if !slices.Contains(shapesA, m.Shape) || !slices.Contains(texturesA, m.Texture) {
			t.Errorf("pair %d: %s/%s is not in domain a", i, m.Shape, m.Texture)
		}
		data, err := os.ReadFile(filepath.Join(dir, p.ImagePath))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil || img.Bounds().Dx() != 48 || img.Bounds().Dy() != 48 {
			t.Fatalf("%s: %v %v", p.ImagePath, err, img.Bounds())
		}
	}
	var convs []Conversation
	data, _ := os.ReadFile(filepath.Join(dir, "conversations.json"))
	if err := json.Unmarshal(data, &convs); err != nil || len(convs) != 30 {
		t.Fatalf("conversations.json: %v (%d entries)", err, len(convs))
	}
	for i, c := range convs {
		if c.Image != ImageName(i) || len(c.Conversations) < 4 || len(c.Conversations)%2 != 0 ||
			!strings.HasPrefix(c.Conversations[0].Value, "<image>\n") {
			t.Errorf("conversation %d: %+v", i, c)
		}
		for k, turn := range c.Conversations {
			if want := []string{"human", "gpt"}[k%2]; turn.From != want {
				t.Errorf("conversation %d turn %d from %q, want %q", i, k, turn.From, want)
			}
		}
	}
	var meta struct {
		Config Config
		Labels []string
	}
	data, _ = os.ReadFile(filepath.Join(dir, "synth.json"))
	if err := json.Unmarshal(data, &meta); err != nil || meta.Config.N != 30 || meta.Config.Seed != 2 || meta.Config.Domain != "a" {
		t.Errorf("synth.json: %v %+v", err, meta)
	}
	// A second run needs --force; it replaces the data set.
	if _, err := Generate(context.Background(), Config{N: 5, Seed: 2}, dir, 1, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("non-empty folder: %v", err)
	}
	if _, err := Generate(context.Background(), Config{N: 5, Seed: 2}, dir, 1, true); err != nil {
		t.Fatal(err)
	}
	if n := len(hashDir(t, dir)); n != 5+4 {
		t.Errorf("after --force: %d files, want 9", n)
	}
}

// TestDomainsAreDisjoint: domain b's shapes, colours, textures and
// backgrounds never occur in domain a.
func TestDomainsAreDisjoint(t *testing.T) {
	seen := map[string]map[string]bool{}
	for _, d := range []string{"a", "b"} {
		g, err := NewGenerator(Config{N: 120, Seed: 4, Domain: d})
		if err != nil {
			t.Fatal(err)
		}
		seen[d] = map[string]bool{}
		for i := range 120 {
			m := g.Example(i).Pair.Metadata
			for _, v := range []string{m.Shape, m.Color, m.Texture, m.Background} {
				seen[d][v] = true
			}
		}
	}
	for v := range seen["b"] {
		if seen["a"][v] {
			t.Errorf("%q occurs in both domains", v)
		}
	}
	if len(seen["a"]) < 10 || len(seen["b"]) < 10 {
		t.Errorf("too little variety: %v", seen)
	}
	if slices.Equal(Labels("a"), Labels("b")) || len(Labels("ab")) != 64 {
		t.Error("labels do not follow the domains")
	}
}

func TestLabelNoiseAndCounts(t *testing.T) {
	g, err := NewGenerator(Config{N: 100, Seed: 5, LabelNoise: 1, MaxObjects: 4})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int]int{}
	for i := range 100 {
		ex := g.Example(i)
		m := ex.Pair.Metadata
		counts[m.Count]++
		if !m.NoisyLabel || m.QualityScore >= 0.45 {
			t.Fatalf("example %d: %+v", i, m)
		}
		// Every caption names the stated colour and shape; one of them
		// differs from what was drawn.
		first := ex.Pair.Captions[0]
		if strings.Contains(first, m.Color) && strings.Contains(first, m.Shape) {
			t.Fatalf("noisy example %d caption %q matches the drawn %s", i, first, m.Label)
		}
	}
	for c := 1; c <= 4; c++ {
		if counts[c] == 0 {
			t.Errorf("no image with %d objects: %v", c, counts)
		}
	}
}

// TestColourIsVisible is a learnability check: the mean colour of the most
// saturated pixels of each image is nearest to the colour the metadata
// names.
func TestColourIsVisible(t *testing.T) {
	g, err := NewGenerator(Config{N: 100, Seed: 6, Domain: "ab"})
	if err != nil {
		t.Fatal(err)
	}
	palette := append(slices.Clone(colorsA), colorsB...)
	right := 0
	for i := range 100 {
		ex := g.Example(i)
		var sum [3]float64
		n := 0
		px := ex.Image.Pix
		for k := 0; k < len(px); k += 4 {
			r, gg, b := float64(px[k]), float64(px[k+1]), float64(px[k+2])
			if max(r, gg, b)-min(r, gg, b) > 90 && max(r, gg, b) > 150 {
				sum[0], sum[1], sum[2] = sum[0]+r, sum[1]+gg, sum[2]+b
				n++
			}
		}
		best, bestD := "", math.Inf(1)
		for _, c := range palette {
			d := 0.0
			for k := range 3 {
				d += math.Pow(sum[k]/float64(max(n, 1))-float64(c.rgb[k]), 2)
			}
			if d < bestD {
				best, bestD = c.name, d
			}
		}
		if best == ex.Pair.Metadata.Color {
			right++
		}
	}
	if right < 90 {
		t.Errorf("nearest palette colour matches the metadata for %d of 100 images, want at least 90", right)
	}
}

// TestPNGWriter checks the fast encoder against image/png's decoder.
func TestPNGWriter(t *testing.T) {
	g, err := NewGenerator(Config{N: 3, Seed: 8, Size: 37})
	if err != nil {
		t.Fatal(err)
	}
	w := newPNGWriter()
	for i := range 3 {
		img := g.Example(i).Image
		data, err := w.encode(img)
		if err != nil {
			t.Fatal(err)
		}
		back, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for y := range 37 {
			for x := range 37 {
				r0, g0, b0, _ := img.At(x, y).RGBA()
				r1, g1, b1, a1 := back.At(x, y).RGBA()
				if r0 != r1 || g0 != g1 || b0 != b1 || a1 != 0xffff {
					t.Fatalf("image %d pixel (%d,%d) differs after a round trip", i, x, y)
				}
			}
		}
	}
}
