package imageproc

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func testImage(w, h int) *RGB {
	return ToRGB(syntheticPhoto(w, h, 11))
}

func TestAugmentValidate(t *testing.T) {
	cases := []struct {
		a    Augment
		want string
	}{
		{Augment{HorizontalFlip: 1.5}, "horizontal_flip"},
		{Augment{RandomResizedCrop: &RandomResizedCrop{Scale: [2]float64{0.5, 0.2}}}, "random_resized_crop.scale"},
		{Augment{RandomResizedCrop: &RandomResizedCrop{Ratio: [2]float64{-1, 2}}}, "random_resized_crop.ratio"},
		{Augment{RandomResizedCrop: &RandomResizedCrop{Height: 10}}, "height and width set together"},
		{Augment{RandomResizedCrop: &RandomResizedCrop{Interpolation: "cubic"}}, "interpolation"},
		{Augment{Affine: &RandomAffine{Degrees: 200}}, "affine.degrees"},
		{Augment{Affine: &RandomAffine{Scale: [2]float64{1.2, 0.8}}}, "affine.scale"},
		{Augment{ColorJitter: &ColorJitter{Hue: 0.7}}, "color_jitter.hue"},
		{Augment{ColorJitter: &ColorJitter{Contrast: -1}}, "color_jitter.contrast"},
		{Augment{GaussianNoise: &GaussianNoise{Std: 2}}, "gaussian_noise.std"},
		{Augment{Cutout: &Cutout{P: 0.5, Scale: [2]float64{0, 0.1}}}, "cutout.scale"},
	}
	for _, c := range cases {
		err := c.a.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want it to mention %q", c.a, err, c.want)
		}
	}
	ok := Augment{RandomResizedCrop: &RandomResizedCrop{Size: 32}, HorizontalFlip: 0.5, Affine: &RandomAffine{Degrees: 15, Scale: [2]float64{0.9, 1.1}},
		ColorJitter: &ColorJitter{0.4, 0.4, 0.4, 0.1}, GaussianNoise: &GaussianNoise{Std: 0.05}, Cutout: &Cutout{P: 0.5}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
	if !ok.Enabled() || (&Augment{}).Enabled() {
		t.Error("Enabled is wrong")
	}
}

func fullAugment() *Augment {
	return &Augment{RandomResizedCrop: &RandomResizedCrop{Size: 40}, HorizontalFlip: 0.5,
		Affine:      &RandomAffine{Degrees: 20, Scale: [2]float64{0.8, 1.2}},
		ColorJitter: &ColorJitter{0.4, 0.4, 0.4, 0.1}, GaussianNoise: &GaussianNoise{Std: 0.05}, Cutout: &Cutout{P: 1}}
}

