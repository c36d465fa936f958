// Package rouge computes ROUGE-N, ROUGE-L and ROUGE-Lsum as Google's
// rouge-score package (google-research/rouge, pip rouge-score) does.
//
// Tokenization is rouge-score's default tokenizer: lowercase, replace every
// run of characters outside [a-z0-9] with a space, split, and (with
// stemming) apply NLTK's Porter stemmer to tokens longer than 3 characters.
// ROUGE-Lsum splits both texts into sentences on "\n" (empty lines are
// dropped) and computes the summary-level union LCS with rouge-score's
// double-counting guard.
//
// Multiple references follow rouge-score's score_multi: each ROUGE type
// independently takes the reference whose F-measure is highest (the first
// such reference on ties). The corpus aggregate is the plain mean of the
// per-example precision, recall and F (rouge-score's BootstrapAggregator
// reports a bootstrap estimate whose "mid" is close to, but not exactly,
// this mean).
package rouge

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Score holds precision, recall and F-measure, each in [0, 1].
type Score struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F         float64 `json:"f"`
}

// DefaultTypes are the ROUGE types computed when Options.Types is empty.
var DefaultTypes = []string{"rouge1", "rouge2", "rougeL", "rougeLsum"}

var rougeN = regexp.MustCompile(`^rouge[1-9]$`)

// Options configures a Scorer.
type Options struct {
	// Types lists the ROUGE types: "rouge1".."rouge9", "rougeL",
	// "rougeLsum". Empty means DefaultTypes.
	Types []string
	// Stem applies the Porter stemmer to tokens longer than 3 characters.
	Stem bool
}

// Scorer computes ROUGE scores with fixed options; safe for concurrent use.
type Scorer struct {
	types []string
	stem  bool
}

// New validates the options and returns a Scorer.
func New(opts Options) (*Scorer, error) {
	types := opts.Types
	if len(types) == 0 {
		types = DefaultTypes
	}
	for _, t := range types {
		if t != "rougeL" && t != "rougeLsum" && !rougeN.MatchString(t) {
			return nil, fmt.Errorf("rouge: invalid rouge type %q (want rouge1..rouge9, rougeL or rougeLsum)", t)
		}
	}
	return &Scorer{types: append([]string(nil), types...), stem: opts.Stem}, nil
}

// Types returns the ROUGE types the scorer computes.
func (s *Scorer) Types() []string { return append([]string(nil), s.types...) }

// Tokenize is rouge-score's default tokenizer.
func Tokenize(text string, stem bool) []string {
	var toks []string
	var cur []byte
	flush := func() {
		if len(cur) == 0 {
			return
		}
		t := string(cur)
		if stem && len(t) > 3 {
			t = Stem(t)
		}
		if t != "" {
			toks = append(toks, t)
		}
		cur = cur[:0]
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r == 0x130 {
			// Python lowercases U+0130 to "i" + U+0307; the combining
			// dot then separates tokens.
			cur = append(cur, 'i')
			flush()
			continue
		}
		if r >= utf8.RuneSelf {
			r = []rune(strings.ToLower(string(r)))[0]
		} else if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			cur = append(cur, byte(r))
		} else {
			flush()
		}
	}
	flush()
	return toks
}

// Score computes every configured ROUGE type of prediction against one
// target (reference), as rouge-score's RougeScorer.score(target, prediction).
func (s *Scorer) Score(target, prediction string) map[string]Score {
	tt := Tokenize(target, s.stem)
	pt := Tokenize(prediction, s.stem)
	out := make(map[string]Score, len(s.types))
	for _, typ := range s.types {
		switch typ {
		case "rougeL":
			out[typ] = scoreLCS(tt, pt)
		case "rougeLsum":
			out[typ] = summaryLevelLCS(s.sentences(target), s.sentences(prediction))
		default:
			n := int(typ[5] - '0')
			out[typ] = scoreNgrams(tt, pt, n)
		}
	}
	return out
}

// ScoreMulti scores prediction against several targets and keeps, for each
// type, the target with the highest F (rouge-score's score_multi).
func (s *Scorer) ScoreMulti(targets []string, prediction string) (map[string]Score, error) {
	if len(targets) == 0 {
		return nil, fmt.Errorf("rouge: no reference to score against")
	}
	var best map[string]Score
	for k, t := range targets {
		sc := s.Score(t, prediction)
		if k == 0 {
			best = sc
			continue
		}
		for typ, v := range sc {
			if v.F > best[typ].F {
				best[typ] = v
			}
		}
	}
	return best, nil
}

// Result is a corpus evaluation: the mean over examples and every
// example's scores.
type Result struct {
	Mean       map[string]Score   `json:"mean"`
	PerExample []map[string]Score `json:"per_example"`
}

