package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/eval/bleu"
	"github.com/vlmtune/vlmtune/eval/cider"
	"github.com/vlmtune/vlmtune/eval/rouge"
	"github.com/vlmtune/vlmtune/eval/vqa"
)

// scoreFlags are the options of `vlmtune score`.
type scoreFlags struct {
	metric      string
	hyps        string
	refs        []string
	tokenize    string
	smooth      string
	smoothValue float64
	sentence    bool
	stem        bool
}

func newScoreCmd() *cobra.Command {
	f := &scoreFlags{}
	cmd := &cobra.Command{
		Use:   "score --metric bleu|rouge|cider|vqa --hyps FILE --refs FILE [--refs FILE...]",
		Short: "Score hypotheses against references with BLEU, ROUGE, CIDEr-D or VQA accuracy",
		Long: `score reads one example per line from --hyps and from each --refs file (one
file per reference; for vqa a single --refs file whose lines hold the
annotators' answers separated by '|') and prints JSON with the corpus score
under the metric's name: "bleu" (sacrebleu, 0-100), "rouge1", "rouge2",
"rougeL", "rougeLsum" (rouge-score, each {"precision","recall","f"}),
"cider" (pycocoevalcap CIDEr-D) or "vqa_accuracy" (official VQA accuracy,
percent). Each example is one line, so rougeLsum equals rougeL here. --sentence adds a "per_example" list (sentence BLEU uses
effective order, as sacrebleu --sentence-level does).

Line endings "\n" and "\r\n" are accepted; files must be UTF-8.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := runScore(cmd, f)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.metric, "metric", "", "bleu, rouge, cider or vqa (required)")
	fl.StringVar(&f.hyps, "hyps", "", "file with one hypothesis per line (required)")
	fl.StringArrayVar(&f.refs, "refs", nil, "reference file, one reference per line; repeat for several references (required)")
	fl.StringVar(&f.tokenize, "tokenize", "", "bleu: 13a (default), intl, char, none; cider: ptb (default), none")
	fl.StringVar(&f.smooth, "smooth", "exp", "bleu smoothing: exp, floor, add-k, none")
	fl.Float64Var(&f.smoothValue, "smooth-value", 0, "bleu smoothing value for floor (default 0.1) and add-k (default 1)")
	fl.BoolVar(&f.sentence, "sentence", false, "also print per-example scores")
	fl.BoolVar(&f.stem, "stem", false, "rouge: Porter-stem tokens longer than 3 characters")
	return cmd
}

func init() { rootCmd.AddCommand(newScoreCmd()) }

// readScoreLines reads a UTF-8 text file as lines ("\n" or "\r\n"; a final
// newline does not start an extra line). An empty file is an error.
func readScoreLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%s is empty: expected one example per line", path)
	}
	s := strings.TrimSuffix(string(b), "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
		if !utf8.ValidString(lines[i]) {
			return nil, fmt.Errorf("%s:%d: not valid UTF-8; convert the file to UTF-8", path, i+1)
		}
	}
	return lines, nil
}

func runScore(cmd *cobra.Command, f *scoreFlags) (map[string]any, error) {
	changed := func(name string) bool { return cmd.Flags().Changed(name) }
	switch f.metric {
	case "bleu", "rouge", "cider", "vqa":
	case "":
		return nil, fmt.Errorf("--metric is required (bleu, rouge, cider or vqa)")
	default:
		return nil, fmt.Errorf("unknown metric %q: use bleu, rouge, cider or vqa", f.metric)
	}
	if f.hyps == "" {
		return nil, fmt.Errorf("--hyps FILE is required")
	}
	if len(f.refs) == 0 {
		return nil, fmt.Errorf("--refs FILE is required (repeat it for several references)")
	}
	if f.metric != "bleu" {
		for _, name := range []string{"smooth", "smooth-value"} {
			if changed(name) {
				return nil, fmt.Errorf("--%s applies to --metric bleu only", name)
			}
		}
	}
	if f.metric != "rouge" && changed("stem") {
		return nil, fmt.Errorf("--stem applies to --metric rouge only")
	}
	if (f.metric == "rouge" || f.metric == "vqa") && changed("tokenize") {
		return nil, fmt.Errorf("--tokenize applies to --metric bleu and cider only")
	}
	if f.metric == "vqa" && len(f.refs) != 1 {
		return nil, fmt.Errorf("--metric vqa takes one --refs file whose lines hold the answers separated by '|', got %d files", len(f.refs))
	}

	hyps, err := readScoreLines(f.hyps)
	if err != nil {
		return nil, err
	}
	streams := make([][]string, len(f.refs))
	for k, path := range f.refs {
		if streams[k], err = readScoreLines(path); err != nil {
			return nil, err
		}
		if len(streams[k]) != len(hyps) {
			return nil, fmt.Errorf("line counts differ: %s has %d lines but %s has %d; every file needs one line per example",
				f.hyps, len(hyps), path, len(streams[k]))
		}
	}
	refs := make([][]string, len(hyps))
	for i := range hyps {
		for k := range streams {
			refs[i] = append(refs[i], streams[k][i])
		}
	}

	out := map[string]any{"metric": f.metric, "examples": len(hyps)}
	switch f.metric {
	case "bleu":
		opts := bleu.Options{Tokenize: f.tokenize, Smooth: f.smooth}
		if changed("smooth-value") {
			v := f.smoothValue
			opts.SmoothValue = &v
		}
		s, err := bleu.New(opts)
		if err != nil {
			return nil, err
		}
		sc, err := s.Corpus(hyps, refs)
		if err != nil {
			return nil, err
		}
		out["bleu"] = sc.Score
		out["bleu_details"] = sc
		if f.sentence {
			sopts := opts
			sopts.EffectiveOrder = true
			ss, err := bleu.New(sopts)
			if err != nil {
				return nil, err
			}
			per, err := ss.Sentences(hyps, refs)
			if err != nil {
				return nil, err
			}
			vals := make([]float64, len(per))
			for i, p := range per {
				vals[i] = p.Score
			}
			out["per_example"] = vals
		}
	case "rouge":
		s, err := rouge.New(rouge.Options{Stem: f.stem})
		if err != nil {
			return nil, err
		}
		res, err := s.Corpus(hyps, refs)
		if err != nil {
			return nil, err
		}
		for k, v := range res.Mean {
			out[k] = v
		}
		if f.sentence {
			out["per_example"] = res.PerExample
		}
	case "cider":
		res, err := cider.Compute(hyps, refs, cider.Options{Tokenize: f.tokenize})
		if err != nil {
			return nil, err
		}
		out["cider"] = res.Score
		if f.sentence {
			out["per_example"] = res.PerExample
		}
	case "vqa":
		qs := make([]vqa.Question, len(hyps))
		for i := range hyps {
			answers := strings.Split(streams[0][i], "|")
			if strings.TrimSpace(streams[0][i]) == "" {
				return nil, fmt.Errorf("%s:%d: no answers; write the annotators' answers separated by '|'", f.refs[0], i+1)
			}
			qs[i] = vqa.Question{Prediction: hyps[i], Answers: answers}
		}
		res, err := vqa.Evaluate(qs)
		if err != nil {
			return nil, err
		}
		out["vqa_accuracy"] = res.Overall
		if f.sentence {
			out["per_example"] = res.PerQuestion
		}
	}
	return out, nil
}
