package train_test

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vlmtune/vlmtune/builtin"
	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/synth"
	"github.com/vlmtune/vlmtune/train"
)

// The synthetic data is generated once for all tests of the package.
var (
	dataOnce sync.Once
	dataDir  string
	dataErr  error
)

func testData(t *testing.T) string {
	t.Helper()
	dataOnce.Do(func() {
		dataDir, dataErr = os.MkdirTemp("", "vlmtune-train-test-")
		if dataErr != nil {
			return
		}
		for _, s := range []struct {
			split string
			n     int
		}{{"train", 96}, {"val", 48}} {
			if _, dataErr = synth.Generate(context.Background(), synth.Config{N: s.n, Seed: 5, Size: builtin.ImageSize, Domain: "b", Split: s.split}, filepath.Join(dataDir, s.split), 0, true); dataErr != nil {
				return
			}
		}
	})
	if dataErr != nil {
		t.Fatal(dataErr)
	}
	return dataDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dataDir != "" {
		os.RemoveAll(dataDir)
	}
	os.Exit(code)
}

// smallConfig trains the built-in model on the test data.
func smallConfig(t *testing.T, method string) train.Config {
	d := testData(t)
	cfg := builtin.DefaultConfig(t.TempDir())
	cfg.Data.Train = []string{filepath.Join(d, "train", "pairs.jsonl")}
	cfg.Data.Val = []string{filepath.Join(d, "val", "pairs.jsonl")}
	cfg.Data.Labels = filepath.Join(d, "val", "labels.txt")
	cfg.Method.Name = method
	cfg.Training.Epochs = 2
	cfg.Training.BatchSize = 16
	cfg.Training.Threads = 0
	cfg.Logging.Progress = false
	cfg.Logging.TensorBoard = true
	cfg.Evaluation.Monitor = "val_loss"
	return cfg
}

