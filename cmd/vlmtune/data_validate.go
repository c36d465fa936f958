package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/validate"
	"github.com/vlmtune/vlmtune/tokenizer"
)

// dataReaderFlags are the data-reading flags shared by the data subcommands.
type dataReaderFlags struct {
	root, format                    string
	csvImgKey, csvCapKey, csvSep    string
	parquetImageCol, parquetTextCol string
}

func (f *dataReaderFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.root, "root", "", "folder that image paths are resolved against (default: each data file's folder); paths may not escape it")
	fl.StringVar(&f.format, "format", "auto", "file format: auto, json, jsonl, csv, tsv, wds (tar), parquet")
	fl.StringVar(&f.csvImgKey, "csv-img-key", "", "CSV/TSV image column (default: first of "+fmt.Sprint(data.DefaultImageKeys)+")")
	fl.StringVar(&f.csvCapKey, "csv-caption-key", "", "CSV/TSV caption column (default: first of "+fmt.Sprint(data.DefaultCaptionKeys)+")")
	fl.StringVar(&f.csvSep, "csv-separator", "", "CSV/TSV field separator (default: ',' for .csv, tab for .tsv)")
	fl.StringVar(&f.parquetImageCol, "parquet-image-col", "image", "Parquet image column (binary, or a struct {bytes, path})")
	fl.StringVar(&f.parquetTextCol, "parquet-text-col", "", "Parquet text column (default: text or caption)")
}

func (f *dataReaderFlags) options() (data.Options, error) {
	format, err := data.ParseFormat(f.format)
	if err != nil {
		return data.Options{}, err
	}
	o := data.Options{
		Root:    f.root,
		Format:  format,
		CSV:     data.CSVOptions{ImageKey: f.csvImgKey, CaptionKey: f.csvCapKey},
		Parquet: data.ParquetOptions{ImageColumn: f.parquetImageCol, TextColumn: f.parquetTextCol},
	}
	if f.csvSep != "" {
		sep := f.csvSep
		if sep == `\t` || sep == "tab" {
			sep = "\t"
		}
		r, n := utf8.DecodeRuneInString(sep)
		if n != len(sep) || r == '"' || r == '\n' || r == '\r' {
			return o, fmt.Errorf("--csv-separator %q must be a single character other than a quote or newline", f.csvSep)
		}
		o.CSV.Separator = r
	}
	if f.root != "" {
		if st, err := os.Stat(f.root); err != nil || !st.IsDir() {
			return o, fmt.Errorf("--root %s is not a folder", f.root)
		}
	}
	return o, nil
}

// dataTokenFlags select the tokenizer used to count caption tokens.
type dataTokenFlags struct {
	dir       string
	maxTokens int
}

func (f *dataTokenFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dir, "tokenizer", "", "tokenizer folder (tokenizer.json etc.) used to count caption tokens")
	cmd.Flags().IntVar(&f.maxTokens, "max-tokens", 0, "token limit (default: the tokenizer's model_max_length); needs --tokenizer")
}

func (f *dataTokenFlags) counter() (data.TokenCounter, error) {
	if f.dir == "" {
		if f.maxTokens != 0 {
			return nil, errors.New("--max-tokens needs --tokenizer to count tokens")
		}
		return nil, nil
	}
	if f.maxTokens < 0 {
		return nil, fmt.Errorf("--max-tokens %d must be positive", f.maxTokens)
	}
	return loadDataTokenCounter(f.dir, f.maxTokens)
}

type dataValidateFlags struct {
	dataReaderFlags
	dataTokenFlags
	json, decode, noDup, strict bool
}

