// Package bleu computes BLEU exactly as sacrebleu 2.x does: corpus and
// sentence BLEU, the n-gram precisions, the brevity penalty against the
// closest reference length, the tokenizers 13a (default), intl, char and
// none, the smoothing methods exp (default), floor, add-k and none, and
// effective order.
//
// References are given per example: refs[i] holds every reference of
// example i (sacrebleu takes reference streams instead, refs[k][i]; use
// Transpose to convert). Scores are on sacrebleu's 0..100 scale.
//
// Quirks kept from sacrebleu:
//   - when no n-gram of any order matches, the score is 0 whatever the
//     smoothing (sacrebleu issue #141);
//   - an order whose precision is 0 contributes log(0) = -9999999999, so
//     smoothing "none" gives 0 for such corpora;
//   - ties for the closest reference length go to the shorter reference;
//   - add-k adds k to the matched and total counts of orders 2..N before
//     computing precisions. sacrebleu also reports those smoothed counts in
//     BLEUScore.counts/totals; Score.Counts and Score.Totals here always hold
//     the raw integer counts (the precisions agree).
//
// Lowercasing follows Python's str.lower(), including its U+0130 and
// final-sigma special cases.
package bleu

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
)

// Smoothing method names accepted by Options.Smooth.
const (
	SmoothExp   = "exp"
	SmoothFloor = "floor"
	SmoothAddK  = "add-k"
	SmoothNone  = "none"
)

// SmoothMethods lists the supported smoothing methods.
var SmoothMethods = []string{SmoothExp, SmoothFloor, SmoothAddK, SmoothNone}

// MaxNgramOrder is sacrebleu's default maximum n-gram order.
const MaxNgramOrder = 4

// Options configures a Scorer. The zero value is sacrebleu's BLEU()
// default: tokenizer 13a, exp smoothing, case-sensitive, no effective order,
// n-grams up to 4.
type Options struct {
	// Tokenize is one of "13a" (default when empty), "intl", "char", "none".
	Tokenize string
	// Smooth is one of "exp" (default when empty), "floor", "add-k", "none".
	Smooth string
	// SmoothValue overrides the smoothing constant of floor (default 0.1)
	// and add-k (default 1). Nil keeps the default.
	SmoothValue *float64
	// Lowercase lowercases hypotheses and references before tokenizing.
	Lowercase bool
	// EffectiveOrder stops at the highest n-gram order the hypothesis has
	// n-grams of, as sacrebleu's effective_order. Sentence-level BLEU
	// should set it (SentenceOptions does).
	EffectiveOrder bool
	// MaxOrder is the maximum n-gram order; 0 means 4.
	MaxOrder int
}

// SentenceOptions returns the defaults of sacrebleu's sentence_bleu and of
// its command line's --sentence-level mode: Options{} with effective order.
func SentenceOptions() Options { return Options{EffectiveOrder: true} }

// Score is a BLEU result with the fields of sacrebleu's BLEUScore.
type Score struct {
	// Score is BLEU on the 0..100 scale.
	Score float64 `json:"score"`
	// Counts[n-1] is the number of matched (clipped) n-grams.
	Counts []int `json:"counts"`
	// Totals[n-1] is the number of hypothesis n-grams.
	Totals []int `json:"totals"`
	// Precisions[n-1] is the (smoothed) n-gram precision in percent.
	Precisions []float64 `json:"precisions"`
	// BP is the brevity penalty.
	BP float64 `json:"bp"`
	// SysLen is the total hypothesis length in tokens.
	SysLen int `json:"sys_len"`
	// RefLen is the total closest-reference length in tokens.
	RefLen int `json:"ref_len"`
	// Ratio is SysLen/RefLen (0 when RefLen is 0).
	Ratio float64 `json:"ratio"`
}

// Stats are the sufficient statistics of one segment or of a corpus.
type Stats struct {
	SysLen  int
	RefLen  int
	Correct []int
	Total   []int
}

// Add accumulates o into s; both must have the same order.
func (s *Stats) Add(o Stats) {
	s.SysLen += o.SysLen
	s.RefLen += o.RefLen
	for i := range s.Correct {
		s.Correct[i] += o.Correct[i]
		s.Total[i] += o.Total[i]
	}
}

