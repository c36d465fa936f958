package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func scoreWriteFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runScoreCmd runs a fresh `score` command in-process.
func runScoreCmd(t *testing.T, args ...string) (map[string]any, string, error) {
	t.Helper()
	cmd := newScoreCmd()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	if err != nil {
		return nil, out.String(), err
	}
	var m map[string]any
	if e := json.Unmarshal(out.Bytes(), &m); e != nil {
		t.Fatalf("output is not JSON: %v\n%s", e, out.String())
	}
	return m, out.String(), nil
}

func TestScoreBLEU(t *testing.T) {
	dir := t.TempDir()
	// sacrebleu's README example (test/test_bleu.py: 48.530827).
	hyps := scoreWriteFile(t, dir, "hyps.txt", "The dog bit the man.\nIt wasn't surprising.\nThe man had just bitten him.\n")
	r1 := scoreWriteFile(t, dir, "r1.txt", "The dog bit the man.\nIt was not unexpected.\nThe man bit him first.\n")
	r2 := scoreWriteFile(t, dir, "r2.txt", "The dog had bit the man.\r\nNo one was surprised.\r\nThe man had bitten the dog.")
	m, _, err := runScoreCmd(t, "--metric", "bleu", "--hyps", hyps, "--refs", r1, "--refs", r2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m["bleu"].(float64)-48.530827) > 1e-6 || m["per_example"] != nil {
		t.Errorf("bleu %v", m)
	}
	m, _, err = runScoreCmd(t, "--metric", "bleu", "--hyps", hyps, "--refs", r1, "--refs", r2, "--tokenize", "intl", "--sentence")
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m["bleu"].(float64)-43.91623493) > 1e-6 || len(m["per_example"].([]any)) != 3 {
		t.Errorf("intl %v", m)
	}
	// exp(mean(log 100)) is 100.00000000000004 in float64, as in sacrebleu.
	if math.Abs(m["per_example"].([]any)[0].(float64)-100) > 1e-9 {
		t.Errorf("identical sentence %v", m["per_example"])
	}
	// Smoothing options reach the scorer (test_sentence_bleu.py values).
	h := scoreWriteFile(t, dir, "h1.txt", "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;\n")
	r := scoreWriteFile(t, dir, "r1b.txt", "producţia de zahăr brut se exprimă în zahăr alb;\n")
	m, _, err = runScoreCmd(t, "--metric", "bleu", "--hyps", h, "--refs", r, "--smooth", "add-k", "--smooth-value", "2", "--sentence")
	if err != nil {
		t.Fatal(err)
	}
	if got := m["per_example"].([]any)[0].(float64); math.Abs(got-21.389) > 1e-3 {
		t.Errorf("add-k 2 sentence: %v", got)
	}
}

func TestScoreROUGECIDErVQA(t *testing.T) {
	dir := t.TempDir()
	hyps := scoreWriteFile(t, dir, "h.txt", "testing\ntesting one\n")
	refs := scoreWriteFile(t, dir, "r.txt", "testing one two\ntesting one two\n")
	m, _, err := runScoreCmd(t, "--metric", "rouge", "--hyps", hyps, "--refs", refs, "--stem", "--sentence")
	if err != nil {
		t.Fatal(err)
	}
	r1 := m["rouge1"].(map[string]any)
	// Mean of (P 1, R 1/3) and (P 1, R 2/3).
	if r1["precision"].(float64) != 1 || math.Abs(r1["recall"].(float64)-0.5) > 1e-12 || m["rougeLsum"] == nil || len(m["per_example"].([]any)) != 2 {
		t.Errorf("rouge %v", m)
	}

	ch := scoreWriteFile(t, dir, "ch.txt", "A dog runs on the grass.\nTwo cats sleep.\nA red bus!\n")
	cr1 := scoreWriteFile(t, dir, "cr1.txt", "A dog running on grass\nTwo cats sleeping on a sofa\nA red bus on a street\n")
	cr2 := scoreWriteFile(t, dir, "cr2.txt", "The dog runs.\nCats asleep.\nA bus, red.\n")
	m, _, err = runScoreCmd(t, "--metric", "cider", "--hyps", ch, "--refs", cr1, "--refs", cr2, "--sentence")
	if err != nil {
		t.Fatal(err)
	}
	if m["cider"].(float64) <= 0 || len(m["per_example"].([]any)) != 3 {
		t.Errorf("cider %v", m)
	}
	none, _, err := runScoreCmd(t, "--metric", "cider", "--hyps", ch, "--refs", cr1, "--refs", cr2, "--tokenize", "none")
	if err != nil {
		t.Fatal(err)
	}
	if none["cider"] == m["cider"] {
		t.Error("--tokenize none gave the same score as ptb on punctuated text")
	}

	vh := scoreWriteFile(t, dir, "vh.txt", "yes\nTwo\n")
	vr := scoreWriteFile(t, dir, "vr.txt", "yes|yes|yes|yes|yes|yes|yes|yes|yes|no\n2|2|3|3|3|3|3|3|3|3\n")
	m, _, err = runScoreCmd(t, "--metric", "vqa", "--hyps", vh, "--refs", vr, "--sentence")
	if err != nil {
		t.Fatal(err)
	}
	// Question 1: 100. Question 2 ("two" -> "2", 2 of 10 annotators): (2*1/3 + 8*2/3)/10 = 0.6.
	if math.Abs(m["vqa_accuracy"].(float64)-80) > 1e-9 {
		t.Errorf("vqa %v", m)
	}
}

