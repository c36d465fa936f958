package robust

import (
	"context"
	"fmt"
	"image"
	"sync"
)

// Metric evaluates a model on a data set with every input image passed
// through perturb first, and returns one number. The runner calls it once
// for the clean value (perturb is the identity) and once per perturbation
// and severity. perturb is safe for concurrent use.
type Metric func(perturb func(image.Image) image.Image) (float64, error)

// RunOptions selects perturbations, severities and the seed.
type RunOptions struct {
	// Perturbations to run; nil means All().
	Perturbations []Perturbation
	// Severities to run, each in 1..5; nil means 1..5.
	Severities []int
	// Seed for the random perturbations.
	Seed uint64
}

// Result is the metric under one perturbation and severity.
type Result struct {
	Perturbation string  `json:"perturbation"`
	Severity     int     `json:"severity"`
	Value        float64 `json:"value"`
	// Drop is Clean - Value.
	Drop float64 `json:"drop"`
}

// Report holds the clean value, every perturbed value, and the mean over
// severities of each perturbation.
type Report struct {
	Clean   float64            `json:"clean"`
	Results []Result           `json:"results"`
	Mean    map[string]float64 `json:"mean_by_perturbation"`
}

// Run evaluates metric on clean images and under every perturbation and
// severity, in order. It stops at the first error and checks ctx between
// evaluations.
func Run(ctx context.Context, metric Metric, opts RunOptions) (Report, error) {
	perts := opts.Perturbations
	if perts == nil {
		perts = All()
	}
	sevs := opts.Severities
	if sevs == nil {
		sevs = []int{1, 2, 3, 4, 5}
	}
	for _, s := range sevs {
		if err := checkSeverity(s); err != nil {
			return Report{}, err
		}
	}
	clean, err := metric(func(im image.Image) image.Image { return im })
	if err != nil {
		return Report{}, fmt.Errorf("robust: clean evaluation: %w", err)
	}
	rep := Report{Clean: clean, Mean: map[string]float64{}}
	for _, p := range perts {
		sum := 0.0
		for _, s := range sevs {
			if err := ctx.Err(); err != nil {
				return Report{}, err
			}
			var mu sync.Mutex
			var perr error
			perturb := func(im image.Image) image.Image {
				out, err := p.Apply(im, s, opts.Seed)
				if err != nil {
					mu.Lock()
					if perr == nil {
						perr = err
					}
					mu.Unlock()
					return im
				}
				return out
			}
			v, err := metric(perturb)
			if perr != nil {
				return Report{}, fmt.Errorf("robust: %s severity %d: %w", p.Name, s, perr)
			}
			if err != nil {
				return Report{}, fmt.Errorf("robust: %s severity %d: %w", p.Name, s, err)
			}
			rep.Results = append(rep.Results, Result{Perturbation: p.Name, Severity: s, Value: v, Drop: clean - v})
			sum += v
		}
		if len(sevs) > 0 {
			rep.Mean[p.Name] = sum / float64(len(sevs))
		}
	}
	return rep, nil
}