func run(t *testing.T, cfg train.Config, opt train.Options) *train.Result {
	t.Helper()
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	res, err := train.Run(context.Background(), cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Every fine-tuning method trains on the synthetic data and lowers the
// validation loss.
func TestEveryMethodLowersValidationLoss(t *testing.T) {
	for _, method := range []string{"full", "head", "layerwise", "lora", "adapter", "prompt", "prefix"} {
		t.Run(method, func(t *testing.T) {
			cfg := smallConfig(t, method)
			cfg.Optimizer.LR = 3e-3
			if method == "full" || method == "layerwise" {
				cfg.Optimizer.LR = 1e-3
			}
			cfg.Method.Prompt.TextTokens = 2
			cfg.Method.Prompt.VisionTokens = 2
			res := run(t, cfg, train.Options{})
			before, after := res.Before["val_loss"], res.After["val_loss"]
			t.Logf("%s: %d/%d trainable, val_loss %.4f → %.4f, zero-shot %.1f → %.1f", method, res.Trainable, res.Total, before, after, res.Before["zeroshot_top1"], res.After["zeroshot_top1"])
			if !(after < before) {
				t.Fatalf("validation loss did not fall: %v → %v", before, after)
			}
			for _, f := range []string{"config.yaml", "metrics.jsonl", "report.html", "best/config.json"} {
				if _, err := os.Stat(filepath.Join(res.RunDir, f)); err != nil {
					t.Errorf("run directory lacks %s", f)
				}
			}
		})
	}
}

// weights reads every tensor of the newest checkpoint's weights.
func weights(t *testing.T, runDir string) map[string][]float32 {
	t.Helper()
	root := filepath.Join(runDir, "checkpoints")
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	last := ents[len(ents)-1].Name()
	out := map[string][]float32{}
	err = filepath.WalkDir(filepath.Join(root, last), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".safetensors") {
			return err
		}
		f, err := safetensors.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		for _, info := range f.Tensors() {
			v, err := f.Float32s(info.Name)
			if err != nil {
				return err
			}
			out[filepath.Base(p)+":"+info.Name] = v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameBits(t *testing.T, a, b map[string][]float32) {
	t.Helper()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d vs %d tensors", len(a), len(b))
	}
	for n, x := range a {
		y := b[n]
		if len(x) != len(y) {
			t.Fatalf("%s: %d vs %d values", n, len(x), len(y))
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				t.Fatalf("%s differs at %d: %v vs %v", n, i, x[i], y[i])
			}
		}
	}
}

// A run killed between checkpoints and resumed from the last one ends
// with weights (and optimizer moments) bit-identical to an uninterrupted
// run.
func TestExactResumeAfterKill(t *testing.T) {
	for _, method := range []string{"lora", "full"} {
		t.Run(method, func(t *testing.T) {
			base := smallConfig(t, method)
			base.Data.Augment = nil
			base.Method.LoRA.Dropout = 0.1
			base.Checkpoint.EverySteps = 3
			base.Evaluation.EveryEpochs = 0
			base.Checkpoint.KeepTopK = 0

			straight := base
			straight.Logging.RunDir = t.TempDir()
			run(t, straight, train.Options{})

			killed := base
			killed.Logging.RunDir = t.TempDir()
			killed.Optimizer.LR = base.Optimizer.LR
			_, err := train.Run(context.Background(), killed, train.Options{Out: io.Discard, AbortAfterStep: 8})
			if err != train.ErrAborted {
				t.Fatalf("aborted run: %v", err)
			}
			// Steps 7 and 8 were lost; the newest checkpoint is step 6.
			if _, err := os.Stat(filepath.Join(killed.Logging.RunDir, "checkpoints", "step-0000006")); err != nil {
				t.Fatalf("no step-6 checkpoint: %v", err)
			}
			res := run(t, killed, train.Options{Resume: "auto"})
			if res.Steps != 12 {
				t.Fatalf("resumed run ended at step %d, want 12", res.Steps)
			}
			sameBits(t, weights(t, straight.Logging.RunDir), weights(t, killed.Logging.RunDir))
		})
	}
}

func TestInterruptSavesCheckpoint(t *testing.T) {
	cfg := smallConfig(t, "lora")
	res := run(t, cfg, train.Options{StopAfterStep: 5})
	if !res.Interrupted || res.Steps != 5 || !strings.HasSuffix(res.LastCheckpoint, "step-0000005") {
		t.Fatalf("interrupted %v at step %d, checkpoint %q", res.Interrupted, res.Steps, res.LastCheckpoint)
	}
	res = run(t, cfg, train.Options{Resume: res.LastCheckpoint})
	if res.Interrupted || res.Steps != 12 {
		t.Fatalf("resumed run: interrupted %v, steps %d", res.Interrupted, res.Steps)
	}
}

// Training runs with the other samplers and with caption augmentation;
// a curriculum starts with fewer steps per epoch.
func TestSamplersAndTextAugmentation(t *testing.T) {
	cases := []struct {
		name  string
		set   map[string]string
		steps int
	}{
		{"balanced", map[string]string{"data.sampler.name": "balanced", "data.sampler.field": "shape"}, 12},
		// Epoch 1 sees 30% of 96 examples (1 batch of 16), epoch 2 all (6).
		{"curriculum", map[string]string{"data.sampler.name": "curriculum", "data.sampler.by": "length", "data.sampler.start": "0.3", "data.sampler.duration": "1"}, 7},
		{"text-augment", map[string]string{"data.text_augment.templates": "a {color} {shape} on a {background} background", "data.text_augment.template_prob": "0.5", "data.text_augment.swap_prob": "0.1", "data.text_augment.delete_prob": "0.1"}, 12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := smallConfig(t, "lora")
			if err := cfg.ApplyOverrides(c.set); err != nil {
				t.Fatal(err)
			}
			res := run(t, cfg, train.Options{})
			if res.Steps != c.steps {
				t.Fatalf("%d steps, want %d", res.Steps, c.steps)
			}
		})
	}
	cfg := smallConfig(t, "lora")
	cfg.Data.Sampler.Name = "curriculum"
	cfg.Data.Sampler.By = "file"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "difficulty_file") {
		t.Fatalf("curriculum by file without a file: %v", err)
	}
}
