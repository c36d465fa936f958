package synth

import (
	"math"
	"math/rand/v2"
	"slices"
)

var sizeClasses = []struct {
	name     string
	min, max float64 // radius as a fraction of the image side
}{{"small", 0.10, 0.14}, {"medium", 0.15, 0.20}, {"large", 0.21, 0.27}}

// example is one drawn example before it is written.
type example struct {
	scene    scene
	stated   scene // what the captions say (differs under label noise)
	noisy    bool
	quality  float64
	position string // 3×3 grid cell of a single object, "" for several
}

// drawExample samples example i of a data set from its own random stream.
func drawExample(cfg Config, v vocabulary, rng *rand.Rand) example {
	size := float64(cfg.Size)
	s := scene{
		shape:   v.shapes[rng.IntN(len(v.shapes))],
		color:   v.colors[rng.IntN(len(v.colors))],
		texture: v.textures[rng.IntN(len(v.textures))],
	}
	for c := range 3 {
		s.rgb[c] = min(255, max(0, float64(s.color.rgb[c])+float64(rng.IntN(31)-15)))
	}
	dark := v.darkBackground[rng.IntN(len(v.darkBackground))]
	if dark {
		level := 25 + rng.Float64()*45
		for c := range 3 {
			s.bgTop[c] = level + rng.Float64()*8 - 4
			s.bgBottom[c] = s.bgTop[c] + 20 + rng.Float64()*20
		}
		s.bgName = "dark gray"
		if level < 40 {
			s.bgName = "black"
		}
	} else {
		level := 205 + rng.Float64()*40
		for c := range 3 {
			s.bgTop[c] = level + rng.Float64()*12 - 6
			s.bgBottom[c] = s.bgTop[c] + rng.Float64()*20 - 10
		}
		s.bgName = "light gray"
		if level >= 235 {
			s.bgName = "white"
		}
	}
	s.noise = rng.Float64() * 3
	sc := sizeClasses[rng.IntN(len(sizeClasses))]
	s.size = sc.name
	count := 1 + rng.IntN(cfg.MaxObjects)
	r := size * (sc.min + rng.Float64()*(sc.max-sc.min))
	if count > 1 {
		r *= 0.85 / math.Sqrt(float64(count))
	}
	r = max(r, 3)
	s.objects = place(count, r, size, rng)
	for i := range s.objects {
		if s.shape != "circle" {
			s.objects[i].rot = (rng.Float64()*2 - 1) * 0.25
		}
	}
	s.period = max(3, s.objects[0].r*0.55)
	s.angle = rng.Float64() * math.Pi
	if s.texture != "striped" {
		s.angle = (rng.Float64()*2 - 1) * 0.3
	}

	ex := example{scene: s, stated: s}
	if count == 1 {
		ex.position = gridCell(s.objects[0].cx, s.objects[0].cy, size)
	}
	if rng.Float64() < cfg.LabelNoise {
		ex.noisy = true
		if rng.IntN(2) == 0 {
			ex.stated.shape = other(v.shapes, s.shape, rng)
		} else {
			names := make([]string, len(v.colors))
			for i, c := range v.colors {
				names[i] = c.name
			}
			ex.stated.color.name = other(names, s.color.name, rng)
		}
		ex.quality = 0.05 + 0.4*rng.Float64()
	} else {
		ex.quality = 0.6 + 0.4*rng.Float64()
	}
	ex.quality = math.Round(ex.quality*1000) / 1000
	return ex
}

// other returns a random element of xs different from not.
func other(xs []string, not string, rng *rand.Rand) string {
	rest := slices.DeleteFunc(slices.Clone(xs), func(s string) bool { return s == not })
	return rest[rng.IntN(len(rest))]
}

// place puts count objects of radius r inside the image without overlap,
// shrinking them when they do not fit.
func place(count int, r, size float64, rng *rand.Rand) []object {
	for {
		var objs []object
		margin := r * 1.15
		for attempt := 0; len(objs) < count && attempt < 200*count; attempt++ {
			o := object{cx: margin + rng.Float64()*(size-2*margin), cy: margin + rng.Float64()*(size-2*margin), r: r}
			ok := true
			for _, p := range objs {
				if math.Hypot(o.cx-p.cx, o.cy-p.cy) < 2.3*r {
					ok = false
					break
				}
			}
			if ok {
				objs = append(objs, o)
			}
		}
		if len(objs) == count {
			return objs
		}
		r *= 0.9
	}
}

var gridRows, gridCols = []string{"top", "", "bottom"}, []string{"left", "", "right"}

// gridCell names the 3×3 cell of a point: "top left", "top", ..., "center".
func gridCell(x, y, size float64) string {
	row := gridRows[min(2, int(3*y/size))]
	col := gridCols[min(2, int(3*x/size))]
	switch {
	case row == "" && col == "":
		return "center"
	case row == "":
		return col
	case col == "":
		return row
	}
	return row + " " + col
}
