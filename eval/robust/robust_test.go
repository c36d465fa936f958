package robust

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"testing"
)

// testImage is a deterministic 48x32 gradient with a bright square.
func testImage() *image.NRGBA {
	im := image.NewNRGBA(image.Rect(10, 20, 58, 52)) // non-zero origin on purpose
	for y := 20; y < 52; y++ {
		for x := 10; x < 58; x++ {
			c := color.NRGBA{uint8(x * 4), uint8(y * 3), uint8((x + y) * 2), 255}
			if x > 30 && x < 40 && y > 30 && y < 40 {
				c = color.NRGBA{250, 250, 250, 255}
			}
			im.SetNRGBA(x, y, c)
		}
	}
	return im
}

func meanAbsDiff(a, b image.Image) float64 {
	ab, bb := a.Bounds(), b.Bounds()
	s, n := 0.0, 0
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			ca := color.NRGBAModel.Convert(a.At(ab.Min.X+x, ab.Min.Y+y)).(color.NRGBA)
			cb := color.NRGBAModel.Convert(b.At(bb.Min.X+x, bb.Min.Y+y)).(color.NRGBA)
			s += math.Abs(float64(ca.R)-float64(cb.R)) + math.Abs(float64(ca.G)-float64(cb.G)) + math.Abs(float64(ca.B)-float64(cb.B))
			n += 3
		}
	}
	return s / float64(n)
}

func TestPerturbationsDeterministicAndMonotone(t *testing.T) {
	src := testImage()
	orig := append([]byte(nil), src.Pix...)
	for _, p := range All() {
		prev := -1.0
		for s := 1; s <= 5; s++ {
			a, err := p.Apply(src, s, 7)
			if err != nil {
				t.Fatalf("%s %d: %v", p.Name, s, err)
			}
			b, _ := p.Apply(src, s, 7)
			if a.Bounds().Dx() != 48 || a.Bounds().Dy() != 32 {
				t.Errorf("%s: size %v", p.Name, a.Bounds())
			}
			if !bytes.Equal(a.(*image.NRGBA).Pix, b.(*image.NRGBA).Pix) {
				t.Errorf("%s %d: not deterministic", p.Name, s)
			}
			d := meanAbsDiff(src, a)
			if d == 0 {
				t.Errorf("%s %d: image unchanged", p.Name, s)
			}
			// Stronger severities change the image more (JPEG at these
			// qualities and rotation are close; allow small slack).
			if d < prev*0.9 {
				t.Errorf("%s: severity %d diff %.2f below severity %d diff %.2f", p.Name, s, d, s-1, prev)
			}
			prev = d
		}
		if _, err := p.Apply(src, 0, 1); err == nil {
			t.Errorf("%s: severity 0 accepted", p.Name)
		}
		if _, err := p.Apply(src, 6, 1); err == nil {
			t.Errorf("%s: severity 6 accepted", p.Name)
		}
	}
	if !bytes.Equal(orig, src.Pix) {
		t.Error("a perturbation modified its input")
	}
	// A different seed changes the random perturbations.
	a, _ := GaussianNoise(src, 3, 1)
	b, _ := GaussianNoise(src, 3, 2)
	if bytes.Equal(a.(*image.NRGBA).Pix, b.(*image.NRGBA).Pix) {
		t.Error("noise ignores the seed")
	}
}

func TestBrightnessAndRotation(t *testing.T) {
	im := image.NewNRGBA(image.Rect(0, 0, 3, 3))
	im.SetNRGBA(0, 0, color.NRGBA{100, 50, 0, 255})
	out, _ := Brightness(im, 2) // V 100/255 + 0.2
	c := out.(*image.NRGBA).NRGBAAt(0, 0)
	v := 100.0/255 + 0.2
	if c.R != uint8(math.Round(v*255)) || c.G != uint8(math.Round(v*255/2)) || c.B != 0 {
		t.Errorf("brightness %v", c)
	}
	if g := out.(*image.NRGBA).NRGBAAt(1, 1); g.R != 51 || g.G != 51 {
		t.Errorf("black pixel %v", g)
	}
	// 90 degrees counter-clockwise (as displayed): the pixel below the
	// centre moves to the right of it.
	im = image.NewNRGBA(image.Rect(0, 0, 3, 3))
	im.SetNRGBA(1, 2, color.NRGBA{255, 0, 0, 255})
	r := RotateDegrees(im, 90)
	if got := r.NRGBAAt(2, 1); got.R != 255 {
		t.Errorf("rotated pixel %v, image %v", got, r.Pix)
	}
}

func TestRun(t *testing.T) {
	imgs := []image.Image{testImage()}
	// Metric: 100 minus the mean absolute pixel change.
	metric := func(perturb func(image.Image) image.Image) (float64, error) {
		return 100 - meanAbsDiff(imgs[0], perturb(imgs[0])), nil
	}
	rep, err := Run(context.Background(), metric, RunOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Clean != 100 || len(rep.Results) != 30 || len(rep.Mean) != 6 {
		t.Fatalf("report %+v", rep)
	}
	for _, r := range rep.Results {
		if r.Drop <= 0 || math.Abs(rep.Clean-r.Value-r.Drop) > 1e-12 {
			t.Errorf("%+v", r)
		}
	}
	again, _ := Run(context.Background(), metric, RunOptions{Seed: 3})
	for i := range rep.Results {
		if rep.Results[i] != again.Results[i] {
			t.Errorf("run not deterministic: %+v vs %+v", rep.Results[i], again.Results[i])
		}
	}
	boom := errors.New("boom")
	if _, err := Run(context.Background(), func(func(image.Image) image.Image) (float64, error) { return 0, boom }, RunOptions{}); !errors.Is(err, boom) {
		t.Errorf("metric error lost: %v", err)
	}
	if _, err := Run(context.Background(), metric, RunOptions{Severities: []int{9}}); err == nil {
		t.Error("bad severity accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, metric, RunOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
}