func init() {
	var f dataValidateFlags
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check data files: JSON, images, captions, <image> tags, metadata, duplicates",
		Long: `Validate reads image-text data files (JSON/JSONL pairs or LLaVA conversations,
CSV/TSV, webdataset tar shards including brace patterns such as
shard-{000..009}.tar, Parquet) and reports every problem with its file and
line (or shard member, or Parquet row): malformed JSON, invalid UTF-8,
missing, unreadable or undecodable images, empty captions, captions over the
tokenizer's limit, missing or extra <image> tags, bad metadata types and
duplicate records. It streams, so memory does not grow with the file.

The exit status is 1 when errors are found (with --strict, warnings too).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDataValidate(cmd, args, &f)
		},
	}
	f.dataReaderFlags.add(cmd)
	f.dataTokenFlags.add(cmd)
	cmd.Flags().BoolVar(&f.json, "json", false, "write the report as JSON")
	cmd.Flags().BoolVar(&f.decode, "decode", false, "decode whole images (slower; finds truncated pixel data) instead of reading headers")
	cmd.Flags().BoolVar(&f.noDup, "no-duplicates", false, "skip duplicate detection (which keeps ~100 bytes per record)")
	cmd.Flags().BoolVar(&f.strict, "strict", false, "treat warnings (too many tokens, duplicates) as errors")
	dataCmd.AddCommand(cmd)
}

// dataValidateProblem is one problem in the --json report.
type dataValidateProblem struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Member   string `json:"member,omitempty"`
	Row      *int64 `json:"row,omitempty"`
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func runDataValidate(cmd *cobra.Command, args []string, f *dataValidateFlags) error {
	ropts, err := f.options()
	if err != nil {
		return err
	}
	tc, err := f.counter()
	if err != nil {
		return err
	}
	if tc != nil && tc.MaxTokens() == 0 {
		return fmt.Errorf("--tokenizer %s has no model_max_length; pass --max-tokens N", f.dir)
	}
	checker := validate.New(validate.Options{Decode: f.decode, Tokens: tc, Duplicates: !f.noDup})
	w := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
	defer w.Flush()
	n := 0
	emit := func(p *data.RecordError) {
		sev := "error"
		if p.Warning {
			sev = "warning"
		}
		if f.json {
			jp := dataValidateProblem{File: p.File, Line: p.Line, Member: p.Member, Kind: p.Kind, Severity: sev, Message: p.Msg}
			if p.IsRow {
				row := p.Row
				jp.Row = &row
			}
			b := dataMarshalJSON(jp, "")
			if n > 0 {
				w.WriteString(",\n  ")
			}
			w.Write(b)
		} else {
			fmt.Fprintf(w, "%s: %s: %s [%s]\n", p.Origin, sev, p.Msg, p.Kind)
		}
		n++
	}
	if f.json {
		w.WriteString("{\"problems\": [\n  ")
	}
	sum, err := validate.Run(cmd.Context(), args, ropts, checker, emit)
	if err != nil {
		return err
	}
	if f.json {
		b := dataMarshalJSON(sum, "  ")
		fmt.Fprintf(w, "\n],\n\"summary\": %s}\n", b)
	} else {
		writeValidateSummary(w, sum)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	bad := sum.Errors
	if f.strict {
		bad += sum.Warnings
	}
	if bad > 0 {
		return &exitError{code: 1, err: fmt.Errorf("validation found %d errors and %d warnings in %d records", sum.Errors, sum.Warnings, sum.Records)}
	}
	return nil
}

func writeValidateSummary(w io.Writer, s *validate.Summary) {
	fmt.Fprintf(w, "%d records in %d file(s): %d valid, %d with errors; %d errors, %d warnings", s.Records, len(s.Files), s.Valid, s.Invalid, s.Errors, s.Warnings)
	if s.FileErrors > 0 {
		fmt.Fprintf(w, "; %d file(s) could not be read", s.FileErrors)
	}
	fmt.Fprintln(w)
	for _, k := range s.Kinds() {
		fmt.Fprintf(w, "  %-20s %d\n", k, s.ByKind[k])
	}
}

// dataTokenCounter counts tokens with a tokenizer: special tokens included, no
// truncation or padding.
type dataTokenCounter struct {
	tok *tokenizer.Tokenizer
	max int
}

func (c dataTokenCounter) CountTokens(s string) int {
	return len(c.tok.EncodeBatch([]string{s}, tokenizer.EncodeOptions{AddSpecialTokens: true})[0].IDs)
}

func (c dataTokenCounter) MaxTokens() int { return c.max }

// loadDataTokenCounter loads the tokenizer in dir for counting tokens; the
// limit is maxTokens, or else the tokenizer's model_max_length (0 when it
// has none, or Hugging Face's "very large" placeholder).
func loadDataTokenCounter(dir string, maxTokens int) (data.TokenCounter, error) {
	tok, err := tokenizer.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("--tokenizer %s: %w", dir, err)
	}
	limit := maxTokens
	if limit == 0 {
		limit = tok.ModelMaxLength()
		if limit < 0 || limit > 1_000_000 {
			limit = 0
		}
	}
	return dataTokenCounter{tok: tok, max: limit}, nil
}

// dataMarshalJSON encodes v without HTML escaping (messages quote <image>),
// indented when indent is not empty, without a trailing newline.
func dataMarshalJSON(v any, indent string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return []byte(fmt.Sprintf("%q", err.Error()))
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}
