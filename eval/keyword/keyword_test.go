package keyword

import (
	"math"
	"testing"
)

func TestMentions(t *testing.T) {
	cases := []struct {
		text, kw string
		want     bool
	}{
		{"Small left pleural effusion.", "pleural effusion", true},
		{"PLEURAL   EFFUSION", "pleural effusion", true},
		{"pleural effusions", "pleural effusion", false},
		{"no effusion", "effusion", true},
		{"chest x-ray normal", "x ray", true},
		{"cardiomegaly", "megaly", false},
		{"Œdème pulmonaire", "œdème", true},
		{"", "effusion", false},
	}
	for _, c := range cases {
		if got := Mentions(c.text, c.kw); got != c.want {
			t.Errorf("Mentions(%q, %q) = %v", c.text, c.kw, got)
		}
	}
}

func TestEvaluate(t *testing.T) {
	preds := []string{"effusion and edema", "edema", "normal", "effusion"}
	refs := []string{"effusion", "edema and effusion", "normal study", "no finding"}
	res, err := Evaluate(preds, refs, []string{"effusion", "edema", "pneumothorax"})
	if err != nil {
		t.Fatal(err)
	}
	// effusion: TP 1 (ex0), FP 1 (ex3), FN 1 (ex1) -> P 0.5 R 0.5 F 0.5
	// edema: TP 1 (ex1), FP 1 (ex0) -> P 0.5 R 1 F 2/3
	// pneumothorax: nothing -> 0, 0, 0
	e := res.PerKeyword
	if e[0].Counts != (Counts{TP: 1, FP: 1, FN: 1, TN: 1}) || e[0].F1 != 0.5 || e[0].Support != 2 {
		t.Errorf("effusion %+v", e[0])
	}
	if e[1].Precision != 0.5 || e[1].Recall != 1 || math.Abs(e[1].F1-2.0/3) > 1e-12 {
		t.Errorf("edema %+v", e[1])
	}
	if e[2].PRF != (PRF{}) || e[2].TN != 4 {
		t.Errorf("pneumothorax %+v", e[2])
	}
	// micro: TP 2, FP 2, FN 1 -> P 0.5, R 2/3, F 4/7
	if math.Abs(res.Micro.Precision-0.5) > 1e-12 || math.Abs(res.Micro.Recall-2.0/3) > 1e-12 || math.Abs(res.Micro.F1-4.0/7) > 1e-12 {
		t.Errorf("micro %+v", res.Micro)
	}
	if math.Abs(res.Macro.F1-(0.5+2.0/3)/3) > 1e-12 || math.Abs(res.Macro.Recall-0.5) > 1e-12 {
		t.Errorf("macro %+v", res.Macro)
	}
	if _, err := Evaluate([]string{"a"}, nil, []string{"a"}); err == nil {
		t.Error("ragged accepted")
	}
	if _, err := Evaluate(nil, nil, nil); err == nil {
		t.Error("no keywords accepted")
	}
	if _, err := Evaluate(nil, nil, []string{"--"}); err == nil {
		t.Error("empty keyword accepted")
	}
}

func TestCosine(t *testing.T) {
	c, err := Cosine([]float32{1, 0}, []float32{1, 1})
	if err != nil || math.Abs(c-1/math.Sqrt2) > 1e-12 {
		t.Errorf("%v %v", c, err)
	}
	if _, err := Cosine([]float32{1}, []float32{1, 2}); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := Cosine([]float32{0, 0}, []float32{1, 2}); err == nil {
		t.Error("zero vector accepted")
	}
	m, per, err := MeanCosine([][]float32{{1, 0}, {0, 1}}, [][]float32{{1, 0}, {0, -1}})
	if err != nil || m != 0 || per[0] != 1 || per[1] != -1 {
		t.Errorf("%v %v %v", m, per, err)
	}
}
