package group

import (
	"math"
	"testing"
)

func TestByField(t *testing.T) {
	vals := []float64{1, 0, 1, 1, 0, 0.5}
	meta := []map[string]string{{"sex": "F"}, {"sex": "F"}, {"sex": "M"}, {"sex": "M"}, {"sex": "M"}, {}}
	rep, err := ByField(vals, meta, "sex", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 3 || rep.Groups[0].Value != Missing || rep.Groups[1] != (Group{"F", 0.5, 2}) {
		t.Errorf("groups %+v", rep.Groups)
	}
	// M has mean 2/3; F and the missing group tie at 0.5 and the first in
	// sorted order ("(missing)") is reported as worst.
	if rep.Best != "M" || rep.Worst != Missing {
		t.Errorf("best %s worst %s", rep.Best, rep.Worst)
	}
	if math.Abs(rep.Gap-(2.0/3-0.5)) > 1e-12 || math.Abs(*rep.DisparateImpact-0.75) > 1e-12 {
		t.Errorf("gap %v ratio %v", rep.Gap, *rep.DisparateImpact)
	}
	// MinCount 2 excludes the single missing example.
	rep, _ = ByField(vals, meta, "sex", Options{MinCount: 2})
	if rep.Worst != "F" || rep.Best != "M" {
		t.Errorf("min count: %+v", rep)
	}
	// Lower is better: best is the lowest mean.
	rep, _ = ByGroup([]float64{0.1, 0.3}, []string{"a", "b"}, Options{LowerIsBetter: true})
	if rep.Best != "a" || rep.Worst != "b" || math.Abs(*rep.DisparateImpact-3) > 1e-12 {
		t.Errorf("lower is better: %+v", rep)
	}
	// Undefined ratio when the best mean is 0.
	rep, _ = ByGroup([]float64{0, 0}, []string{"a", "b"}, Options{})
	if rep.DisparateImpact != nil || rep.Gap != 0 {
		t.Errorf("zero: %+v", rep)
	}
	if _, err := ByGroup([]float64{1}, nil, Options{}); err == nil {
		t.Error("ragged accepted")
	}
	if _, err := ByGroup([]float64{math.NaN()}, []string{"a"}, Options{}); err == nil {
		t.Error("NaN accepted")
	}
	empty, err := ByGroup(nil, nil, Options{})
	if err != nil || empty.Best != "" {
		t.Errorf("empty %+v %v", empty, err)
	}
}
