package synth

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/vlmtune/vlmtune/internal/streamrng"
)

// object is one shape instance: centre and radius in pixels, rotation in
// radians.
type object struct {
	cx, cy, r, rot float64
}

// scene is everything drawn in one image.
type scene struct {
	shape, texture, size string
	color                namedColor
	rgb                  [3]float64 // jittered colour
	objects              []object
	bgTop, bgBottom      [3]float64
	bgName               string
	noise                float64 // amplitude of uniform pixel noise
	period, angle        float64 // texture period (pixels) and direction
	cosA, sinA           float64 // of angle
}

// unitShapes are polygons around the origin with a radius of about 1 (y
// points down); "circle" is drawn exactly.
var unitShapes = map[string][][2]float64{
	"square":   {{-0.85, -0.85}, {0.85, -0.85}, {0.85, 0.85}, {-0.85, 0.85}},
	"triangle": {{0, -1.1}, {0.95, 0.55}, {-0.95, 0.55}},
	"cross": {{-0.3, -1}, {0.3, -1}, {0.3, -0.3}, {1, -0.3}, {1, 0.3}, {0.3, 0.3},
		{0.3, 1}, {-0.3, 1}, {-0.3, 0.3}, {-1, 0.3}, {-1, -0.3}, {-0.3, -0.3}},
	"star":    starPolygon(5, 1.1, 0.45),
	"hexagon": regularPolygon(6, 1),
	"diamond": {{0, -1.1}, {0.65, 0}, {0, 1.1}, {-0.65, 0}},
	"heart":   heartPolygon(40),
}

func regularPolygon(n int, r float64) [][2]float64 {
	out := make([][2]float64, n)
	for i := range out {
		a := 2 * math.Pi * float64(i) / float64(n)
		out[i] = [2]float64{r * math.Cos(a), r * math.Sin(a)}
	}
	return out
}

func starPolygon(points int, outer, inner float64) [][2]float64 {
	out := make([][2]float64, 2*points)
	for i := range out {
		a := -math.Pi/2 + math.Pi*float64(i)/float64(points)
		r := outer
		if i%2 == 1 {
			r = inner
		}
		out[i] = [2]float64{r * math.Cos(a), r * math.Sin(a)}
	}
	return out
}

func heartPolygon(n int) [][2]float64 {
	out := make([][2]float64, n)
	for i := range out {
		t := 2 * math.Pi * float64(i) / float64(n)
		s := math.Sin(t)
		x := 16 * s * s * s
		y := -(13*math.Cos(t) - 5*math.Cos(2*t) - 2*math.Cos(3*t) - math.Cos(4*t))
		out[i] = [2]float64{x / 16, (y + 2) / 16}
	}
	return out
}

// signedDistance is the distance from q to the unit shape's outline,
// negative inside.
// poly is the shape's polygon, nil for the circle.
func signedDistance(poly [][2]float64, q [2]float64) float64 {
	if poly == nil {
		return math.Sqrt(q[0]*q[0]+q[1]*q[1]) - 1
	}
	d2 := math.Inf(1)
	inside := false
	a := poly[len(poly)-1]
	for _, b := range poly {
		ex, ey := b[0]-a[0], b[1]-a[1]
		wx, wy := q[0]-a[0], q[1]-a[1]
		t := min(1, max(0, (wx*ex+wy*ey)/(ex*ex+ey*ey)))
		dx, dy := wx-t*ex, wy-t*ey
		d2 = min(d2, dx*dx+dy*dy)
		if (a[1] > q[1]) != (b[1] > q[1]) && q[0] < a[0]+(q[1]-a[1])*ex/ey {
			inside = !inside
		}
		a = b
	}
	if inside {
		return -math.Sqrt(d2)
	}
	return math.Sqrt(d2)
}

// texel returns the fill colour at pixel centre (px, py) of object o.
func (s *scene) texel(o object, px, py float64) [3]float64 {
	c := s.rgb
	if s.texture == "solid" {
		return c
	}
	dx, dy := px-o.cx, py-o.cy
	u := (dx*s.cosA + dy*s.sinA) / s.period
	v := (-dx*s.sinA + dy*s.cosA) / s.period
	shade := func(f float64) [3]float64 { return [3]float64{c[0] * f, c[1] * f, c[2] * f} }
	switch s.texture {
	case "striped":
		if u-math.Floor(u) >= 0.5 {
			return shade(0.45)
		}
	case "checkered":
		if (int(math.Floor(u))+int(math.Floor(v)))%2 != 0 {
			return shade(0.5)
		}
	case "dotted":
		fu, fv := u-math.Floor(u)-0.5, v-math.Floor(v)-0.5
		if fu*fu+fv*fv < 0.09 {
			return [3]float64{c[0] + (255-c[0])*0.65, c[1] + (255-c[1])*0.65, c[2] + (255-c[2])*0.65}
		}
	}
	return c
}

// render draws the scene into a size×size opaque RGBA image. Edges are
// anti-aliased from the signed distance (coverage = ½ − distance, clamped).
func (s *scene) render(size int, rng *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	buf := make([]float64, 3*size*size)
	s.cosA, s.sinA = math.Cos(s.angle), math.Sin(s.angle)
	poly := unitShapes[s.shape]
	for y := range size {
		t := (float64(y) + 0.5) / float64(size)
		for x := range size {
			for c := range 3 {
				buf[3*(y*size+x)+c] = s.bgTop[c] + t*(s.bgBottom[c]-s.bgTop[c])
			}
		}
	}
	for _, o := range s.objects {
		ext := o.r * 1.25
		x0, x1 := max(0, int(o.cx-ext)), min(size, int(o.cx+ext)+2)
		y0, y1 := max(0, int(o.cy-ext)), min(size, int(o.cy+ext)+2)
		cos, sin := math.Cos(-o.rot), math.Sin(-o.rot)
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				px, py := float64(x)+0.5, float64(y)+0.5
				dx, dy := (px-o.cx)/o.r, (py-o.cy)/o.r
				q := [2]float64{cos*dx - sin*dy, sin*dx + cos*dy}
				cov := min(1, max(0, 0.5-signedDistance(poly, q)*o.r))
				if cov == 0 {
					continue
				}
				fill := s.texel(o, px, py)
				p := buf[3*(y*size+x):]
				for c := range 3 {
					p[c] += cov * (fill[c] - p[c])
				}
			}
		}
	}
	// Pixel noise from a cheap hash of the position, keyed by the scene's
	// stream: deterministic, and much faster than a draw per sample.
	key := rng.Uint64()
	for i, v := range buf {
		if s.noise > 0 {
			h := streamrng.Mix(key ^ uint64(i))
			v += (float64(h>>11)/(1<<53)*2 - 1) * s.noise
		}
		img.Pix[i/3*4+i%3] = uint8(min(255, max(0, v+0.5)))
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	return img
}
