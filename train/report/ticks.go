package report

import (
	"math"
	"strconv"
	"strings"
)

// axis is a mapped numeric range with its tick positions and labels.
type axis struct {
	lo, hi float64 // data range after padding to ticks; lo < hi
	log    bool    // lo, hi and ticks are log10 of the data
	ticks  []float64
	labels []string
}

// frac maps v (in axis units: log10 already applied for log axes) to [0, 1].
// Halving both terms keeps the arithmetic finite for ranges near ±MaxFloat64.
func (a *axis) frac(v float64) float64 {
	return (v/2 - a.lo/2) / (a.hi/2 - a.lo/2)
}

// niceNum rounds x > 0 to 1, 2, 5 or 10 times a power of ten: up when
// round is false (a range), to the nearest when true (a tick step).
func niceNum(x float64, round bool) float64 {
	exp := math.Floor(math.Log10(x))
	f := x / math.Pow(10, exp)
	var nf float64
	switch {
	case round && f < 1.5, !round && f <= 1:
		nf = 1
	case round && f < 3, !round && f <= 2:
		nf = 2
	case round && f < 7, !round && f <= 5:
		nf = 5
	default:
		nf = 10
	}
	return nf * math.Pow(10, exp)
}

// linearAxis builds an axis over the finite range [lo, hi] with about n
// ticks at 1-2-5 steps (Heckbert's "nice numbers"), widened to whole
// ticks. A single value gets a range around it. integer limits steps to
// whole numbers (for training steps).
func linearAxis(lo, hi float64, n int, integer bool) axis {
	if lo == hi {
		pad := math.Abs(lo) * 0.1
		if pad == 0 || integer {
			pad = 1
		}
		lo, hi = lo-pad, hi+pad
	}
	span := hi/2 - lo/2 // half the range; cannot overflow
	step := niceNum(span/float64(n-1)*2, true)
	if integer && step < 1 {
		step = 1
	}
	// Widen to whole steps unless that would overflow.
	if l := math.Floor(lo/step) * step; !math.IsInf(l, 0) {
		lo = l
	}
	if h := math.Ceil(hi/step) * step; !math.IsInf(h, 0) {
		hi = h
	}
	a := axis{lo: lo, hi: hi}
	first := math.Ceil(lo / step)
	for k := 0; k <= 50; k++ {
		t := (first + float64(k)) * step
		if t > hi || math.IsInf(t, 0) {
			break
		}
		if t == 0 {
			t = 0 // no "-0"
		}
		a.ticks = append(a.ticks, t)
	}
	exp := int(math.Floor(math.Log10(step)))
	for _, t := range a.ticks {
		a.labels = append(a.labels, formatTick(t, exp, a.ticks))
	}
	return a
}

// logAxis builds a log10 axis over the positive range [lo, hi] with ticks
// at whole decades, widened to whole decades.
func logAxis(lo, hi float64) axis {
	l, h := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if l == h {
		h++
	}
	step := math.Max(1, math.Ceil((h-l)/8)) // at most about 8 decade ticks
	a := axis{lo: l, hi: h, log: true}
	for e := l; e <= h; e += step {
		a.ticks = append(a.ticks, e)
		a.labels = append(a.labels, formatDecade(int(e)))
	}
	return a
}

// formatTick labels a tick t on an axis whose step is 10^exp (times 1, 2
// or 5): fixed notation with just enough decimals for moderate magnitudes,
// exponent notation for very large or very small ones.
func formatTick(t float64, exp int, ticks []float64) string {
	if t == 0 {
		return "0"
	}
	maxAbs := 0.0
	for _, v := range ticks {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	if maxAbs >= 1e6 || maxAbs < 1e-2 || exp < -6 {
		digits := int(math.Floor(math.Log10(maxAbs))) - exp
		digits = min(max(digits, 0), 8)
		return trimExp(strconv.FormatFloat(t, 'e', digits, 64))
	}
	return strconv.FormatFloat(t, 'f', max(0, -exp), 64)
}

// formatDecade labels 10^e.
func formatDecade(e int) string {
	if e >= -3 && e <= 4 {
		return strconv.FormatFloat(math.Pow(10, float64(e)), 'f', max(0, -e), 64)
	}
	return "1e" + strconv.Itoa(e)
}

// trimExp shortens Go's exponent notation: 2.50e+07 -> 2.5e7, 1e-05 -> 1e-5.
func trimExp(s string) string {
	mant, exp, ok := strings.Cut(s, "e")
	if !ok {
		return s
	}
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	sign := ""
	if exp[0] == '-' {
		sign = "-"
	}
	exp = strings.TrimLeft(exp[1:], "0")
	if exp == "" {
		exp = "0"
	}
	return mant + "e" + sign + exp
}
