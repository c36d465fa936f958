// Package stats summarizes a data set: counts per source and language, a
// quality-score histogram, caption length percentiles (in tokens when a
// tokenizer is given, otherwise in whitespace-separated words) and the
// distribution of image sizes. It streams: memory grows with the number of
// distinct values (sources, lengths, sizes), not with the number of records.
package stats

import (
	"context"
	"errors"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/imagecheck"
)

// Options configure Compute.
type Options struct {
	// Tokens counts caption tokens; nil counts whitespace-separated words.
	Tokens data.TokenCounter
	// SkipImages leaves images unread (no size distribution).
	SkipImages bool
}

// Stats is the summary of a data set.
type Stats struct {
	Files         []string       `json:"files"`
	Records       int            `json:"records"`
	BadRecords    int            `json:"bad_records"`
	FileErrors    []string       `json:"file_errors,omitempty"`
	Pairs         int            `json:"pairs"`
	Conversations int            `json:"conversations"`
	WithImage     int            `json:"with_image"`
	Captions      int            `json:"captions"`
	BySource      map[string]int `json:"by_source"`
	ByLanguage    map[string]int `json:"by_language"`
	Quality       Histogram      `json:"quality_score"`
	CaptionLength Distribution   `json:"caption_length"`
	ImageWidth    Distribution   `json:"image_width"`
	ImageHeight   Distribution   `json:"image_height"`
	// ImageMaxSide counts images by their longer side, in the buckets
	// named by SizeBuckets ("<=64", ..., ">2048").
	ImageMaxSide map[string]int `json:"image_max_side"`
	// ImageFormats counts images by decoded format.
	ImageFormats map[string]int `json:"image_formats"`
	// ImageErrors counts images that are missing or do not decode.
	ImageErrors int `json:"image_errors"`
}

// None is the key used for records without a source or language.
const None = "(none)"

// SizeBuckets are the upper bounds of the image max-side buckets.
var SizeBuckets = []int{64, 128, 224, 256, 384, 512, 1024, 2048}

// BucketName returns the bucket of a longer side.
func BucketName(side int) string {
	for _, b := range SizeBuckets {
		if side <= b {
			return "<=" + strconv.Itoa(b)
		}
	}
	return ">" + strconv.Itoa(SizeBuckets[len(SizeBuckets)-1])
}

// BucketNames lists the bucket names in order.
func BucketNames() []string {
	var out []string
	for _, b := range SizeBuckets {
		out = append(out, "<="+strconv.Itoa(b))
	}
	return append(out, ">"+strconv.Itoa(SizeBuckets[len(SizeBuckets)-1]))
}

// Compute reads the files and summarizes them. Bad records are counted, not
// fatal; unreadable files are listed in FileErrors.
func Compute(ctx context.Context, paths []string, ropts data.Options, opts Options) (*Stats, error) {
	r, err := data.Open(ctx, paths, ropts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	s := &Stats{
		Files: r.Files(), BySource: map[string]int{}, ByLanguage: map[string]int{},
		ImageMaxSide: map[string]int{}, ImageFormats: map[string]int{},
		Quality: newQualityHistogram(),
	}
	unit := "words"
	if opts.Tokens != nil {
		unit = "tokens"
	}
	lengths, widths, heights := newCounter(unit), newCounter("pixels"), newCounter("pixels")
	images := imagecheck.New(false, 0)
	for {
		ex, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var re *data.RecordError
			var fe *data.FileError
			switch {
			case errors.As(err, &re):
				s.Records++
				s.BadRecords++
				continue
			case errors.As(err, &fe):
				s.FileErrors = append(s.FileErrors, fe.Error())
				continue
			}
			return nil, err
		}
		s.Records++
		if ex.Kind == data.Conversation {
			s.Conversations++
			lengths.add(textLength(ex.Text(), opts.Tokens))
		} else {
			s.Pairs++
			for _, c := range ex.Captions {
				s.Captions++
				lengths.add(textLength(c, opts.Tokens))
			}
		}
		s.BySource[orNone(ex.Meta.Source)]++
		s.ByLanguage[orNone(ex.Meta.Language)]++
		if ex.Meta.HasQuality {
			s.Quality.add(ex.Meta.QualityScore)
		} else {
			s.Quality.Missing++
		}
		if ex.Image != nil {
			s.WithImage++
			if !opts.SkipImages {
				info, err := images.Check(ex.Image)
				if err != nil {
					s.ImageErrors++
				} else {
					widths.add(info.Width)
					heights.add(info.Height)
					s.ImageMaxSide[BucketName(max(info.Width, info.Height))]++
					s.ImageFormats[info.Format]++
				}
			}
		}
	}
	s.CaptionLength = lengths.distribution()
	s.ImageWidth = widths.distribution()
	s.ImageHeight = heights.distribution()
	return s, nil
}

