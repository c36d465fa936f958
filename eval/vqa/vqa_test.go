package vqa

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// testdata/vqaeval_cases.json: the official vqaEval.py
// (github.com/GT-Vision-Lab/VQA commit a013f0043c1e2cdc995922dfe257f7149aa9af06,
// print statements converted to Python 3) run with Debian python3 3.11 on
// the stored questions; it reports accuracies in percent rounded to 2
// decimals (n=2). The repository has no test suite with numbers.
type vqaCases struct {
	Questions []struct {
		Prediction string   `json:"prediction"`
		Answers    []string `json:"answers"`
		AnswerType string   `json:"answer_type"`
		Rounded    float64  `json:"accuracy_rounded"`
	} `json:"questions"`
	Overall       float64            `json:"overall_rounded"`
	PerAnswerType map[string]float64 `json:"per_answer_type_rounded"`
	Normalize     []struct {
		Input string `json:"input"`
		Punct string `json:"punct"`
		Full  string `json:"full"`
	} `json:"normalize"`
}

func load(t *testing.T) vqaCases {
	t.Helper()
	b, err := os.ReadFile("testdata/vqaeval_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var c vqaCases
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMatchesOfficialEval(t *testing.T) {
	c := load(t)
	var qs []Question
	for _, q := range c.Questions {
		qs = append(qs, Question{Prediction: q.Prediction, Answers: q.Answers, AnswerType: q.AnswerType, QuestionType: "what"})
	}
	res, err := Evaluate(qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range c.Questions {
		if math.Abs(res.PerQuestion[i]-q.Rounded) > 0.005+1e-9 {
			t.Errorf("question %d (%q vs %q): %.4f, official %.2f", i, q.Prediction, q.Answers, res.PerQuestion[i], q.Rounded)
		}
	}
	if math.Abs(res.Overall-c.Overall) > 0.005+1e-9 {
		t.Errorf("overall %.4f, official %.2f", res.Overall, c.Overall)
	}
	for k, v := range c.PerAnswerType {
		if math.Abs(res.PerAnswerType[k]-v) > 0.005+1e-9 {
			t.Errorf("answer type %s: %.4f, official %.2f", k, res.PerAnswerType[k], v)
		}
	}
	if math.Abs(res.PerQuestionType["what"]-res.Overall) > 1e-9 {
		t.Errorf("single question type %v != overall %v", res.PerQuestionType["what"], res.Overall)
	}
	for _, n := range c.Normalize {
		if got := ProcessPunctuation(n.Input); got != n.Punct {
			t.Errorf("ProcessPunctuation(%q) = %q, official %q", n.Input, got, n.Punct)
		}
		if got := Normalize(n.Input); got != n.Full {
			t.Errorf("Normalize(%q) = %q, official %q", n.Input, got, n.Full)
		}
	}
}

func TestAccuracyRule(t *testing.T) {
	ten := func(k int, a, b string) []string {
		out := make([]string, 10)
		for i := range out {
			if i < k {
				out[i] = a
			} else {
				out[i] = b
			}
		}
		return out
	}
	cases := []struct {
		pred    string
		answers []string
		want    float64
	}{
		{"cat", ten(0, "cat", "dog"), 0},
		// One matching annotator: the 9 others each see it once (1/3), the
		// matcher itself sees none.
		{"cat", ten(1, "cat", "dog"), 9 * (1.0 / 3) / 10},
		{"cat", ten(2, "cat", "dog"), (2*(1.0/3) + 8*(2.0/3)) / 10},
		{"cat", ten(3, "cat", "dog"), (3*(2.0/3) + 7*1) / 10},
		{"cat", ten(4, "cat", "dog"), 1},
		{"Yes", ten(10, "yes", "yes"), 0}, // no normalization when all agree
		{"yes", ten(10, "yes", "yes"), 1},
	}
	for _, c := range cases {
		got, err := Accuracy(c.pred, c.answers)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%q vs %v: %v, want %v", c.pred, c.answers, got, c.want)
		}
	}
	if _, err := Accuracy("x", nil); err == nil {
		t.Error("no answers accepted")
	}
	if _, err := Evaluate([]Question{{Prediction: "x"}}); err == nil {
		t.Error("question without answers accepted")
	}
	r, err := Evaluate(nil)
	if err != nil || r.Overall != 0 {
		t.Errorf("empty: %+v %v", r, err)
	}
}

func TestThousandsOfQuestions(t *testing.T) {
	answers := []string{"yes", "no", "2", "red"}
	qs := make([]Question, 2000)
	want := 0.0
	for i := range qs {
		a := make([]string, 10)
		for k := range a {
			a[k] = answers[(i+k/4)%len(answers)]
		}
		qs[i] = Question{Prediction: answers[i%len(answers)], Answers: a, AnswerType: []string{"yes/no", "other"}[i%2]}
		acc, _ := Accuracy(qs[i].Prediction, a)
		want += acc
	}
	res, err := Evaluate(qs)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Overall-100*want/2000) > 1e-9 || len(res.PerQuestion) != 2000 || len(res.PerAnswerType) != 2 {
		t.Errorf("overall %v want %v", res.Overall, 100*want/2000)
	}
}