// TestAugmentDeterministic: the result depends only on (seed, epoch,
// index), whatever else ran before on the same goroutine or others.
func TestAugmentDeterministic(t *testing.T) {
	p, _ := ParseProcessor([]byte(`{"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": 32}, "crop_size": 32}`))
	img := testImage(64, 48)
	a := fullAugment()
	run := func(epoch, index int) []float32 {
		dst := make([]float32, 3*32*32)
		if err := a.ProcessInto(p, dst, img, NewRNG(7, epoch, index)); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	first := run(0, 3)
	done := make(chan []float32)
	for range 4 {
		go func() { done <- run(0, 3) }()
	}
	for range 4 {
		again := <-done
		for i := range first {
			if again[i] != first[i] {
				t.Fatalf("element %d differs between runs", i)
			}
		}
	}
	for _, other := range [][2]int{{0, 4}, {1, 3}} {
		diff := run(other[0], other[1])
		same := true
		for i := range first {
			same = same && diff[i] == first[i]
		}
		if same {
			t.Errorf("epoch/index %v gives the same augmentation as (0, 3)", other)
		}
	}
}

// TestAugmentIndependentStreams: turning cutout on does not change the
// crop, flip, affine and jitter draws.
func TestAugmentIndependentStreams(t *testing.T) {
	img := testImage(50, 40)
	a := fullAugment()
	b := *a
	b.Cutout, b.GaussianNoise = nil, nil
	x := a.Apply(img, NewRNG(1, 2, 3))
	y := b.Apply(img, NewRNG(1, 2, 3))
	if d, err := maxAbsDiff(x, y); err != nil || d != 0 {
		t.Errorf("image-level result changed when pixel-level augmentations were toggled: %d %v", d, err)
	}
}

func TestRandomResizedCropRect(t *testing.T) {
	c := &RandomResizedCrop{Scale: [2]float64{0.25, 0.5}}
	rng := rand.New(rand.NewPCG(1, 2))
	var sum float64
	for range 2000 {
		r := c.Rect(200, 100, rng)
		if r.Min.X < 0 || r.Min.Y < 0 || r.Max.X > 200 || r.Max.Y > 100 || r.Empty() {
			t.Fatalf("crop %v outside 200x100", r)
		}
		frac := float64(r.Dx()*r.Dy()) / 20000
		ratio := float64(r.Dx()) / float64(r.Dy())
		if frac < 0.23 || frac > 0.52 || ratio < 0.70 || ratio > 1.40 {
			t.Fatalf("crop %v: area fraction %.3f, ratio %.3f outside the ranges", r, frac, ratio)
		}
		sum += frac
	}
	if mean := sum / 2000; math.Abs(mean-0.375) > 0.02 {
		t.Errorf("mean area fraction %.3f, want about 0.375", mean)
	}
	// Impossible: a 1:1 crop of at least 90% of a 100×10 image → fallback:
	// the whole height, width round(10·1).
	f := &RandomResizedCrop{Scale: [2]float64{0.9, 1}, Ratio: [2]float64{1, 1}}
	if r := f.Rect(100, 10, rng); r.Dx() != 10 || r.Dy() != 10 || r.Min.X != 45 {
		t.Errorf("fallback crop %v, want 10x10 at x=45", r)
	}
	out := (&RandomResizedCrop{Size: 24}).Apply(testImage(64, 48), rng)
	if out.W != 24 || out.H != 24 {
		t.Errorf("output %dx%d, want 24x24", out.W, out.H)
	}
}

func TestFlipAndAffine(t *testing.T) {
	img := testImage(16, 16)
	flipped := (&Augment{HorizontalFlip: 1}).Apply(img, NewRNG(0, 0, 0))
	if d, _ := maxAbsDiff(flipped, Orient(img, 2)); d != 0 {
		t.Error("horizontal_flip 1 does not mirror")
	}
	if d, _ := maxAbsDiff(affine(img, 0, 1, [3]uint8{}, false), img); d != 0 {
		t.Errorf("identity affine changes pixels by %d", d)
	}
	if d, _ := maxAbsDiff(affine(img, 90, 1, [3]uint8{}, false), Orient(img, 8)); d != 0 {
		t.Errorf("90° affine differs from a counter-clockwise quarter turn by %d", d)
	}
	small := affine(img, 0, 0.5, [3]uint8{1, 2, 3}, true)
	if p := small.Pix[:3]; p[0] != 1 || p[1] != 2 || p[2] != 3 {
		t.Errorf("corner of a half-size image is %v, want the fill", p)
	}
}

func TestColorJitter(t *testing.T) {
	px := []float32{1, 0, 0, 0.5, 0.5, 0.5}
	shiftHue(px, 1.0/3)
	want := []float32{0, 1, 0, 0.5, 0.5, 0.5}
	for i := range px {
		if math.Abs(float64(px[i]-want[i])) > 1e-6 {
			t.Fatalf("hue shift by 1/3: %v, want %v", px, want)
		}
	}
	img := testImage(20, 20)
	same := (&ColorJitter{}).Apply(img, NewRNG(0, 0, 0))
	if d, _ := maxAbsDiff(same, img); d != 0 {
		t.Errorf("zero jitter changes pixels by %d", d)
	}
	dark := 0
	for i := range 20 {
		out := (&ColorJitter{Brightness: 0.5}).Apply(img, NewRNG(0, 0, i))
		var s0, s1 int
		for k := range img.Pix {
			s0 += int(img.Pix[k])
			s1 += int(out.Pix[k])
		}
		if s1 < s0 {
			dark++
		}
	}
	if dark == 0 || dark == 20 {
		t.Errorf("brightness factors in [0.5, 1.5] darkened %d of 20 images", dark)
	}
}

func TestNoiseAndCutout(t *testing.T) {
	p, _ := ParseProcessor([]byte(`{"image_processor_type": "SiglipImageProcessor", "size": {"height": 32, "width": 32}}`))
	img := NewRGB(32, 32)
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	clean, _ := p.Process(img)
	noisy := make([]float32, len(clean))
	a := &Augment{GaussianNoise: &GaussianNoise{Std: 0.1}}
	if err := a.ProcessInto(p, noisy, img, NewRNG(3, 0, 0)); err != nil {
		t.Fatal(err)
	}
	var sum, sq float64
	for i := range clean {
		d := float64(noisy[i] - clean[i])
		sum += d
		sq += d * d
	}
	n := float64(len(clean))
	std := math.Sqrt(sq/n - (sum/n)*(sum/n))
	if math.Abs(sum/n) > 0.01 || math.Abs(std-0.2) > 0.01 { // 0.1 / std 0.5
		t.Errorf("noise mean %.4f std %.4f, want 0 and 0.2 after normalization", sum/n, std)
	}
	cut := make([]float32, len(clean))
	copy(cut, clean)
	(&Cutout{P: 1, Value: 9}).Apply(cut, 32, 32, NewRNG(0, 0, 0))
	erased := 0
	for _, v := range cut {
		if v == 9 {
			erased++
		}
	}
	if frac := float64(erased) / n; frac < 0.015 || frac > 0.34 {
		t.Errorf("cutout erased %.3f of the image, want 0.02..0.33", frac)
	}
	copy(cut, clean)
	(&Cutout{P: 0}).Apply(cut, 32, 32, NewRNG(0, 0, 0))
	for i := range cut {
		if cut[i] != clean[i] {
			t.Fatal("cutout with p=0 changed the image")
		}
	}
}

func TestMixup(t *testing.T) {
	m := &Mixup{Alpha: 0.4}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (&Mixup{}).Validate(); err == nil {
		t.Error("alpha 0 accepted")
	}
	const batch, per = 5, 4
	px := make([]float32, batch*per)
	for i := range px {
		px[i] = float32(i / per)
	}
	orig := append([]float32(nil), px...)
	res, err := m.Apply(px, batch, NewRNG(1, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	if res.Lambda <= 0 || res.Lambda >= 1 {
		t.Errorf("lambda %v", res.Lambda)
	}
	seen := make([]bool, batch)
	for i, j := range res.Perm {
		seen[j] = true
		want := float32(res.Lambda)*orig[i*per] + float32(1-res.Lambda)*orig[j*per]
		if px[i*per] != want {
			t.Errorf("example %d = %v, want %v", i, px[i*per], want)
		}
	}
	for j, s := range seen {
		if !s {
			t.Errorf("perm %v misses %d", res.Perm, j)
		}
	}
	if _, err := m.Apply(px, 3, NewRNG(0, 0, 0)); err == nil {
		t.Error("20 floats split into 3 examples accepted")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, alpha := range []float64{0.2, 1, 3} {
		var s, s2 float64
		const n = 20000
		for range n {
			v := sampleBeta(rng, alpha, alpha)
			s += v
			s2 += v * v
		}
		mean, vr := s/n, s2/n-(s/n)*(s/n)
		wantVar := 1 / (4 * (2*alpha + 1))
		if math.Abs(mean-0.5) > 0.01 || math.Abs(vr-wantVar) > 0.01 {
			t.Errorf("Beta(%v,%v): mean %.4f var %.4f, want 0.5 and %.4f", alpha, alpha, mean, vr, wantVar)
		}
	}
}

// TestAugmentYAML shows the configuration as a run's YAML file writes it.
func TestAugmentYAML(t *testing.T) {
	src := `
random_resized_crop: {size: 64, scale: [0.5, 1.0], ratio: [0.75, 1.333]}
horizontal_flip: 0.5
affine: {degrees: 10, scale: [0.9, 1.1], fill: [255, 255, 255]}
color_jitter: {brightness: 0.3, contrast: 0.3, saturation: 0.2, hue: 0.05}
gaussian_noise: {std: 0.02}
cutout: {p: 0.5}
`
	var a Augment
	if err := yaml.Unmarshal([]byte(src), &a); err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.RandomResizedCrop.Scale != [2]float64{0.5, 1} || a.Affine.Fill != [3]uint8{255, 255, 255} || a.ColorJitter.Hue != 0.05 || a.Cutout.P != 0.5 {
		t.Errorf("decoded %+v", a)
	}
}