func textLength(s string, tc data.TokenCounter) int {
	if tc != nil {
		return tc.CountTokens(s)
	}
	return len(strings.Fields(s))
}

func orNone(s string) string {
	if s == "" {
		return None
	}
	return s
}

// Histogram counts quality scores in ten equal bins over [0, 1], with
// scores outside that range counted in Below and Above.
type Histogram struct {
	// Edges has len(Counts)+1 bin edges; bin i is [Edges[i], Edges[i+1]),
	// the last bin includes 1.
	Edges   []float64 `json:"edges"`
	Counts  []int     `json:"counts"`
	Below   int       `json:"below"`
	Above   int       `json:"above"`
	Missing int       `json:"missing"`
	N       int       `json:"n"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
	Mean    float64   `json:"mean"`
	sum     float64
}

func newQualityHistogram() Histogram {
	h := Histogram{Counts: make([]int, 10)}
	for i := 0; i <= 10; i++ {
		h.Edges = append(h.Edges, float64(i)/10)
	}
	return h
}

func (h *Histogram) add(v float64) {
	if h.N == 0 || v < h.Min {
		h.Min = v
	}
	if h.N == 0 || v > h.Max {
		h.Max = v
	}
	h.N++
	h.sum += v
	h.Mean = h.sum / float64(h.N)
	switch {
	case v < 0:
		h.Below++
	case v > 1:
		h.Above++
	default:
		i := int(math.Floor(v * 10))
		if i >= 10 {
			i = 9
		}
		// Guard against 0.3*10 = 2.9999... style rounding at the edges.
		for i < 9 && v >= h.Edges[i+1] {
			i++
		}
		for i > 0 && v < h.Edges[i] {
			i--
		}
		h.Counts[i]++
	}
}

// Distribution summarizes integer values (lengths, sizes) exactly.
type Distribution struct {
	Unit string  `json:"unit"`
	N    int     `json:"n"`
	Min  int     `json:"min"`
	Max  int     `json:"max"`
	Mean float64 `json:"mean"`
	P5   int     `json:"p5"`
	P25  int     `json:"p25"`
	P50  int     `json:"p50"`
	P75  int     `json:"p75"`
	P95  int     `json:"p95"`
	P99  int     `json:"p99"`
}

// counter counts occurrences of each integer value.
type counter struct {
	unit   string
	counts map[int]int
	n      int
	sum    float64
}

func newCounter(unit string) *counter { return &counter{unit: unit, counts: map[int]int{}} }

func (c *counter) add(v int) {
	c.counts[v]++
	c.n++
	c.sum += float64(v)
}

// distribution computes nearest-rank percentiles: Pp is the smallest value
// v such that at least p% of the values are <= v.
func (c *counter) distribution() Distribution {
	d := Distribution{Unit: c.unit, N: c.n}
	if c.n == 0 {
		return d
	}
	keys := make([]int, 0, len(c.counts))
	for k := range c.counts {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	d.Min, d.Max, d.Mean = keys[0], keys[len(keys)-1], c.sum/float64(c.n)
	pct := func(p float64) int {
		rank := int(math.Ceil(p / 100 * float64(c.n)))
		if rank < 1 {
			rank = 1
		}
		cum := 0
		for _, k := range keys {
			cum += c.counts[k]
			if cum >= rank {
				return k
			}
		}
		return keys[len(keys)-1]
	}
	d.P5, d.P25, d.P50, d.P75, d.P95, d.P99 = pct(5), pct(25), pct(50), pct(75), pct(95), pct(99)
	return d
}
