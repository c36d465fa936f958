package hf

import (
	"errors"
	"slices"
	"testing"
)

func TestCheckKeys(t *testing.T) {
	expected := map[string][]int{
		"embed.weight": {10, 4},
		"fc.weight":    {4, 4},
		"fc.bias":      {4},
		"norm.weight":  {4},
		"head.weight":  {3, 4},
	}
	if err := CheckKeys(expected, expected); err != nil {
		t.Errorf("identical maps: %v", err)
	}
	got := map[string][]int{
		"embed.weight":  {10, 4},
		"fc.weight":     {4, 5},
		"fc.bias":       {},
		"extra.weight":  {1},
		"another.extra": {2},
	}
	err := CheckKeys(expected, got)
	var ke *KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("error %v, want *KeyError", err)
	}
	if !slices.Equal(ke.Missing, []string{"head.weight", "norm.weight"}) ||
		!slices.Equal(ke.Unexpected, []string{"another.extra", "extra.weight"}) ||
		len(ke.Mismatched) != 2 || ke.Mismatched[0].Name != "fc.bias" || ke.Mismatched[1].Name != "fc.weight" ||
		!slices.Equal(ke.Mismatched[1].Want, []int{4, 4}) || !slices.Equal(ke.Mismatched[1].Got, []int{4, 5}) {
		t.Errorf("KeyError %+v", ke)
	}
	want := `checkpoint tensors do not match the model: 2 missing, 2 unexpected, 2 with the wrong shape
  missing:     head.weight
  missing:     norm.weight
  unexpected:  another.extra
  unexpected:  extra.weight
  wrong shape: fc.bias: model wants [4], checkpoint has []
  wrong shape: fc.weight: model wants [4 4], checkpoint has [4 5]`
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
	if err := CheckKeys(map[string][]int{"a": {1}}, nil); err == nil || err.Error() != "checkpoint tensors do not match the model: 1 missing\n  missing:     a" {
		t.Errorf("only missing: %v", err)
	}
}
