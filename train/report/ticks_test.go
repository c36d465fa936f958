package report

import (
	"math"
	"slices"
	"testing"
)

func TestLinearAxis(t *testing.T) {
	tests := []struct {
		name    string
		lo, hi  float64
		n       int
		integer bool
		wantLo  float64
		wantHi  float64
		labels  []string
	}{
		{"unit", 0, 1, 6, false, 0, 1, []string{"0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{"widened to ticks", 0.37, 2.91, 6, false, 0, 3, []string{"0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"}},
		// 5±10% = [4.5, 5.5]; 0.5/5 rounds to a 0.2 step, widened to [4.4, 5.6].
		{"single value", 5, 5, 6, false, 4.4, 5.6, []string{"4.4", "4.6", "4.8", "5.0", "5.2", "5.4", "5.6"}},
		{"single zero", 0, 0, 6, false, -1, 1, []string{"-1.0", "-0.5", "0", "0.5", "1.0"}},
		{"single step", 7, 7, 7, true, 6, 8, []string{"6", "7", "8"}},
		{"steps", 1, 3, 7, true, 1, 3, []string{"1", "2", "3"}},
		{"many steps", 0, 100000, 7, true, 0, 100000, []string{"0", "20000", "40000", "60000", "80000", "100000"}},
		{"large", 0, 4.2e7, 6, false, 0, 5e7, []string{"0", "1e7", "2e7", "3e7", "4e7", "5e7"}},
		{"tiny", 1e-9, 3e-9, 6, false, 1e-9, 3e-9, []string{"1e-9", "1.5e-9", "2e-9", "2.5e-9", "3e-9"}},
		{"learning rate", 0, 1e-4, 6, false, 0, 1e-4, []string{"0", "2e-5", "4e-5", "6e-5", "8e-5", "1e-4"}},
		{"small", 0.0012, 0.0093, 6, false, 0, 0.01, []string{"0", "0.002", "0.004", "0.006", "0.008", "0.010"}},
		{"negative", -3, -1, 6, false, -3, -1, []string{"-3.0", "-2.5", "-2.0", "-1.5", "-1.0"}},
	}
	for _, tt := range tests {
		a := linearAxis(tt.lo, tt.hi, tt.n, tt.integer)
		if math.Abs(a.lo-tt.wantLo) > 1e-12*math.Abs(tt.wantLo) || math.Abs(a.hi-tt.wantHi) > 1e-12*math.Abs(tt.wantHi) {
			t.Errorf("%s: range [%g, %g], want [%g, %g]", tt.name, a.lo, a.hi, tt.wantLo, tt.wantHi)
		}
		if !slices.Equal(a.labels, tt.labels) {
			t.Errorf("%s: labels %q, want %q", tt.name, a.labels, tt.labels)
		}
	}
}

func TestLinearAxisExtremes(t *testing.T) {
	for _, r := range [][2]float64{
		{-math.MaxFloat64, math.MaxFloat64},
		{0, math.MaxFloat64},
		{1e16, 1e16 + 4}, // beyond float64's integer resolution for small steps
		{-1e-300, 1e-300},
	} {
		a := linearAxis(r[0], r[1], 6, false)
		if len(a.ticks) == 0 || len(a.ticks) > 51 {
			t.Errorf("[%g, %g]: %d ticks", r[0], r[1], len(a.ticks))
		}
		for _, v := range []float64{r[0], r[1], a.lo, a.hi} {
			if f := a.frac(v); math.IsNaN(f) || math.IsInf(f, 0) || f < -1e-9 || f > 1+1e-9 {
				t.Errorf("[%g, %g]: frac(%g) = %g", r[0], r[1], v, f)
			}
		}
		for _, tk := range a.ticks {
			if math.IsInf(tk, 0) || math.IsNaN(tk) {
				t.Errorf("[%g, %g]: tick %g", r[0], r[1], tk)
			}
		}
	}
}

func TestLogAxis(t *testing.T) {
	tests := []struct {
		lo, hi float64
		labels []string
	}{
		{0.001, 50, []string{"0.001", "0.01", "0.1", "1", "10", "100"}},
		{2, 3, []string{"1", "10"}},
		{1e-30, 1e30, []string{"1e-30", "1e-22", "1e-14", "1e-6", "100", "1e10", "1e18", "1e26"}},
		{0.002, 3e9, []string{"0.001", "0.1", "10", "1000", "1e5", "1e7", "1e9"}},
		{1e6, 1e7, []string{"1e6", "1e7"}},
	}
	for _, tt := range tests {
		a := logAxis(tt.lo, tt.hi)
		if !slices.Equal(a.labels, tt.labels) {
			t.Errorf("logAxis(%g, %g) labels %q, want %q", tt.lo, tt.hi, a.labels, tt.labels)
		}
		if !a.log || a.lo > math.Log10(tt.lo) || a.hi < math.Log10(tt.hi) {
			t.Errorf("logAxis(%g, %g) = [%g, %g] does not cover the data", tt.lo, tt.hi, a.lo, a.hi)
		}
	}
}

func TestTrimExp(t *testing.T) {
	for in, want := range map[string]string{
		"2.50e+07":  "2.5e7",
		"1e-05":     "1e-5",
		"1.000e+00": "1e0",
		"-3.20e-10": "-3.2e-10",
		"12.5":      "12.5",
	} {
		if got := trimExp(in); got != want {
			t.Errorf("trimExp(%q) = %q, want %q", in, got, want)
		}
	}
}
