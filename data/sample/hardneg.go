package sample

import (
	"fmt"
	"math"
	"sort"
)

// HardNegatives groups examples whose embeddings are close into batches,
// so that the other examples of a batch are hard negatives for a
// contrastive loss. Clustering is greedy and deterministic: examples are
// visited in an order seeded by Seed; each one not yet placed becomes an
// anchor and takes the BatchSize-1 unplaced examples most similar to it
// (cosine similarity; ties to the earlier example). To bound the cost
// (O(Pool²·D/BatchSize) per window), candidates are looked for within
// windows of Pool examples of the visiting order; examples left over from
// a window move on to the next. The batches are fixed; each epoch visits
// the full batches in a new seeded order, and a final partial batch last.
type HardNegatives struct {
	batches [][]int
	seed    uint64
}

// HardNegativeOptions configure NewHardNegatives.
type HardNegativeOptions struct {
	BatchSize int
	Seed      uint64
	// Pool is the window size (0: 4096).
	Pool int
}

// NewHardNegatives clusters the examples at indices; vecs is indexed like
// the examples slice (see LoadEmbeddings) and must hold an embedding of a
// common dimension for every index.
func NewHardNegatives(indices []int, vecs [][]float32, o HardNegativeOptions) (*HardNegatives, error) {
	if o.BatchSize < 2 {
		return nil, fmt.Errorf("hard negatives need a batch size of at least 2, got %d", o.BatchSize)
	}
	if len(indices) == 0 {
		return nil, fmt.Errorf("hard negatives: no examples")
	}
	pool := o.Pool
	if pool <= 0 {
		pool = 4096
	}
	pool = max(pool, o.BatchSize)
	dim := -1
	unit := make(map[int][]float64, len(indices))
	for _, i := range indices {
		if i < 0 || i >= len(vecs) || vecs[i] == nil {
			return nil, fmt.Errorf("hard negatives: example %d has no embedding", i)
		}
		v := vecs[i]
		if dim < 0 {
			dim = len(v)
		} else if len(v) != dim {
			return nil, fmt.Errorf("hard negatives: example %d has an embedding of dimension %d, others %d", i, len(v), dim)
		}
		u := make([]float64, dim)
		var norm float64
		for j, x := range v {
			u[j] = float64(x)
			norm += u[j] * u[j]
		}
		if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
			return nil, fmt.Errorf("hard negatives: example %d has a zero or non-finite embedding", i)
		}
		norm = math.Sqrt(norm)
		for j := range u {
			u[j] /= norm
		}
		unit[i] = u
	}
	order := append([]int(nil), indices...)
	r := EpochRand(o.Seed, -1)
	r.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })

	h := &HardNegatives{seed: o.Seed}
	var carry []int
	for start := 0; start < len(order) || len(carry) > 0; {
		end := min(start+pool-len(carry), len(order))
		if end < start {
			end = start
		}
		window := append(carry, order[start:end]...)
		start = end
		last := start >= len(order)
		var left []int
		h.batches, left = greedy(window, unit, o.BatchSize, h.batches, last)
		carry = left
		if last && len(carry) > 0 {
			h.batches = append(h.batches, carry)
			carry = nil
		}
	}
	return h, nil
}

// greedy forms full batches within window; with last unset, fewer than
// batch leftovers are returned to carry on.
func greedy(window []int, unit map[int][]float64, batch int, out [][]int, last bool) ([][]int, []int) {
	placed := make([]bool, len(window))
	remaining := len(window)
	type cand struct {
		pos int
		sim float64
	}
	cands := make([]cand, 0, len(window))
	for a := range window {
		if placed[a] || remaining < batch {
			continue
		}
		placed[a] = true
		remaining--
		anchor := unit[window[a]]
		cands = cands[:0]
		for p := range window {
			if placed[p] {
				continue
			}
			v := unit[window[p]]
			var s float64
			for j, x := range anchor {
				s += x * v[j]
			}
			cands = append(cands, cand{p, s})
		}
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].sim > cands[j].sim })
		b := []int{window[a]}
		for _, c := range cands[:batch-1] {
			placed[c.pos] = true
			remaining--
			b = append(b, window[c.pos])
		}
		out = append(out, b)
	}
	var left []int
	for p, ok := range placed {
		if !ok {
			left = append(left, window[p])
		}
	}
	return out, left
}

// Batches returns the epoch's batches: full batches in a seeded order, a
// partial batch (if any) last.
func (h *HardNegatives) Batches(epoch int) [][]int {
	full := h.batches
	var tail [][]int
	if n := len(full); n > 0 && len(full[n-1]) < len(full[0]) {
		full, tail = full[:n-1], full[n-1:]
	}
	out := append([][]int(nil), full...)
	r := EpochRand(h.seed, epoch)
	r.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	return append(out, tail...)
}

// Order returns the concatenated batches of the epoch.
func (h *HardNegatives) Order(epoch int) []int {
	var out []int
	for _, b := range h.Batches(epoch) {
		out = append(out, b...)
	}
	return out
}
