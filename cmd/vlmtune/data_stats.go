package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/data/stats"
)

type dataStatsFlags struct {
	dataReaderFlags
	dataTokenFlags
	json, noImages bool
}

func init() {
	var f dataStatsFlags
	cmd := &cobra.Command{
		Use:   "stats FILE...",
		Short: "Summarize a data set: sources, languages, quality scores, caption lengths, image sizes",
		Long: `Stats reads data files and prints counts per source and language, a
quality-score histogram, caption length percentiles (in tokens with
--tokenizer, otherwise in whitespace-separated words, labelled as such) and
the distribution of image sizes (header reads; --no-images skips them).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ropts, err := f.options()
			if err != nil {
				return err
			}
			tc, err := f.counter()
			if err != nil {
				return err
			}
			s, err := stats.Compute(cmd.Context(), args, ropts, stats.Options{Tokens: tc, SkipImages: f.noImages})
			if err != nil {
				return err
			}
			w := bufio.NewWriter(cmd.OutOrStdout())
			if f.json {
				w.Write(dataMarshalJSON(s, "  "))
				w.WriteString("\n")
			} else {
				writeDataStats(w, s, !f.noImages)
			}
			return w.Flush()
		},
	}
	f.dataReaderFlags.add(cmd)
	f.dataTokenFlags.add(cmd)
	cmd.Flags().BoolVar(&f.json, "json", false, "write the statistics as JSON")
	cmd.Flags().BoolVar(&f.noImages, "no-images", false, "do not read images (no size distribution)")
	dataCmd.AddCommand(cmd)
}

func writeDataStats(w io.Writer, s *stats.Stats, images bool) {
	fmt.Fprintf(w, "records: %d in %d file(s)", s.Records, len(s.Files))
	if s.BadRecords > 0 {
		fmt.Fprintf(w, " (%d unreadable; run `vlmtune data validate`)", s.BadRecords)
	}
	fmt.Fprintf(w, "\n  %d pairs (%d captions), %d conversations, %d with an image\n", s.Pairs, s.Captions, s.Conversations, s.WithImage)
	for _, fe := range s.FileErrors {
		fmt.Fprintf(w, "  file error: %s\n", fe)
	}
	good := s.Records - s.BadRecords
	writeStatCounts(w, "by source", s.BySource, good)
	writeStatCounts(w, "by language", s.ByLanguage, good)

	q := s.Quality
	fmt.Fprintf(w, "quality_score: %d with a score, %d without", q.N, q.Missing)
	if q.N > 0 {
		fmt.Fprintf(w, "; min %.4g, mean %.4g, max %.4g", q.Min, q.Mean, q.Max)
	}
	fmt.Fprintln(w)
	if q.N > 0 {
		peak := 1
		for _, c := range q.Counts {
			peak = max(peak, c)
		}
		if q.Below > 0 {
			fmt.Fprintf(w, "  %-11s %7d\n", "< 0", q.Below)
		}
		for i, c := range q.Counts {
			right := ")"
			if i == len(q.Counts)-1 {
				right = "]"
			}
			fmt.Fprintf(w, "  [%.1f, %.1f%s %7d %s\n", q.Edges[i], q.Edges[i+1], right, c, strings.Repeat("#", c*40/peak))
		}
		if q.Above > 0 {
			fmt.Fprintf(w, "  %-11s %7d\n", "> 1", q.Above)
		}
	}
	fmt.Fprintf(w, "caption length in %s (%d texts):\n", s.CaptionLength.Unit, s.CaptionLength.N)
	writeStatDist(w, s.CaptionLength)
	if !images {
		return
	}
	fmt.Fprintf(w, "images: %d read, %d missing or undecodable\n", s.ImageWidth.N, s.ImageErrors)
	if s.ImageWidth.N > 0 {
		fmt.Fprintf(w, "  width:  ")
		writeStatDist(w, s.ImageWidth)
		fmt.Fprintf(w, "  height: ")
		writeStatDist(w, s.ImageHeight)
		fmt.Fprintf(w, "  longer side:")
		for _, b := range stats.BucketNames() {
			if n := s.ImageMaxSide[b]; n > 0 {
				fmt.Fprintf(w, " %s: %d", b, n)
			}
		}
		fmt.Fprintf(w, "\n  formats:")
		var fs []string
		for f := range s.ImageFormats {
			fs = append(fs, f)
		}
		sort.Strings(fs)
		for _, f := range fs {
			fmt.Fprintf(w, " %s: %d", f, s.ImageFormats[f])
		}
		fmt.Fprintln(w)
	}
}

func writeStatCounts(w io.Writer, title string, m map[string]int, total int) {
	fmt.Fprintf(w, "%s:\n", title)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		fmt.Fprintf(w, "  %-20s %8d  %5.1f%%\n", k, m[k], 100*float64(m[k])/float64(max(total, 1)))
	}
}

func writeStatDist(w io.Writer, d stats.Distribution) {
	if d.N == 0 {
		fmt.Fprintln(w, "  (none)")
		return
	}
	fmt.Fprintf(w, "  min %d  p5 %d  p25 %d  p50 %d  p75 %d  p95 %d  p99 %d  max %d  mean %.1f\n",
		d.Min, d.P5, d.P25, d.P50, d.P75, d.P95, d.P99, d.Max, d.Mean)
}
