package sample

import (
	"fmt"
	"math"
	"sort"

	"github.com/vlmtune/vlmtune/data"
)

// Balanced samples with replacement so that every value of a metadata
// field is drawn equally often (Alpha 0), as often as it occurs (Alpha 1),
// or in between: a group of n examples is drawn with probability
// proportional to n^Alpha, then an example uniformly within the group.
type Balanced struct {
	groups   [][]int
	names    []string
	cum      []float64 // cumulative group probabilities
	perEpoch int
	seed     uint64
}

// BalancedOptions configure NewBalanced.
type BalancedOptions struct {
	// Field is the metadata field to balance ("source", "language", or an
	// extra field); examples without it form the group "(none)".
	Field string
	// Alpha is the exponent of the group sizes (0: uniform over groups).
	Alpha float64
	// PerEpoch is the number of draws per epoch (0: the number of indices).
	PerEpoch int
	Seed     uint64
}

// NewBalanced groups the examples at indices by the field.
func NewBalanced(examples []*data.Example, indices []int, o BalancedOptions) (*Balanced, error) {
	if len(indices) == 0 {
		return nil, fmt.Errorf("balanced sampling by %q: no examples", o.Field)
	}
	if o.Alpha < 0 || math.IsNaN(o.Alpha) {
		return nil, fmt.Errorf("balanced sampling: alpha %v must be >= 0", o.Alpha)
	}
	byName := map[string][]int{}
	for _, i := range indices {
		v, ok := examples[i].Meta.Field(o.Field)
		if !ok {
			v = "(none)"
		}
		byName[v] = append(byName[v], i)
	}
	b := &Balanced{perEpoch: o.PerEpoch, seed: o.Seed}
	if b.perEpoch <= 0 {
		b.perEpoch = len(indices)
	}
	for name := range byName {
		b.names = append(b.names, name)
	}
	sort.Strings(b.names)
	total := 0.0
	for _, name := range b.names {
		g := byName[name]
		b.groups = append(b.groups, g)
		total += math.Pow(float64(len(g)), o.Alpha)
		b.cum = append(b.cum, total)
	}
	for i := range b.cum {
		b.cum[i] /= total
	}
	b.cum[len(b.cum)-1] = 1
	return b, nil
}

// Groups returns the group names (sorted) and sizes.
func (b *Balanced) Groups() ([]string, []int) {
	sizes := make([]int, len(b.groups))
	for i, g := range b.groups {
		sizes[i] = len(g)
	}
	return b.names, sizes
}

// Order draws the epoch's examples.
func (b *Balanced) Order(epoch int) []int {
	r := EpochRand(b.seed, epoch)
	out := make([]int, b.perEpoch)
	for i := range out {
		u := r.Float64()
		g := sort.SearchFloat64s(b.cum, u)
		if g >= len(b.groups) {
			g = len(b.groups) - 1
		}
		// SearchFloat64s finds the first cum >= u; u == cum[g] belongs to g+1.
		for g < len(b.groups)-1 && u >= b.cum[g] {
			g++
		}
		grp := b.groups[g]
		out[i] = grp[r.IntN(len(grp))]
	}
	return out
}
