package rouge

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
}

func mustScorer(t *testing.T, o Options) *Scorer {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRougeScoreSuite reproduces rouge-score's own tests
// (google-research/google-research, rouge/rouge_scorer_test.py at commit
// 066e6a12a3817e45919458090102abfc0a09d287; "ground truth" values from
// ROUGE-1.5.5). testdata/target.txt, prediction.txt, target_multi.0.txt and
// prediction_multi.0.txt are copies of that repository's rouge/testdata files.
func TestRougeScoreSuite(t *testing.T) {
	s := mustScorer(t, Options{Types: []string{"rouge1", "rouge2", "rougeL", "rougeLsum"}})
	check := func(name string, got Score, p, r, f float64, places int) {
		t.Helper()
		tol := 0.5 * math.Pow10(-places)
		if !near(got.Precision, p, tol) || !near(got.Recall, r, tol) || !near(got.F, f, tol) {
			t.Errorf("%s: got %+v, want P %v R %v F %v", name, got, p, r, f)
		}
	}
	check("testRouge1", s.Score("testing one two", "testing")["rouge1"], 1, 1.0/3, 0.5, 7)
	for _, typ := range []string{"rouge1", "rouge2", "rougeL", "rougeLsum"} {
		check("testRougeEmpty/"+typ, s.Score("testing one two", "")[typ], 0, 0, 0, 7)
	}
	check("testRouge2", s.Score("testing one two", "testing one")["rouge2"], 1, 0.5, 2.0/3, 7)
	check("testRougeLConsecutive", s.Score("testing one two", "testing one")["rougeL"], 1, 2.0/3, 0.8, 7)
	check("testRougeLNonConsecutive", s.Score("testing one two", "testing two")["rougeL"], 1, 2.0/3, 0.8, 7)

	targets := readLines(t, "testdata/target.txt")
	preds := readLines(t, "testdata/prediction.txt")
	stem := mustScorer(t, Options{Stem: true})
	type exp struct{ p, r, f float64 }
	for _, c := range []struct {
		typ  string
		sc   *Scorer
		want [2]exp
	}{
		{"rouge1", s, [2]exp{{0.68750, 0.40741, 0.51163}, {0.65385, 0.40476, 0.50000}}},
		{"rouge1", stem, [2]exp{{0.68750, 0.40741, 0.51163}, {0.69231, 0.42857, 0.52941}}},
		{"rouge2", s, [2]exp{{0.53333, 0.30769, 0.39024}, {0.48000, 0.29268, 0.36364}}},
		{"rouge2", stem, [2]exp{{0.53333, 0.30769, 0.39024}, {0.48000, 0.29268, 0.36364}}},
		{"rougeL", s, [2]exp{{0.68750, 0.40741, 0.51163}, {0.65385, 0.40476, 0.50000}}},
	} {
		for i := 0; i < 2; i++ {
			w := c.want[i]
			check("AgainstRouge155/"+c.typ, c.sc.Score(targets[i], preds[i])[c.typ], w.p, w.r, w.f, 5)
		}
	}
	tm, _ := os.ReadFile("testdata/target_multi.0.txt")
	pm, _ := os.ReadFile("testdata/prediction_multi.0.txt")
	check("testRougeLSumAgainstRouge155WithStemming", stem.Score(string(tm), string(pm))["rougeLsum"], 0.66667, 0.36538, 0.47205, 5)

	// testSummaryLevelLcs / testRougeLsum.
	got := summaryLevelLCS([][]string{{"1", "2", "3", "4", "5"}}, [][]string{{"1", "2", "6", "7", "8"}, {"1", "3", "8", "9", "5"}})
	check("testSummaryLevelLcs", got, 0.4, 0.8, 0.5333, 3)
	if got := summaryLevelLCS([][]string{{"reference"}}, [][]string{{}}); got.Recall != 0 {
		t.Errorf("empty candidate recall %v", got.Recall)
	}
	check("testRougeLsum", s.Score("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5")["rougeLsum"], 0.4, 0.8, 0.5333, 3)
	for _, p := range [][2]string{{"w1 w2 w3 w4 w5", ""}, {"", "w1"}, {"w1 w2 w3 w4 w5", "/"}} {
		check("testRougeLsum/empty", s.Score(p[0], p[1])["rougeLsum"], 0, 0, 0, 3)
	}
	// testLcsTable and testUnionLcs.
	ref := []string{"1", "2", "3", "4", "5"}
	if tb := lcsTable(ref, []string{"2", "5", "3", "4"}); tb[5][4] != 3 {
		t.Errorf("lcs table %d", tb[5][4])
	}
	if idx := lcsIndices(ref, []string{"2", "5", "3", "4"}); !reflect.DeepEqual(idx, []int{1, 2, 3}) {
		t.Errorf("lcs indices %v", idx)
	}
	if idx := lcsIndices(ref, []string{"8", "9"}); len(idx) != 0 {
		t.Errorf("lcs indices %v", idx)
	}
}

func TestInvalidTypes(t *testing.T) {
	for _, typ := range []string{"rougen", "rouge0", "rouge10", "bleu"} {
		if _, err := New(Options{Types: []string{typ}}); err == nil {
			t.Errorf("%s accepted", typ)
		}
	}
}

// rougeCases is testdata/rouge_cases.json: rouge-score (google-research
// rouge/ at commit 61ce9f0ca76025dac5b671c0631e443a9975a8a3) with Debian's
// NLTK 3.8 PorterStemmer, run with Debian python3 3.11 on the stored inputs;
// "multi" uses rouge-score 0.1.2's score_multi (np.argmax over F).
type rougeCases struct {
	Cases []struct {
		Target     string           `json:"target"`
		Prediction string           `json:"prediction"`
		Stem       bool             `json:"stem"`
		Scores     map[string]Score `json:"scores"`
	} `json:"cases"`
	Multi []struct {
		Targets    []string         `json:"targets"`
		Prediction string           `json:"prediction"`
		Stem       bool             `json:"stem"`
		Scores     map[string]Score `json:"scores"`
	} `json:"multi"`
}

func TestMatchesRougeScore(t *testing.T) {
	b, err := os.ReadFile("testdata/rouge_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var rc rougeCases
	if err := json.Unmarshal(b, &rc); err != nil {
		t.Fatal(err)
	}
	types := []string{"rouge1", "rouge2", "rouge3", "rougeL", "rougeLsum"}
	scorers := map[bool]*Scorer{false: mustScorer(t, Options{Types: types}), true: mustScorer(t, Options{Types: types, Stem: true})}
	cmp := func(name string, got, want map[string]Score) {
		t.Helper()
		for _, typ := range types {
			g, w := got[typ], want[typ]
			if !near(g.Precision, w.Precision, 1e-12) || !near(g.Recall, w.Recall, 1e-12) || !near(g.F, w.F, 1e-12) {
				t.Errorf("%s %s: got %+v, rouge-score %+v", name, typ, g, w)
			}
		}
	}
	if len(rc.Cases) < 100 || len(rc.Multi) < 20 {
		t.Fatalf("too few cases: %d %d", len(rc.Cases), len(rc.Multi))
	}
	for _, c := range rc.Cases {
		cmp(c.Target+" | "+c.Prediction, scorers[c.Stem].Score(c.Target, c.Prediction), c.Scores)
	}
	for _, c := range rc.Multi {
		got, err := scorers[c.Stem].ScoreMulti(c.Targets, c.Prediction)
		if err != nil {
			t.Fatal(err)
		}
		cmp("multi "+c.Prediction, got, c.Scores)
	}
}

// TestPorterMatchesNLTK compares Stem with NLTK 3.8's PorterStemmer on
// testdata/porter_nltk.tsv (see its header line).
func TestPorterMatchesNLTK(t *testing.T) {
	f, err := os.Open("testdata/porter_nltk.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, bad := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		w, want, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		n++
		if got := Stem(w); got != want {
			bad++
			if bad < 20 {
				t.Errorf("Stem(%q) = %q, NLTK %q", w, got, want)
			}
		}
	}
	if n < 5000 {
		t.Fatalf("only %d words", n)
	}
	if bad > 0 {
		t.Errorf("%d of %d stems differ", bad, n)
	}
}

func TestCorpusMeanAndEdges(t *testing.T) {
	s := mustScorer(t, Options{})
	res, err := s.Corpus([]string{"a b c", "x y"}, [][]string{{"a b c"}, {"p q", "x z"}})
	if err != nil {
		t.Fatal(err)
	}
	// Example 0 is perfect; example 1 picks "x z" (F 0.5) for rouge1.
	if !near(res.Mean["rouge1"].F, 0.75, 1e-12) || !near(res.Mean["rouge2"].F, 0.5, 1e-12) {
		t.Errorf("mean %+v", res.Mean)
	}
	if _, err := s.Corpus([]string{"a"}, [][]string{{}}); err == nil {
		t.Error("example without reference accepted")
	}
	if _, err := s.Corpus([]string{"a"}, nil); err == nil {
		t.Error("ragged input accepted")
	}
	empty, err := s.Corpus(nil, nil)
	if err != nil || empty.Mean["rouge1"] != (Score{}) {
		t.Errorf("empty corpus %+v %v", empty, err)
	}
	// Unicode-only text tokenizes to nothing: all zeros.
	if sc := s.Score("中文 😀", "中文 😀"); sc["rouge1"] != (Score{}) {
		t.Errorf("unicode-only %+v", sc["rouge1"])
	}
	if got := Tokenize("İstanbul, ÇAY-2 x", false); !reflect.DeepEqual(got, []string{"i", "stanbul", "ay", "2", "x"}) {
		t.Errorf("tokenize %q", got)
	}
}

// TestThousandsOfExamples: the corpus mean over thousands of examples is
// the mean of the per-example scores, and identical texts score 1.
func TestThousandsOfExamples(t *testing.T) {
	s := mustScorer(t, Options{Stem: true})
	words := strings.Fields("the cats were running quickly across a generously wide field near rivers")
	n := 3000
	preds, refs := make([]string, n), make([][]string, n)
	for i := 0; i < n; i++ {
		var p, r []string
		for j := 0; j < 5+i%7; j++ {
			p = append(p, words[(i+j*j)%len(words)])
			r = append(r, words[(2*i+j)%len(words)])
		}
		preds[i] = strings.Join(p, " ")
		refs[i] = []string{strings.Join(r, " "), preds[i]}
	}
	res, err := s.Corpus(preds, refs)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range DefaultTypes {
		if m := res.Mean[typ]; !near(m.F, 1, 1e-12) || !near(m.Precision, 1, 1e-12) {
			t.Errorf("%s mean %+v, want 1 (each prediction is one of its references)", typ, m)
		}
	}
}
