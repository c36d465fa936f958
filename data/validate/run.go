package validate

import (
	"context"
	"errors"
	"io"
	"sort"

	"github.com/vlmtune/vlmtune/data"
)

// Summary counts what Run saw.
type Summary struct {
	// Files lists the files read (brace patterns expanded).
	Files []string `json:"files"`
	// Records counts every record, good or bad.
	Records int `json:"records"`
	// Valid counts records without errors (warnings allowed).
	Valid int `json:"valid"`
	// Invalid counts records with at least one error.
	Invalid int `json:"invalid"`
	// Errors and Warnings count problems.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	// FileErrors counts files that could not be read or broke off.
	FileErrors int `json:"file_errors"`
	// ByKind counts problems by kind.
	ByKind map[string]int `json:"by_kind"`
}

// Kinds returns the problem kinds seen, sorted.
func (s *Summary) Kinds() []string {
	var ks []string
	for k := range s.ByKind {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Run reads the files with ropts, checks every example with c, and calls
// emit for every problem (record errors from the reader, check problems,
// and unreadable files as KindBadFile), in file order. It streams: memory
// does not grow with the file (apart from duplicate detection, when on).
// The error is only for a cancelled context.
func Run(ctx context.Context, paths []string, ropts data.Options, c *Checker, emit func(*data.RecordError)) (*Summary, error) {
	r, err := data.Open(ctx, paths, ropts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	s := &Summary{Files: r.Files(), ByKind: map[string]int{}}
	report := func(p *data.RecordError) {
		if p.Warning {
			s.Warnings++
		} else {
			s.Errors++
		}
		s.ByKind[p.Kind]++
		if emit != nil {
			emit(p)
		}
	}
	for {
		ex, err := r.Next()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return s, ctx.Err()
			}
			var re *data.RecordError
			if errors.As(err, &re) {
				s.Records++
				s.Invalid++
				report(re)
				continue
			}
			var fe *data.FileError
			if errors.As(err, &fe) {
				s.FileErrors++
				report(&data.RecordError{Origin: data.Origin{File: fe.File}, Kind: data.KindBadFile, Msg: fe.Err.Error()})
				continue
			}
			return s, err
		}
		s.Records++
		res := c.Check(ex)
		if res.HasError() {
			s.Invalid++
		} else {
			s.Valid++
		}
		for _, p := range res.Problems {
			report(p)
		}
	}
}
