package zeroshot

import (
	"math"
	"reflect"
	"testing"
)

func TestAccuracy(t *testing.T) {
	logits := [][]float32{
		{0.1, 0.9, 0.0, 0.2, 0.3, 0.4}, // label 1: rank 1
		{0.5, 0.4, 0.3, 0.2, 0.1, 0.0}, // label 5: rank 6
		{0.2, 0.2, 0.9, 0.1, 0.0, 0.1}, // label 1 ties label 0 (lower index first) -> rank 3
		{1, 2, 3, 4, 5, 6},             // label 1: rank 5
	}
	acc, err := Accuracy(logits, []int{1, 5, 1, 1}, 1, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]float64{1: 0.25, 3: 0.5, 5: 0.75}
	if !reflect.DeepEqual(acc, want) {
		t.Errorf("got %v want %v", acc, want)
	}
	def, _ := Accuracy(logits, []int{1, 5, 1, 1})
	if def[1] != 0.25 || def[5] != 0.75 {
		t.Errorf("default ks %v", def)
	}
	for _, bad := range []struct {
		l [][]float32
		y []int
		k []int
	}{
		{logits, []int{1}, nil},
		{logits, []int{1, 6, 1, 1}, nil},
		{logits, []int{1, 5, 1, 1}, []int{0}},
		{[][]float32{{float32(math.NaN()), 1}}, []int{0}, nil},
	} {
		if _, err := Accuracy(bad.l, bad.y, bad.k...); err == nil {
			t.Errorf("accepted %v %v %v", bad.l, bad.y, bad.k)
		}
	}
}

func TestEnsemble(t *testing.T) {
	// Class 0: templates (3,4) and (0,2): normalized (0.6,0.8) and (0,1),
	// mean (0.3,0.9), normalized (0.3,0.9)/sqrt(0.9).
	got, err := EnsembleClassEmbeddings([][][]float32{{{3, 4}, {0, 2}}, {{-5, 0}}})
	if err != nil {
		t.Fatal(err)
	}
	n := math.Sqrt(0.9)
	want := [][]float64{{0.3 / n, 0.9 / n}, {-1, 0}}
	for c := range want {
		for i := range want[c] {
			if math.Abs(float64(got[c][i])-want[c][i]) > 1e-6 {
				t.Errorf("class %d: %v want %v", c, got[c], want[c])
			}
		}
	}
	if _, err := EnsembleClassEmbeddings([][][]float32{{{0, 0}}}); err == nil {
		t.Error("zero embedding accepted")
	}
	if _, err := EnsembleClassEmbeddings([][][]float32{{{1, 0}, {1}}}); err == nil {
		t.Error("ragged embeddings accepted")
	}
	if _, err := EnsembleClassEmbeddings([][][]float32{{}}); err == nil {
		t.Error("class without templates accepted")
	}
	lg, err := Logits([][]float32{{1, 0}}, got, 100)
	if err != nil || math.Abs(float64(lg[0][0])-100*0.3/n) > 1e-4 || math.Abs(float64(lg[0][1])+100) > 1e-4 {
		t.Errorf("logits %v %v", lg, err)
	}
	if _, err := Logits([][]float32{{1}}, got, 1); err == nil {
		t.Error("dimension mismatch accepted")
	}
}

func TestPrompts(t *testing.T) {
	p, err := Prompts([]string{"cat", "dog"}, []string{"a photo of a {}.", "a {} in the {} wild"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a photo of a cat.", "a cat in the cat wild"}, {"a photo of a dog.", "a dog in the dog wild"}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("%q", p)
	}
	if _, err := Prompts([]string{"cat"}, []string{"no placeholder"}); err == nil {
		t.Error("template without {} accepted")
	}
}