// Corpus scores every prediction against its references (refs[i] holds the
// references of example i) and averages the scores.
func (s *Scorer) Corpus(predictions []string, refs [][]string) (Result, error) {
	if len(predictions) != len(refs) {
		return Result{}, fmt.Errorf("rouge: %d predictions but %d reference sets", len(predictions), len(refs))
	}
	res := Result{Mean: make(map[string]Score, len(s.types)), PerExample: make([]map[string]Score, len(predictions))}
	for i, p := range predictions {
		sc, err := s.ScoreMulti(refs[i], p)
		if err != nil {
			return Result{}, fmt.Errorf("rouge: example %d: %w", i, err)
		}
		res.PerExample[i] = sc
	}
	for _, typ := range s.types {
		var m Score
		for _, ex := range res.PerExample {
			m.Precision += ex[typ].Precision
			m.Recall += ex[typ].Recall
			m.F += ex[typ].F
		}
		if n := float64(len(res.PerExample)); n > 0 {
			m.Precision /= n
			m.Recall /= n
			m.F /= n
		}
		res.Mean[typ] = m
	}
	return res, nil
}

func (s *Scorer) sentences(text string) [][]string {
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		out = append(out, Tokenize(line, s.stem))
	}
	return out
}

func fmeasure(p, r float64) float64 {
	if p+r > 0 {
		return 2 * p * r / (p + r)
	}
	return 0
}

func scoreNgrams(target, pred []string, n int) Score {
	count := func(toks []string) (map[string]int, int) {
		m := make(map[string]int)
		total := 0
		for i := 0; i+n <= len(toks); i++ {
			m[strings.Join(toks[i:i+n], "\x00")]++
			total++
		}
		return m, total
	}
	tm, tc := count(target)
	pm, pc := count(pred)
	inter := 0
	for g, c := range tm {
		inter += min(c, pm[g])
	}
	p := float64(inter) / float64(max(pc, 1))
	r := float64(inter) / float64(max(tc, 1))
	return Score{Precision: p, Recall: r, F: fmeasure(p, r)}
}

// lcsTable is rouge-score's _lcs_table: t[i][j] is the LCS length of
// ref[:i] and can[:j].
func lcsTable(ref, can []string) [][]int32 {
	t := make([][]int32, len(ref)+1)
	buf := make([]int32, (len(ref)+1)*(len(can)+1))
	for i := range t {
		t[i] = buf[i*(len(can)+1) : (i+1)*(len(can)+1)]
	}
	for i := 1; i <= len(ref); i++ {
		for j := 1; j <= len(can); j++ {
			if ref[i-1] == can[j-1] {
				t[i][j] = t[i-1][j-1] + 1
			} else {
				t[i][j] = max(t[i-1][j], t[i][j-1])
			}
		}
	}
	return t
}

func scoreLCS(target, pred []string) Score {
	if len(target) == 0 || len(pred) == 0 {
		return Score{}
	}
	l := float64(lcsTable(target, pred)[len(target)][len(pred)])
	p := l / float64(len(pred))
	r := l / float64(len(target))
	return Score{Precision: p, Recall: r, F: fmeasure(p, r)}
}

// lcsIndices is rouge-score's lcs_ind/_backtrack_norec: the indices into
// ref of one LCS, chosen with rouge-score's tie-breaking.
func lcsIndices(ref, can []string) []int {
	t := lcsTable(ref, can)
	i, j := len(ref), len(can)
	var idx []int
	for i > 0 && j > 0 {
		switch {
		case ref[i-1] == can[j-1]:
			idx = append(idx, i-1)
			i--
			j--
		case t[i][j-1] > t[i-1][j]:
			j--
		default:
			i--
		}
	}
	for a, b := 0, len(idx)-1; a < b; a, b = a+1, b-1 {
		idx[a], idx[b] = idx[b], idx[a]
	}
	return idx
}

// summaryLevelLCS is rouge-score's _summary_level_lcs (ROUGE-Lsum).
func summaryLevelLCS(refSents, canSents [][]string) Score {
	if len(refSents) == 0 || len(canSents) == 0 {
		return Score{}
	}
	m, n := 0, 0
	cntR := map[string]int{}
	cntC := map[string]int{}
	for _, s := range refSents {
		m += len(s)
		for _, t := range s {
			cntR[t]++
		}
	}
	for _, s := range canSents {
		n += len(s)
		for _, t := range s {
			cntC[t]++
		}
	}
	if m == 0 || n == 0 {
		return Score{}
	}
	hits := 0
	for _, r := range refSents {
		union := map[int]bool{}
		for _, c := range canSents {
			for _, i := range lcsIndices(r, c) {
				union[i] = true
			}
		}
		for i := range r {
			if !union[i] {
				continue
			}
			t := r[i]
			if cntC[t] > 0 && cntR[t] > 0 {
				hits++
				cntC[t]--
				cntR[t]--
			}
		}
	}
	p := float64(hits) / float64(n)
	rc := float64(hits) / float64(m)
	return Score{Precision: p, Recall: rc, F: fmeasure(p, rc)}
}
