package builtin

import (
	"context"
	"path/filepath"

	builtinmodel "github.com/vlmtune/vlmtune/builtin/model"
	"github.com/vlmtune/vlmtune/synth"
	"github.com/vlmtune/vlmtune/train"
)

// Sizes of the default run's data.
const (
	DefaultTrain = 4000
	DefaultVal   = 400
)

// DefaultConfig is the configuration of `vlmtune train` without
// arguments: LoRA on the built-in model with domain "b" data, which the
// caller generates with PrepareDefaultData into runDir/data.
func DefaultConfig(runDir string) train.Config {
	cfg := train.DefaultConfig()
	data := filepath.Join(runDir, "data")
	cfg.Model.Path = builtinmodel.Name
	cfg.Data.Train = []string{filepath.Join(data, "train", "pairs.jsonl")}
	cfg.Data.Val = []string{filepath.Join(data, "val", "pairs.jsonl")}
	cfg.Data.Labels = filepath.Join(data, "val", "labels.txt")
	cfg.Data.LabelField = "label"
	cfg.Method.Name = "lora"
	cfg.Method.LoRA.R = 16
	cfg.Method.LoRA.Alpha = 32
	cfg.Method.LoRA.TargetModules = []string{"q_proj", "v_proj", "out_proj", "fc1", "fc2"}
	cfg.Optimizer.LR = 3e-3
	cfg.Optimizer.WeightDecay = 0
	cfg.Schedule.WarmupSteps = 10
	cfg.Training.Epochs = 8
	cfg.Training.BatchSize = 64
	cfg.Evaluation.EveryEpochs = 2
	cfg.Evaluation.Monitor = "zeroshot_top1"
	cfg.Logging.RunDir = runDir
	return cfg
}

// PrepareDefaultData generates the default run's domain "b" training and
// validation splits under dataDir (skipping a split that is already
// there with the same parameters).
func PrepareDefaultData(ctx context.Context, dataDir string, seed uint64) error {
	for _, s := range []struct {
		split string
		n     int
	}{{"train", DefaultTrain}, {"val", DefaultVal}} {
		if _, err := synth.Generate(ctx, synth.Config{N: s.n, Seed: seed + 200, Size: ImageSize, Domain: "b", Split: s.split}, filepath.Join(dataDir, s.split), 0, true); err != nil {
			return err
		}
	}
	return nil
}