// Scorer computes BLEU with fixed options. It is safe for concurrent use.
type Scorer struct {
	opts     Options
	order    int
	smoothV  float64
	workPool sync.Pool
}

// New validates opts and returns a Scorer.
func New(opts Options) (*Scorer, error) {
	if opts.Tokenize == "" {
		opts.Tokenize = Tokenize13a
	}
	if opts.Smooth == "" {
		opts.Smooth = SmoothExp
	}
	if _, err := Tokenize(opts.Tokenize, ""); err != nil {
		return nil, err
	}
	s := &Scorer{opts: opts, order: opts.MaxOrder}
	if s.order == 0 {
		s.order = MaxNgramOrder
	}
	if s.order < 1 {
		return nil, fmt.Errorf("bleu: MaxOrder %d must be positive", opts.MaxOrder)
	}
	sv, err := smoothDefault(opts.Smooth, opts.SmoothValue)
	if err != nil {
		return nil, err
	}
	s.smoothV = sv
	s.workPool.New = func() any { return newWorkspace() }
	return s, nil
}

func smoothDefault(method string, v *float64) (float64, error) {
	var def float64
	switch method {
	case SmoothExp, SmoothNone:
	case SmoothFloor:
		def = 0.1
	case SmoothAddK:
		def = 1
	default:
		return 0, fmt.Errorf("bleu: unknown smoothing method %q (want one of %s)", method, strings.Join(SmoothMethods, ", "))
	}
	if v != nil {
		if math.IsNaN(*v) || math.IsInf(*v, 0) {
			return 0, fmt.Errorf("bleu: smoothing value %v is not finite", *v)
		}
		return *v, nil
	}
	return def, nil
}

// Options returns the scorer's options with defaults filled in.
func (s *Scorer) Options() Options { return s.opts }

func (s *Scorer) preprocess(line string) []string {
	if s.opts.Lowercase {
		line = pyLower(line)
	}
	toks, _ := Tokenize(s.opts.Tokenize, pyRStrip(line))
	return toks
}

// ErrNoReference is returned when an example has no reference.
var ErrNoReference = errors.New("bleu: an example has no reference")

func check(hyps []string, refs [][]string) error {
	if len(hyps) != len(refs) {
		return fmt.Errorf("bleu: %d hypotheses but %d reference sets", len(hyps), len(refs))
	}
	for i, r := range refs {
		if len(r) == 0 {
			return fmt.Errorf("%w: example %d", ErrNoReference, i)
		}
	}
	return nil
}

// SegmentStats returns the statistics of every example; refs[i] holds the
// references of example i. Segments are processed in parallel; the result
// does not depend on the number of workers.
func (s *Scorer) SegmentStats(hyps []string, refs [][]string) ([]Stats, error) {
	if err := check(hyps, refs); err != nil {
		return nil, err
	}
	out := make([]Stats, len(hyps))
	workers := runtime.GOMAXPROCS(0)
	if workers > len(hyps)/64+1 {
		workers = len(hyps)/64 + 1
	}
	var wg sync.WaitGroup
	chunk := (len(hyps) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, (w+1)*chunk
		if hi > len(hyps) {
			hi = len(hyps)
		}
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			ws := s.workPool.Get().(*workspace)
			defer s.workPool.Put(ws)
			for i := lo; i < hi; i++ {
				out[i] = s.segment(ws, hyps[i], refs[i])
			}
		}(lo, hi)
	}
	wg.Wait()
	return out, nil
}

// Corpus computes corpus BLEU: statistics summed over all examples, then
// one score. refs[i] holds the references of example i.
func (s *Scorer) Corpus(hyps []string, refs [][]string) (Score, error) {
	st, err := s.SegmentStats(hyps, refs)
	if err != nil {
		return Score{}, err
	}
	total := Stats{Correct: make([]int, s.order), Total: make([]int, s.order)}
	for _, x := range st {
		total.Add(x)
	}
	return s.FromStats(total), nil
}

// Sentence computes BLEU of one hypothesis against its references with the
// scorer's options (use SentenceOptions for sacrebleu's sentence_bleu).
func (s *Scorer) Sentence(hyp string, refs []string) (Score, error) {
	return s.Corpus([]string{hyp}, [][]string{refs})
}

