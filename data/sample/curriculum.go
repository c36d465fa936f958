package sample

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/data"
)

// Pacing is a curriculum's competence schedule c(t): the fraction of the
// examples, easiest first, available at time t (an epoch or a step), from
// Start at t = 0 to 1 at t = Duration. The shapes follow Platanios et al.
// 2019 (competence-based curriculum learning) and Bengio et al. 2009's
// "baby steps":
//
//	linear: c(t) = min(1, Start + (1-Start)·t/T)
//	root:   c(t) = min(1, sqrt(Start² + (1-Start²)·t/T))
//	step:   c(t) = min(1, Start + (1-Start)·floor(t·K/T)/K), K = Stages
type Pacing struct {
	// Shape is "linear", "root" or "step".
	Shape string
	// Start is c(0), in (0, 1].
	Start float64
	// Duration is T, the time at which all examples are available.
	Duration int
	// Stages is K for the step shape (default 4).
	Stages int
}

// Validate checks the schedule.
func (p Pacing) Validate() error {
	switch p.Shape {
	case "linear", "root", "step":
	default:
		return fmt.Errorf("pacing shape %q: use linear, root or step", p.Shape)
	}
	if !(p.Start > 0 && p.Start <= 1) {
		return fmt.Errorf("pacing start %v must be in (0, 1]", p.Start)
	}
	if p.Duration < 1 {
		return fmt.Errorf("pacing duration %d must be at least 1", p.Duration)
	}
	if p.Stages < 0 {
		return fmt.Errorf("pacing stages %d must be positive", p.Stages)
	}
	return nil
}

// Fraction returns c(t).
func (p Pacing) Fraction(t int) float64 {
	if t >= p.Duration {
		return 1
	}
	if t < 0 {
		t = 0
	}
	x := float64(t) / float64(p.Duration)
	var c float64
	switch p.Shape {
	case "root":
		c = math.Sqrt(p.Start*p.Start + (1-p.Start*p.Start)*x)
	case "step":
		k := p.Stages
		if k == 0 {
			k = 4
		}
		c = p.Start + (1-p.Start)*math.Floor(x*float64(k))/float64(k)
	default:
		c = p.Start + (1-p.Start)*x
	}
	return math.Min(1, c)
}

// Curriculum orders examples from easy to hard. By epoch (StepsPerEpoch 0),
// epoch e visits the easiest ceil(c(e)·N) examples once each, shuffled. By
// step, epoch e has StepsPerEpoch batches of BatchSize; the batch at global
// step t is drawn uniformly, with replacement, from the easiest ceil(c(t)·N).
type Curriculum struct {
	sorted        []int // easiest first
	pacing        Pacing
	seed          uint64
	stepsPerEpoch int
	batchSize     int
}

// CurriculumOptions configure NewCurriculum.
type CurriculumOptions struct {
	Pacing Pacing
	Seed   uint64
	// StepsPerEpoch and BatchSize select pacing by step (both > 0).
	StepsPerEpoch, BatchSize int
}

// NewCurriculum sorts indices by difficulty (lower is easier; ties keep
// index order). difficulty is indexed like the examples slice.
func NewCurriculum(indices []int, difficulty []float64, o CurriculumOptions) (*Curriculum, error) {
	if err := o.Pacing.Validate(); err != nil {
		return nil, err
	}
	if len(indices) == 0 {
		return nil, fmt.Errorf("curriculum: no examples")
	}
	if (o.StepsPerEpoch > 0) != (o.BatchSize > 0) {
		return nil, fmt.Errorf("curriculum by step needs both steps per epoch and batch size")
	}
	sorted := append([]int(nil), indices...)
	for _, i := range sorted {
		if i < 0 || i >= len(difficulty) || math.IsNaN(difficulty[i]) {
			return nil, fmt.Errorf("curriculum: example %d has no difficulty", i)
		}
	}
	sort.SliceStable(sorted, func(a, b int) bool { return difficulty[sorted[a]] < difficulty[sorted[b]] })
	return &Curriculum{sorted: sorted, pacing: o.Pacing, seed: o.Seed, stepsPerEpoch: o.StepsPerEpoch, batchSize: o.BatchSize}, nil
}

func (c *Curriculum) available(t int) int {
	n := int(math.Ceil(c.pacing.Fraction(t)*float64(len(c.sorted)) - 1e-9))
	return max(1, min(n, len(c.sorted)))
}

// Order returns the epoch's examples.
func (c *Curriculum) Order(epoch int) []int {
	r := EpochRand(c.seed, epoch)
	if c.stepsPerEpoch == 0 {
		out := append([]int(nil), c.sorted[:c.available(epoch)]...)
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	out := make([]int, 0, c.stepsPerEpoch*c.batchSize)
	for s := 0; s < c.stepsPerEpoch; s++ {
		n := c.available(epoch*c.stepsPerEpoch + s)
		for b := 0; b < c.batchSize; b++ {
			out = append(out, c.sorted[r.IntN(n)])
		}
	}
	return out
}

// ByQuality returns difficulties for "highest quality first": the negated
// quality score; examples without a score come last.
func ByQuality(examples []*data.Example) []float64 {
	d := make([]float64, len(examples))
	for i, ex := range examples {
		if ex.Meta.HasQuality {
			d[i] = -ex.Meta.QualityScore
		} else {
			d[i] = math.Inf(1)
		}
	}
	return d
}

// ByLength returns difficulties for "shortest caption first": the length
// of the example's text in tokens (tc) or, with a nil tc, in words.
func ByLength(examples []*data.Example, tc data.TokenCounter) []float64 {
	d := make([]float64, len(examples))
	for i, ex := range examples {
		if tc != nil {
			d[i] = float64(tc.CountTokens(ex.Text()))
		} else {
			d[i] = float64(len(strings.Fields(ex.Text())))
		}
	}
	return d
}

// LoadDifficulty reads a difficulty file written by a model: JSONL lines
// {"id": "...", "difficulty": x} (matched to Example.ID) or {"index": n,
// "difficulty": x} (matched to Example.Index, the record's position in the
// data files). Examples the file does not name get NaN, which
// NewCurriculum reports.
func LoadDifficulty(path string, examples []*data.Example) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byID := map[string]int{}
	byIndex := map[int]int{}
	for i, ex := range examples {
		if ex.ID != "" {
			byID[ex.ID] = i
		}
		byIndex[ex.Index] = i
	}
	d := make([]float64, len(examples))
	for i := range d {
		d[i] = math.NaN()
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var rec struct {
			ID         *json.RawMessage `json:"id"`
			Index      *int             `json:"index"`
			Difficulty *float64         `json:"difficulty"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if rec.Difficulty == nil {
			return nil, fmt.Errorf("%s:%d: no \"difficulty\" number", path, line)
		}
		pos, ok := -1, false
		switch {
		case rec.ID != nil:
			var id string
			if json.Unmarshal(*rec.ID, &id) != nil {
				id = strings.TrimSpace(string(*rec.ID)) // numeric ids
			}
			pos, ok = byID[id]
		case rec.Index != nil:
			pos, ok = byIndex[*rec.Index]
		default:
			return nil, fmt.Errorf("%s:%d: needs an \"id\" or an \"index\"", path, line)
		}
		if ok {
			d[pos] = *rec.Difficulty
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}
