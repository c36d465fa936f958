package split

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/data"
)

func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func makeJSONL(t *testing.T, dir string, n int) (string, []string) {
	var recs []string
	for i := 0; i < n; i++ {
		src := []string{"web", "book", "wiki"}[i%3]
		if i%10 == 0 {
			src = "rare"
		}
		recs = append(recs, fmt.Sprintf(`{"image_path": "img%d.png",   "caption": "c %d", "metadata": {"source": %q}}`, i, i, src))
	}
	recs = append(recs, `{"broken json`, `{"image_path": "x.png", "caption": "no source"}`)
	p := filepath.Join(dir, "data.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(recs, "\n")+"\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, recs
}

func TestSplitJSONL(t *testing.T) {
	dir := t.TempDir()
	p, recs := makeJSONL(t, dir, 200)
	for _, stratify := range []string{"", "source"} {
		res, err := Split(context.Background(), p, data.Options{}, Options{Val: 0.1, Seed: 7, Stratify: stratify})
		if err != nil {
			t.Fatal(err)
		}
		train, val := lines(t, res.TrainPath), lines(t, res.ValPath)
		if res.TrainPath != filepath.Join(dir, "data.train.jsonl") || res.ValPath != filepath.Join(dir, "data.val.jsonl") {
			t.Errorf("paths %s %s", res.TrainPath, res.ValPath)
		}
		// 202 records: round(20.2) = 20 in validation.
		if len(val) != 20 || len(train) != 182 || res.Val != 20 || res.Train != 182 || res.Invalid != 1 {
			t.Fatalf("stratify=%q: %d train, %d val, result %+v", stratify, len(train), len(val), res)
		}
		union := append(append([]string(nil), train...), val...)
		sort.Strings(union)
		want := append([]string(nil), recs...)
		sort.Strings(want)
		if !reflect.DeepEqual(union, want) {
			t.Errorf("stratify=%q: the union of the splits differs from the input", stratify)
		}
		if !sortedBy(train, recs) || !sortedBy(val, recs) {
			t.Errorf("records not kept in input order")
		}
		if stratify == "source" {
			// web/book/wiki/rare have 60/60/60/20 records (+ "(none)" 1,
			// "(invalid)" 1): 6/6/6/2 in validation.
			for k, n := range map[string]int{"web": 6, "book": 6, "wiki": 6, "rare": 2} {
				if res.Strata[k][1] != n {
					t.Errorf("stratum %s: %v, want %d in validation", k, res.Strata[k], n)
				}
			}
		}
	}
	// Deterministic by seed; another seed gives another split.
	r1, _ := Split(context.Background(), p, data.Options{}, Options{Val: 0.1, Seed: 7, Out: filepath.Join(dir, "a")})
	v1 := lines(t, r1.ValPath)
	r2, _ := Split(context.Background(), p, data.Options{}, Options{Val: 0.1, Seed: 7, Out: filepath.Join(dir, "b")})
	r3, _ := Split(context.Background(), p, data.Options{}, Options{Val: 0.1, Seed: 8, Out: filepath.Join(dir, "c")})
	if !reflect.DeepEqual(v1, lines(t, r2.ValPath)) {
		t.Error("same seed, different split")
	}
	if reflect.DeepEqual(v1, lines(t, r3.ValPath)) {
		t.Error("different seeds, same split")
	}
	if _, err := Split(context.Background(), p, data.Options{}, Options{Val: 1.5}); err == nil {
		t.Error("fraction 1.5 accepted")
	}
	if _, err := Split(context.Background(), p, data.Options{}, Options{Val: 0.1, Out: filepath.Join(dir, "data.train")}); err != nil {
		t.Errorf("out prefix: %v", err)
	}
}

// sortedBy tells whether got keeps the order the lines have in all.
func sortedBy(got, all []string) bool {
	pos := map[string]int{}
	for i, s := range all {
		pos[s] = i
	}
	for i := 1; i < len(got); i++ {
		if pos[got[i-1]] > pos[got[i]] {
			return false
		}
	}
	return true
}

func TestSplitCSVAndJSONArray(t *testing.T) {
	dir := t.TempDir()
	csvText := "filepath,title,source\n" +
		"a.png,\"multi\nline\",x\n" +
		"b.png,plain,y\n" +
		"c.png,\"bad \"quote\",y\n" +
		"d.png,last,x"
	p := filepath.Join(dir, "d.csv")
	os.WriteFile(p, []byte(csvText), 0o644)
	res, err := Split(context.Background(), p, data.Options{}, Options{Val: 0.5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := os.ReadFile(res.TrainPath)
	vb, _ := os.ReadFile(res.ValPath)
	if !strings.HasPrefix(string(tb), "filepath,title,source\n") || !strings.HasPrefix(string(vb), "filepath,title,source\n") {
		t.Errorf("header missing: %q / %q", tb, vb)
	}
	body := strings.TrimPrefix(string(tb), "filepath,title,source\n") + strings.TrimPrefix(string(vb), "filepath,title,source\n")
	for _, rec := range []string{"a.png,\"multi\nline\",x\n", "b.png,plain,y\n", "c.png,\"bad \"quote\",y\n", "d.png,last,x\n"} {
		if strings.Count(body, rec) != 1 {
			t.Errorf("record %q appears %d times in %q", rec, strings.Count(body, rec), body)
		}
	}
	if res.Train != 2 || res.Val != 2 || res.Invalid != 1 || filepath.Ext(res.TrainPath) != ".csv" {
		t.Errorf("result %+v", res)
	}

	arr := "[\n {\"image_path\": \"a.png\",\n  \"caption\": \"one\"},\n {\"image_path\": \"b.png\", \"caption\": \"two\"}\n]"
	p = filepath.Join(dir, "arr.json")
	os.WriteFile(p, []byte(arr), 0o644)
	res, err = Split(context.Background(), p, data.Options{}, Options{Val: 0.5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := append(lines(t, res.TrainPath), lines(t, res.ValPath)...)
	sort.Strings(got)
	want := []string{`{"image_path":"a.png","caption":"one"}`, `{"image_path":"b.png","caption":"two"}`}
	if !reflect.DeepEqual(got, want) || filepath.Ext(res.TrainPath) != ".jsonl" {
		t.Errorf("array split: %v", got)
	}
	if _, err := Split(context.Background(), filepath.Join(dir, "x.tar"), data.Options{}, Options{Val: 0.1}); err == nil || !strings.Contains(err.Error(), "whole shards") {
		t.Errorf("tar: %v", err)
	}
}

func TestAssignLargestRemainder(t *testing.T) {
	// Three strata of 5 with Val 0.1: each quota is 0.5, the total
	// round(1.5) = 2 goes to the first two names in order.
	keys := []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2}
	isVal := assign(keys, []string{"a", "b", "c"}, Options{Val: 0.1, Seed: 1})
	per := make([]int, 3)
	for i, v := range isVal {
		if v {
			per[keys[i]]++
		}
	}
	if !reflect.DeepEqual(per, []int{1, 1, 0}) {
		t.Errorf("per stratum %v", per)
	}
}
