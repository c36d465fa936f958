// Package split divides a data file into training and validation files,
// deterministically for a seed, optionally stratified by a metadata field,
// copying every record verbatim and losing none: records that fail to parse
// are carried along too (in their own stratum) and counted.
//
// JSONL input gives NAME.train.jsonl and NAME.val.jsonl with the lines as
// written; a JSON array gives JSONL files whose lines are the array's
// elements with insignificant whitespace removed; CSV and TSV input gives
// .csv/.tsv files that start with the input's header line, followed by the
// records' bytes as written (quoted newlines included).
package split

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/data"
)

// Options configure Split.
type Options struct {
	// Val is the fraction of records for validation, in [0, 1].
	Val float64
	// Seed selects the split; the same seed gives the same split.
	Seed uint64
	// Stratify names a metadata field (such as "source" or "language")
	// whose values each get the same validation fraction; empty for none.
	Stratify string
	// Out is the output prefix: files are OUT.train.EXT and OUT.val.EXT.
	// Empty means the input path without its extension.
	Out string
}

// Stratum keys for records without the field, and for records that do not
// parse.
const (
	NoValue = "(none)"
	Invalid = "(invalid)"
)

// Result says what Split wrote.
type Result struct {
	TrainPath, ValPath string
	Train, Val         int
	// Invalid counts records that did not parse (copied along all the same).
	Invalid int
	// Strata gives [train, val] counts per stratum (one "" stratum when not
	// stratified).
	Strata map[string][2]int
}

