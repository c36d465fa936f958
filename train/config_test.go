package train_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/builtin"
	"github.com/vlmtune/vlmtune/train"
)

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "optimizer:\n  lr: 0.1\n  learning_rate: 0.2\n", []string{"cfg.yaml", "line 3", "learning_rate", "not found"}},
		{"wrong type", "training:\n  epochs: three\n", []string{"line 2", "three", "int"}},
		{"bad yaml", "training: [\n", []string{"cfg.yaml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := train.Parse("cfg.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	invalid := []struct {
		name string
		set  map[string]string
		want string
	}{
		{"negative lr", map[string]string{"optimizer.lr": "-0.001"}, "optimizer.lr: is -0.001; must be a positive number"},
		{"bad method", map[string]string{"method.name": "dora"}, "not one of full, head, layerwise, lora, adapter, prompt, prefix"},
		{"bad optimizer", map[string]string{"optimizer.name": "adam"}, "optimizer.name: is \"adam\"; allowed: adamw, sgd"},
		{"bad schedule", map[string]string{"schedule.name": "step"}, "allowed: constant, linear, cosine"},
		{"accum", map[string]string{"training.grad_accum": "3"}, "training.grad_accum: is 3; must be ≥ 1 and divide training.batch_size (64)"},
		{"monitor", map[string]string{"evaluation.monitor": "accuracy"}, "evaluation.monitor: is \"accuracy\"; allowed: val_loss"},
		{"policy", map[string]string{"data.bad_records": "ignore"}, "allowed: skip, fail"},
		{"template", map[string]string{"data.templates": "a photo"}, "no {} placeholder"},
	}
	for _, c := range invalid {
		t.Run(c.name, func(t *testing.T) {
			cfg := builtin.DefaultConfig(t.TempDir())
			if err := cfg.ApplyOverrides(c.set); err != nil {
				t.Fatal(err)
			}
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	cfg := train.DefaultConfig()
	err := cfg.ApplyOverrides(map[string]string{
		"optimizer.lr": "3e-4", "method.lora.target_modules": "q_proj,k_proj", "training.epochs": "7",
		"model.gradient_checkpointing": "true", "data.augment.horizontal_flip": "0.5", "seed": "9",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Optimizer.LR != 3e-4 || len(cfg.Method.LoRA.TargetModules) != 2 || cfg.Training.Epochs != 7 || !cfg.Model.GradientCheckpointing ||
		cfg.Data.Augment == nil || cfg.Data.Augment.HorizontalFlip != 0.5 || cfg.Seed != 9 {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
	for _, bad := range []map[string]string{{"optimizer.learning_rate": "1"}, {"optimizer": "1"}, {"training.epochs": "many"}} {
		if err := cfg.ApplyOverrides(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	// Every documented key can be set from its flag spelling.
	keys := train.Keys()
	if len(keys) < 60 {
		t.Fatalf("only %d keys", len(keys))
	}
}

// The effective configuration is written to the run directory and reads
// back to the same configuration.
func TestEffectiveConfigRoundTrip(t *testing.T) {
	cfg := smallConfig(t, "lora")
	cfg.Training.Epochs = 1
	cfg.Evaluation.EveryEpochs = 0
	res := run(t, cfg, train.Options{})
	back, err := train.Load(filepath.Join(res.RunDir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := cfg.Marshal()
	b, _ := back.Marshal()
	if string(a) != string(b) {
		t.Fatalf("config.yaml does not read back:\n%s\nvs\n%s", a, b)
	}
}

// Target modules that match nothing fail before any training step, with
// a message naming real module names.
func TestTargetsMatchingNothing(t *testing.T) {
	cfg := smallConfig(t, "lora")
	cfg.Method.LoRA.TargetModules = []string{"query"}
	_, err := train.Run(context.Background(), cfg, train.Options{Out: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "match no module") || !strings.Contains(err.Error(), "q_proj") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Logging.RunDir, "checkpoints")); err == nil {
		t.Fatal("a failed configuration left checkpoints")
	}
}
