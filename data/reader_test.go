package data

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

func TestReaderFileErrorsAndIndex(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.jsonl", []byte(`{"image_path": "a.png", "caption": "x"}`+"\n"+`{"image_path": "b.png", "caption": "y"}`))
	obj := writeFile(t, dir, "obj.json", []byte(`[`))
	r, err := Open(context.Background(), []string{filepath.Join(dir, "missing.jsonl"), good, obj, good}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var fileErrs []string
	var idx []int
	for {
		ex, err := r.Next()
		if err == io.EOF {
			break
		}
		var fe *FileError
		var re *RecordError
		switch {
		case errors.As(err, &fe):
			fileErrs = append(fileErrs, filepath.Base(fe.File))
		case errors.As(err, &re):
			fileErrs = append(fileErrs, "record:"+filepath.Base(re.File))
		case err != nil:
			t.Fatal(err)
		default:
			idx = append(idx, ex.Index)
		}
	}
	if strings.Join(fileErrs, ",") != "missing.jsonl,record:obj.json" {
		t.Errorf("errors %v", fileErrs)
	}
	// Index counts records across files: the broken array's end counts as one.
	if len(idx) != 4 || idx[0] != 0 || idx[2] != 3 {
		t.Errorf("indices %v", idx)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r2, _ := Open(ctx, []string{good}, Options{})
	if _, err := r2.Next(); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := Open(context.Background(), nil, Options{}); err == nil {
		t.Error("no files accepted")
	}
	if _, err := ReadAll(context.Background(), []string{good, obj}, Options{}, func(re *RecordError) error { return re }); err == nil {
		t.Error("ReadAll did not stop on onBad's error")
	}
}

func TestExampleHelpers(t *testing.T) {
	ex := &Example{Origin: Origin{File: "f.parquet", Row: 0, IsRow: true}}
	if ex.Name() != "f.parquet row 0" {
		t.Errorf("name %q", ex.Name())
	}
	ex.Meta.QualityScore, ex.Meta.HasQuality = 0.5, true
	if v, ok := ex.Meta.Field("quality_score"); !ok || v != "0.5" {
		t.Errorf("field %q %v", v, ok)
	}
	if _, ok := ex.Meta.Field("nope"); ok {
		t.Error("absent field found")
	}
	if (Origin{File: "s.tar", Member: "0.jpg"}).String() != "s.tar[0.jpg]" || Conversation.String() != "conversation" {
		t.Error("formatting")
	}
}
