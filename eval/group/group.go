// Package group breaks a per-example metric down by the value of a
// metadata field (sex, age band, site, scanner, ...): the mean and count of
// every group, the best and worst group, the gap between them and the
// disparate-impact ratio worst/best.
package group

import (
	"fmt"
	"math"
	"sort"
)

// Missing is the group name of examples that lack the field.
const Missing = "(missing)"

// Group is one group's statistics.
type Group struct {
	Value string  `json:"value"`
	Mean  float64 `json:"mean"`
	Count int     `json:"count"`
}

// Report is a breakdown of one metric by one field.
type Report struct {
	Field string `json:"field"`
	// Groups are sorted by value.
	Groups []Group `json:"groups"`
	Best   string  `json:"best"`
	Worst  string  `json:"worst"`
	// Gap is |best mean - worst mean|.
	Gap float64 `json:"gap"`
	// DisparateImpact is worst mean / best mean; nil when the best mean is
	// 0 (the ratio is undefined).
	DisparateImpact *float64 `json:"disparate_impact"`
}

// Options configures a breakdown.
type Options struct {
	// LowerIsBetter marks metrics such as error rates: the best group is
	// then the one with the lowest mean (and the ratio worst/best is >= 1).
	LowerIsBetter bool
	// MinCount leaves groups with fewer examples out of best/worst, gap and
	// ratio (they are still listed). 0 means 1.
	MinCount int
}

// ByGroup aggregates values[i] under groups[i].
func ByGroup(values []float64, groups []string, opts Options) (Report, error) {
	if len(values) != len(groups) {
		return Report{}, fmt.Errorf("group: %d values but %d group labels", len(values), len(groups))
	}
	sum := map[string]float64{}
	cnt := map[string]int{}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Report{}, fmt.Errorf("group: value %d is %v", i, v)
		}
		sum[groups[i]] += v
		cnt[groups[i]]++
	}
	rep := Report{}
	for g, n := range cnt {
		rep.Groups = append(rep.Groups, Group{Value: g, Mean: sum[g] / float64(n), Count: n})
	}
	sort.Slice(rep.Groups, func(a, b int) bool { return rep.Groups[a].Value < rep.Groups[b].Value })
	minCount := max(opts.MinCount, 1)
	var best, worst *Group
	better := func(a, b float64) bool {
		if opts.LowerIsBetter {
			return a < b
		}
		return a > b
	}
	for i := range rep.Groups {
		g := &rep.Groups[i]
		if g.Count < minCount {
			continue
		}
		if best == nil || better(g.Mean, best.Mean) {
			best = g
		}
		if worst == nil || better(worst.Mean, g.Mean) {
			worst = g
		}
	}
	if best == nil {
		return rep, nil
	}
	rep.Best, rep.Worst = best.Value, worst.Value
	rep.Gap = math.Abs(best.Mean - worst.Mean)
	if best.Mean != 0 {
		r := worst.Mean / best.Mean
		rep.DisparateImpact = &r
	}
	return rep, nil
}

// ByField aggregates values[i] by meta[i][field]; examples without the
// field go to the group Missing.
func ByField(values []float64, meta []map[string]string, field string, opts Options) (Report, error) {
	if len(values) != len(meta) {
		return Report{}, fmt.Errorf("group: %d values but %d metadata records", len(values), len(meta))
	}
	groups := make([]string, len(meta))
	for i, m := range meta {
		v, ok := m[field]
		if !ok {
			v = Missing
		}
		groups[i] = v
	}
	rep, err := ByGroup(values, groups, opts)
	rep.Field = field
	return rep, err
}
