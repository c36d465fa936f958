package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vlmtune/vlmtune/builtin"
	builtinmodel "github.com/vlmtune/vlmtune/builtin/model"
	"github.com/vlmtune/vlmtune/synth"
)

var (
	cliOnce          sync.Once
	cliModel, cliDat string
	cliErr           error
)

// cliFixture extracts the built-in model and draws a small domain-b set.
func cliFixture(t *testing.T) (model, data string) {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vlmtune-cli-test-")
		if err != nil {
			cliErr = err
			return
		}
		if cliModel, cliErr = builtinmodel.Extract(filepath.Join(dir, "model")); cliErr != nil {
			return
		}
		cliDat = filepath.Join(dir, "data")
		_, cliErr = synth.Generate(context.Background(), synth.Config{N: 40, Seed: 3, Size: builtin.ImageSize, Domain: "a", Split: "val"}, cliDat, 0, true)
	})
	if cliErr != nil {
		t.Fatal(cliErr)
	}
	return cliModel, cliDat
}

func TestClassifyAndEmbedCommands(t *testing.T) {
	model, data := cliFixture(t)
	img := filepath.Join(data, "images", "000000.png")
	out, err := runCLI(t, "classify", "--model", model, "--image", img, "--labels", "red circle,blue square,green triangle", "--json", "--top", "0", "--labels-file", "")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Image       string
		Predictions []struct {
			Label       string
			Probability float64
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	sum := 0.0
	for _, p := range res.Predictions {
		sum += p.Probability
	}
	if len(res.Predictions) != 3 || sum < 0.999 || sum > 1.001 {
		t.Fatalf("predictions %+v (sum %v)", res.Predictions, sum)
	}
	_, err = runCLI(t, "classify", "--model", model, "--image", img, "--labels", "only one", "--labels-file", "", "--json=false")
	wantErr(t, err, "at least two")

	out, err = runCLI(t, "embed", "--model", model, "--text", "a red circle", "--text", "a blue square", "--bench=false")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"text":"a red circle"`) {
		t.Fatalf("embed output %q", out)
	}
	_, err = runCLI(t, "embed", "--model", model, "--text", "x", "--image", img, "--bench=false")
	wantErr(t, err, "either --image")
}

func TestEvalCommand(t *testing.T) {
	model, data := cliFixture(t)
	outFile := filepath.Join(t.TempDir(), "rep", "report.json")
	out, err := runCLI(t, "eval", "--model", model, "--data", filepath.Join(data, "pairs.jsonl"), "--task", "zeroshot",
		"--labels", filepath.Join(data, "labels.txt"), "--group-by", "size", "--out", outFile, "--robustness=false")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"top1", "by size", "report:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{outFile, strings.TrimSuffix(outFile, ".json") + ".html"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	_, err = runCLI(t, "eval", "--model", model, "--data", filepath.Join(data, "pairs.jsonl"), "--task", "vqa", "--out", "")
	wantErr(t, err, "needs a generative model")
	_, err = runCLI(t, "eval", "--model", model, "--data", filepath.Join(data, "pairs.jsonl"), "--task", "ranking")
	wantErr(t, err, "not one of retrieval, zeroshot")
}

func TestTrainCommandWithConfigAndOverrides(t *testing.T) {
	model, data := cliFixture(t)
	dir := t.TempDir()
	cfg := `model:
  path: ` + model + `
data:
  train: [` + filepath.Join(data, "pairs.jsonl") + `]
  val: [` + filepath.Join(data, "pairs.jsonl") + `]
  labels: ` + filepath.Join(data, "labels.txt") + `
  label_field: label
method:
  name: lora
training:
  epochs: 3
  batch_size: 8
logging:
  run_dir: ` + filepath.Join(dir, "run") + `
  progress: false
`
	path := filepath.Join(dir, "cfg.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "train", "--config", path, "--training.epochs=1", "--method.lora.r=4", "--resume", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "lora: 4096 trainable") || !strings.Contains(out, "5 steps") {
		t.Fatalf("output:\n%s", out)
	}
	effective, err := os.ReadFile(filepath.Join(dir, "run", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(effective), "epochs: 1") || !strings.Contains(string(effective), "r: 4") {
		t.Fatalf("effective config lacks the overrides:\n%s", effective)
	}
	_, err = runCLI(t, "train", "--config", path, "--optimizer.lr=-1", "--training.epochs=1", "--method.lora.r=4")
	wantErr(t, err, "optimizer.lr")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("training:\n  epoch: 3\n"), 0o644)
	_, err = runCLI(t, "train", "--config", bad, "--optimizer.lr=0.001")
	wantErr(t, err, "bad.yaml", "epoch")
}