func TestScoreErrors(t *testing.T) {
	dir := t.TempDir()
	two := scoreWriteFile(t, dir, "two.txt", "a\nb\n")
	three := scoreWriteFile(t, dir, "three.txt", "a\nb\nc\n")
	empty := scoreWriteFile(t, dir, "empty.txt", "")
	badUTF8 := scoreWriteFile(t, dir, "bad.txt", "a\n\xff\n")
	blankVQA := scoreWriteFile(t, dir, "blank.txt", "yes\n\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--metric", "bleu", "--hyps", two, "--refs", three}, "line counts differ: " + two + " has 2 lines but " + three + " has 3"},
		{[]string{"--metric", "bleu", "--hyps", filepath.Join(dir, "missing.txt"), "--refs", two}, "cannot read"},
		{[]string{"--metric", "meteor", "--hyps", two, "--refs", two}, `unknown metric "meteor"`},
		{[]string{"--hyps", two, "--refs", two}, "--metric is required"},
		{[]string{"--metric", "bleu", "--refs", two}, "--hyps FILE is required"},
		{[]string{"--metric", "bleu", "--hyps", two}, "--refs FILE is required"},
		{[]string{"--metric", "bleu", "--hyps", empty, "--refs", two}, "is empty"},
		{[]string{"--metric", "bleu", "--hyps", two, "--refs", empty}, "is empty"},
		{[]string{"--metric", "bleu", "--hyps", two, "--refs", badUTF8}, "bad.txt:2: not valid UTF-8"},
		{[]string{"--metric", "bleu", "--hyps", two, "--refs", two, "--tokenize", "moses"}, `unknown tokenizer "moses"`},
		{[]string{"--metric", "bleu", "--hyps", two, "--refs", two, "--smooth", "laplace"}, `unknown smoothing method "laplace"`},
		{[]string{"--metric", "cider", "--hyps", two, "--refs", two, "--tokenize", "13a"}, `unknown tokenization "13a"`},
		{[]string{"--metric", "rouge", "--hyps", two, "--refs", two, "--smooth", "floor"}, "--smooth applies to --metric bleu only"},
		{[]string{"--metric", "bleu", "--hyps", two, "--refs", two, "--stem"}, "--stem applies to --metric rouge only"},
		{[]string{"--metric", "vqa", "--hyps", two, "--refs", two, "--refs", two}, "one --refs file"},
		{[]string{"--metric", "vqa", "--hyps", two, "--refs", blankVQA}, "blank.txt:2: no answers"},
		{[]string{"--metric", "bleu", "--hyps", two, "--refs", two, "--bogus"}, "unknown flag: --bogus"},
		{[]string{"--metric", "bleu", "--hyps", two, "--refs", two, "extra"}, "unknown command"},
	}
	for _, c := range cases {
		_, out, err := runScoreCmd(t, c.args...)
		if err == nil {
			t.Errorf("%v: no error, output %s", c.args, out)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %q does not mention %q", c.args, err, c.want)
		}
	}
}

// TestScoreBinary builds the vlmtune binary and checks the exit status and
// messages of a good and a bad run. Building takes several seconds on two
// cores, so it runs only with VLMTUNE_BINARY_TESTS=1; the in-process tests
// above cover the command's behaviour.
func TestScoreBinary(t *testing.T) {
	if os.Getenv("VLMTUNE_BINARY_TESTS") != "1" {
		t.Skip("set VLMTUNE_BINARY_TESTS=1 to build and run the vlmtune binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "vlmtune")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	h := scoreWriteFile(t, dir, "h.txt", "a cat sat on the mat\n")
	r := scoreWriteFile(t, dir, "r.txt", "a cat sat on the mat\n")
	out, err := exec.Command(bin, "score", "--metric", "bleu", "--hyps", h, "--refs", r).Output()
	if err != nil {
		t.Fatalf("good run: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil || math.Abs(m["bleu"].(float64)-100) > 1e-9 {
		t.Errorf("good run output %s (%v)", out, err)
	}
	short := scoreWriteFile(t, dir, "short.txt", "x\ny\n")
	cmd := exec.Command(bin, "score", "--metric", "bleu", "--hyps", h, "--refs", short)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
		t.Fatalf("ragged run: err %v", err)
	}
	if !strings.Contains(stderr.String(), "line counts differ") {
		t.Errorf("stderr %q", stderr.String())
	}
}
