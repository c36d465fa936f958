package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
)

// Options configure a Reader.
type Options struct {
	// Root is the folder that image paths are resolved against. Empty means
	// the folder of each data file.
	Root string
	// Format forces a format for every file; FormatAuto sniffs each file.
	Format Format
	// CSV configures CSV and TSV files.
	CSV CSVOptions
	// Parquet configures Parquet files.
	Parquet ParquetOptions
	// KeepRaw stores each record's bytes in Example.Raw (JSON, JSONL, CSV,
	// TSV), as needed to write records back verbatim.
	KeepRaw bool
	// LazyImages leaves tar and Parquet image bytes on disk: the ImageRef
	// records where they are and ImageRef.Read fetches them. Use it to hold
	// a whole data set's examples in memory.
	LazyImages bool
	// MaxRecordBytes bounds one JSONL line, one JSON array element or one
	// tar member; 0 means 64 MiB.
	MaxRecordBytes int
}

func (o *Options) maxRecord() int {
	if o.MaxRecordBytes > 0 {
		return o.MaxRecordBytes
	}
	return 64 << 20
}

// Reader streams the examples of one or more data files.
//
// Next returns the next example; a bad record is returned as a *RecordError
// (with a nil example) and the following call goes on with the next record.
// At the end Next returns io.EOF. Any other error (a file that cannot be
// opened, a JSON array that breaks off) ends the file it happened in and is
// returned as a *FileError; Next then goes on with the next file.
type Reader struct {
	ctx   context.Context
	opts  Options
	paths []string
	cur   source
	next  int
	index int
}

// source is one file's record stream.
type source interface {
	next() (*Example, error)
	close() error
}

// ExpandPaths expands brace patterns in every path (see ExpandPattern).
func ExpandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		ps, err := ExpandPattern(p)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// Open returns a Reader over the given files (brace patterns expanded).
// Files are opened one at a time, as the reader reaches them.
func Open(ctx context.Context, paths []string, opts Options) (*Reader, error) {
	if len(paths) == 0 {
		return nil, errors.New("no data files given")
	}
	ps, err := ExpandPaths(paths)
	if err != nil {
		return nil, err
	}
	if opts.Format != FormatAuto {
		if _, err := ParseFormat(string(opts.Format)); err != nil {
			return nil, err
		}
	}
	return &Reader{ctx: ctx, opts: opts, paths: ps}, nil
}

// Files returns the expanded list of files the reader goes through.
func (r *Reader) Files() []string { return r.paths }

// Next returns the next example, a *RecordError for a bad record, a
// file-level error, or io.EOF at the end of the last file.
func (r *Reader) Next() (*Example, error) {
	for {
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
		if r.cur == nil {
			if r.next >= len(r.paths) {
				return nil, io.EOF
			}
			path := r.paths[r.next]
			r.next++
			src, err := r.openSource(path)
			if err != nil {
				return nil, &FileError{File: path, Err: err}
			}
			r.cur = src
		}
		ex, err := r.cur.next()
		if err == io.EOF {
			cerr := r.cur.close()
			r.cur = nil
			if cerr != nil {
				return nil, &FileError{File: r.paths[r.next-1], Err: cerr}
			}
			continue
		}
		var re *RecordError
		if err != nil && !errors.As(err, &re) {
			// A file-level error ends this file.
			r.cur.close()
			r.cur = nil
			if r.ctx.Err() != nil {
				return nil, r.ctx.Err()
			}
			return nil, &FileError{File: r.paths[r.next-1], Err: err}
		}
		idx := r.index
		r.index++
		if err != nil {
			return nil, err
		}
		ex.Index = idx
		return ex, nil
	}
}

// Close releases the file being read.
func (r *Reader) Close() error {
	if r.cur != nil {
		err := r.cur.close()
		r.cur = nil
		return err
	}
	return nil
}

func (r *Reader) openSource(path string) (source, error) {
	format := r.opts.Format
	if format == FormatAuto {
		f, err := Sniff(path)
		if err != nil {
			return nil, err
		}
		format = f
	}
	root := r.opts.Root
	if root == "" {
		root = filepath.Dir(path)
	}
	// Resolve the root once: ResolvePath is then free of system calls.
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	switch format {
	case FormatJSONL:
		return openJSONL(path, root, &r.opts)
	case FormatJSONArray:
		return openJSONArray(path, root, &r.opts)
	case FormatCSV:
		return openCSV(path, root, ',', &r.opts)
	case FormatTSV:
		return openCSV(path, root, '\t', &r.opts)
	case FormatWebDataset:
		return openWDS(path, &r.opts)
	case FormatParquet:
		return openParquet(path, root, &r.opts)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// ReadAll reads every example of the files. Each bad record is passed to
// onBad (a *RecordError); when onBad returns an error, reading stops with it.
// A nil onBad skips bad records silently. File-level errors stop reading.
func ReadAll(ctx context.Context, paths []string, opts Options, onBad func(*RecordError) error) ([]*Example, error) {
	r, err := Open(ctx, paths, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []*Example
	for {
		ex, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			var re *RecordError
			if errors.As(err, &re) {
				if onBad != nil {
					if err := onBad(re); err != nil {
						return out, err
					}
				}
				continue
			}
			return out, err
		}
		out = append(out, ex)
	}
}