// Sentences computes sentence BLEU for every example.
func (s *Scorer) Sentences(hyps []string, refs [][]string) ([]Score, error) {
	st, err := s.SegmentStats(hyps, refs)
	if err != nil {
		return nil, err
	}
	out := make([]Score, len(st))
	for i, x := range st {
		out[i] = s.FromStats(x)
	}
	return out, nil
}

// FromStats computes the score from (summed) statistics with the scorer's
// smoothing and effective-order settings.
func (s *Scorer) FromStats(st Stats) Score {
	return Compute(st, s.opts.Smooth, s.smoothV, s.opts.EffectiveOrder)
}

// Compute is sacrebleu's BLEU.compute_bleu: the score from sufficient
// statistics with a smoothing method, an explicit smoothing value (ignored
// by exp and none) and effective order. The order is len(st.Correct).
func Compute(st Stats, smooth string, smoothValue float64, effectiveOrder bool) Score {
	order := len(st.Correct)
	sc := Score{
		Counts:     append([]int(nil), st.Correct...),
		Totals:     append([]int(nil), st.Total...),
		Precisions: make([]float64, order),
		BP:         1,
		SysLen:     st.SysLen,
		RefLen:     st.RefLen,
	}
	if st.RefLen != 0 {
		sc.Ratio = float64(st.SysLen) / float64(st.RefLen)
	}
	if st.SysLen < st.RefLen {
		if st.SysLen > 0 {
			sc.BP = math.Exp(1 - float64(st.RefLen)/float64(st.SysLen))
		} else {
			sc.BP = 0
		}
	}
	anyCorrect := false
	for _, c := range st.Correct {
		if c != 0 {
			anyCorrect = true
		}
	}
	if !anyCorrect {
		return sc
	}
	smoothMteval := 1.0
	effOrder := order
	for n := 1; n <= order; n++ {
		correct, total := float64(st.Correct[n-1]), float64(st.Total[n-1])
		if smooth == SmoothAddK && n > 1 {
			correct += smoothValue
			total += smoothValue
		}
		if total == 0 {
			break
		}
		if effectiveOrder {
			effOrder = n
		}
		if correct == 0 {
			switch smooth {
			case SmoothExp:
				smoothMteval *= 2
				sc.Precisions[n-1] = 100 / (smoothMteval * total)
			case SmoothFloor:
				sc.Precisions[n-1] = 100 * smoothValue / total
			}
		} else {
			sc.Precisions[n-1] = 100 * correct / total
		}
	}
	sum := 0.0
	for _, p := range sc.Precisions[:effOrder] {
		sum += myLog(p)
	}
	sc.Score = sc.BP * math.Exp(sum/float64(effOrder))
	return sc
}

// myLog is sacrebleu's utils.my_log: log with log(0) floored.
func myLog(x float64) float64 {
	if x == 0 {
		return -9999999999
	}
	return math.Log(x)
}

// CorpusBLEU is a convenience for New(opts) followed by Corpus.
func CorpusBLEU(hyps []string, refs [][]string, opts Options) (Score, error) {
	s, err := New(opts)
	if err != nil {
		return Score{}, err
	}
	return s.Corpus(hyps, refs)
}

// SentenceBLEU is a convenience for New(opts) followed by Sentence. Pass
// SentenceOptions() for sacrebleu's sentence_bleu defaults.
func SentenceBLEU(hyp string, refs []string, opts Options) (Score, error) {
	s, err := New(opts)
	if err != nil {
		return Score{}, err
	}
	return s.Sentence(hyp, refs)
}

// Transpose converts sacrebleu's reference streams (streams[k][i] is the
// k-th reference of example i) to per-example lists. All streams must have
// the same length.
func Transpose(streams [][]string) ([][]string, error) {
	if len(streams) == 0 {
		return nil, nil
	}
	n := len(streams[0])
	out := make([][]string, n)
	for k, st := range streams {
		if len(st) != n {
			return nil, fmt.Errorf("bleu: reference stream %d has %d lines, stream 0 has %d", k, len(st), n)
		}
		for i, r := range st {
			out[i] = append(out[i], r)
		}
	}
	return out, nil
}
