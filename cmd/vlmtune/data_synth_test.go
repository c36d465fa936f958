package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataSynth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shapes")
	args := []string{"data", "synth", "--kind", "shapes", "--n", "12", "--seed", "3", "--out", dir,
		"--size", "32", "--domain", "b", "--split", "val", "--max-objects", "2", "--label-noise", "0", "--workers", "2", "--force=false"}
	out, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "wrote 12 examples (16 classes)") {
		t.Errorf("output %q", out)
	}
	for _, f := range []string{"images/000011.png", "pairs.jsonl", "conversations.json", "labels.txt", "synth.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	labels, _ := os.ReadFile(filepath.Join(dir, "labels.txt"))
	if !strings.HasPrefix(string(labels), "purple star\n") {
		t.Errorf("labels.txt starts %q", labels[:20])
	}
	_, err = runCLI(t, args...)
	wantErr(t, err, "not empty", "--force")
	_, err = runCLI(t, "data", "synth", "--kind", "shapes", "--n", "5", "--seed", "0", "--out", dir+"2",
		"--size", "64", "--domain", "z", "--split", "train", "--max-objects", "1", "--label-noise", "0", "--workers", "0", "--force=false")
	wantErr(t, err, `domain "z"`)
}