// Split splits the file at path (JSON, JSONL, CSV or TSV).
func Split(ctx context.Context, path string, ropts data.Options, opts Options) (*Result, error) {
	if opts.Val < 0 || opts.Val > 1 || math.IsNaN(opts.Val) {
		return nil, fmt.Errorf("validation fraction %v must be between 0 and 1", opts.Val)
	}
	format := ropts.Format
	if format == data.FormatAuto {
		f, err := data.Sniff(path)
		if err != nil {
			return nil, err
		}
		format = f
	}
	ext := ".jsonl"
	switch format {
	case data.FormatJSONL, data.FormatJSONArray:
	case data.FormatCSV:
		ext = ".csv"
	case data.FormatTSV:
		ext = ".tsv"
	default:
		return nil, fmt.Errorf("%s: split handles JSON, JSONL, CSV and TSV files; split %s data by whole shards or files instead", path, format)
	}
	ropts.Format = format
	ropts.KeepRaw = true
	prefix := opts.Out
	if prefix == "" {
		prefix = strings.TrimSuffix(path, filepath.Ext(path))
	}
	res := &Result{TrainPath: prefix + ".train" + ext, ValPath: prefix + ".val" + ext, Strata: map[string][2]int{}}
	for _, p := range []string{res.TrainPath, res.ValPath} {
		if same(p, path) {
			return nil, fmt.Errorf("output %s would overwrite the input; pass a different --out", p)
		}
	}

	// Pass 1: the stratum of every record, in order.
	ids := map[string]int{}
	var names []string
	var keys []int
	err := each(ctx, path, ropts, func(ex *data.Example, re *data.RecordError) error {
		key := ""
		switch {
		case re != nil:
			key = Invalid
			res.Invalid++
		case opts.Stratify != "":
			v, ok := ex.Meta.Field(opts.Stratify)
			if !ok {
				v = NoValue
			}
			key = v
		}
		id, ok := ids[key]
		if !ok {
			id = len(names)
			ids[key] = id
			names = append(names, key)
		}
		keys = append(keys, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	isVal := assign(keys, names, opts)

	// Pass 2: copy the records.
	train, err := newOutput(res.TrainPath)
	if err != nil {
		return nil, err
	}
	defer train.abort()
	val, err := newOutput(res.ValPath)
	if err != nil {
		return nil, err
	}
	defer val.abort()
	if format == data.FormatCSV || format == data.FormatTSV {
		header, err := csvHeader(path, format, ropts.CSV.Separator)
		if err != nil {
			return nil, err
		}
		train.w.Write(header)
		val.w.Write(header)
	}
	i := 0
	err = each(ctx, path, ropts, func(ex *data.Example, re *data.RecordError) error {
		raw := []byte(nil)
		if re != nil {
			raw = re.Raw
		} else {
			raw = ex.Raw
		}
		if i >= len(keys) {
			return fmt.Errorf("%s changed while being split", path)
		}
		out := train
		if isVal[i] {
			out = val
		}
		c := res.Strata[names[keys[i]]]
		if isVal[i] {
			c[1]++
			res.Val++
		} else {
			c[0]++
			res.Train++
		}
		res.Strata[names[keys[i]]] = c
		i++
		return out.record(raw, format)
	})
	if err != nil {
		return nil, err
	}
	if i != len(keys) {
		return nil, fmt.Errorf("%s changed while being split", path)
	}
	if err := train.commit(); err != nil {
		return nil, err
	}
	if err := val.commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// each calls fn for every record of the file, good or bad. A bad record
// whose bytes were not kept, and any file-level error, stop it.
func each(ctx context.Context, path string, ropts data.Options, fn func(*data.Example, *data.RecordError) error) error {
	r, err := data.Open(ctx, []string{path}, ropts)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		ex, err := r.Next()
		if err == io.EOF {
			return nil
		}
		var re *data.RecordError
		switch {
		case err == nil:
			err = fn(ex, nil)
		case errors.As(err, &re):
			if re.Raw == nil {
				return fmt.Errorf("cannot copy the record at %s verbatim (%s); fix it first (see `vlmtune data validate`)", re.Origin, re.Msg)
			}
			err = fn(nil, re)
		default:
			return err
		}
		if err != nil {
			return err
		}
	}
}

// assign picks the validation records: per stratum, a permutation seeded by
// (seed, stratum name), of which the first k go to validation. The k are
// chosen by the largest-remainder method so that they add up to
// round(Val*N) and each stratum gets its share within one record.
func assign(keys []int, names []string, opts Options) []bool {
	members := make([][]int, len(names))
	for i, k := range keys {
		members[k] = append(members[k], i)
	}
	quota := make([]int, len(names))
	type rem struct {
		id   int
		frac float64
	}
	var rems []rem
	total := 0
	for id, m := range members {
		q := opts.Val * float64(len(m))
		quota[id] = int(math.Floor(q))
		total += quota[id]
		rems = append(rems, rem{id, q - math.Floor(q)})
	}
	want := int(math.Round(opts.Val * float64(len(keys))))
	sort.SliceStable(rems, func(a, b int) bool {
		if rems[a].frac != rems[b].frac {
			return rems[a].frac > rems[b].frac
		}
		return names[rems[a].id] < names[rems[b].id]
	})
	for j := 0; total < want && j < len(rems); j++ {
		if quota[rems[j].id] < len(members[rems[j].id]) {
			quota[rems[j].id]++
			total++
		}
	}
	isVal := make([]bool, len(keys))
	for id, m := range members {
		h := fnv.New64a()
		h.Write([]byte(names[id]))
		rng := rand.New(rand.NewPCG(opts.Seed, h.Sum64()))
		perm := rng.Perm(len(m))
		for _, p := range perm[:quota[id]] {
			isVal[m[p]] = true
		}
	}
	return isVal
}

// csvHeader returns the header line of a CSV/TSV file as written.
func csvHeader(path string, format data.Format, sep rune) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReader(f))
	cr.Comma = ','
	if format == data.FormatTSV {
		cr.Comma = '\t'
	}
	if sep != 0 {
		cr.Comma = sep
	}
	cr.FieldsPerRecord = -1
	if _, err := cr.Read(); err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	buf := make([]byte, cr.InputOffset())
	if _, err := f.ReadAt(buf, 0); err != nil {
		return nil, err
	}
	if len(buf) > 0 && buf[len(buf)-1] != '\n' {
		buf = append(buf, '\n')
	}
	return buf, nil
}

// output writes one split file through a temporary file renamed on commit.
type output struct {
	path string
	tmp  *os.File
	w    *bufio.Writer
	done bool
}

func newOutput(path string) (*output, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &output{path: path, tmp: tmp, w: bufio.NewWriterSize(tmp, 256<<10)}, nil
}

// record writes one record: JSON values on one line each, CSV records as
// they were (with a final newline added when the file had none).
func (o *output) record(raw []byte, format data.Format) error {
	switch format {
	case data.FormatJSONArray:
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			// Not valid JSON (an invalid record): keep it on one line as is.
			buf.Reset()
			buf.Write(bytes.ReplaceAll(raw, []byte("\n"), []byte(" ")))
		}
		buf.WriteByte('\n')
		_, err := o.w.Write(buf.Bytes())
		return err
	case data.FormatJSONL:
		o.w.Write(raw)
		return o.w.WriteByte('\n')
	}
	o.w.Write(raw)
	if len(raw) == 0 || raw[len(raw)-1] != '\n' {
		return o.w.WriteByte('\n')
	}
	return nil
}

func (o *output) commit() error {
	if err := o.w.Flush(); err != nil {
		return err
	}
	if err := o.tmp.Close(); err != nil {
		return err
	}
	o.done = true
	return os.Rename(o.tmp.Name(), o.path)
}

func (o *output) abort() {
	if !o.done {
		o.tmp.Close()
		os.Remove(o.tmp.Name())
	}
}

func same(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
