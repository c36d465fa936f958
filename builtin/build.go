package builtin

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/models/clip"
	"github.com/vlmtune/vlmtune/synth"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/tokenizer"
	"github.com/vlmtune/vlmtune/train"
)

// BuildOptions control the pre-training of the built-in model.
type BuildOptions struct {
	// Work receives the data, the initial model and the training run.
	Work string
	// Out receives the finished model files.
	Out string
	// Train and Val are the numbers of domain-"a" examples (defaults 6000
	// and 500); Epochs, BatchSize and LR the training schedule (defaults
	// 12, 64 and 1e-3).
	Train, Val, Epochs, BatchSize int
	LR                            float64
	Seed                          uint64
	Threads                       int
}

func (o *BuildOptions) defaults() {
	if o.Train == 0 {
		o.Train = 6000
	}
	if o.Val == 0 {
		o.Val = 500
	}
	if o.Epochs == 0 {
		o.Epochs = 12
	}
	if o.BatchSize == 0 {
		o.BatchSize = 64
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
}

// corpusSize is the number of captions of each domain the vocabulary is
// learned from.
const corpusSize = 3000

// InitModel writes an untrained built-in model into dir: config.json,
// model.safetensors (CLIP's initialisation from seed), the tokenizer (a
// BPE learned on captions of both domains, so every word of the synthetic
// data is one token) and preprocessor_config.json.
func InitModel(dir string, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var texts []string
	for _, d := range []string{"a", "b"} {
		g, err := synth.NewGenerator(synth.Config{N: corpusSize, Domain: d, Seed: 1, Size: 16, Split: "vocab"})
		if err != nil {
			return err
		}
		for i := 0; i < corpusSize; i++ {
			texts = append(texts, g.Example(i).Pair.Captions...)
		}
		texts = append(texts, g.Labels()...)
	}
	texts = append(texts, "a photo of a {}.")
	vocab, err := tokenizer.WriteCLIPVocab(dir, tokenizer.TrainCLIPBPE(texts), Context)
	if err != nil {
		return err
	}
	if err := writePreprocessor(dir); err != nil {
		return err
	}
	cfg := modelConfig(vocab)
	m, err := clip.New(cfg)
	if err != nil {
		return err
	}
	m.Init(tensor.NewRNG(seed))
	return models.Save(dir, m, models.SaveOptions{})
}

// Build pre-trains the built-in model: it generates domain "a" of the
// synthetic shapes data, initialises the model, trains every parameter
// with the CLIP loss and copies the best checkpoint (by zero-shot
// accuracy on the validation split) to opt.Out.
func Build(ctx context.Context, opt BuildOptions, out io.Writer) (*train.Result, error) {
	opt.defaults()
	dataDir := filepath.Join(opt.Work, "data-a")
	for _, s := range []struct {
		split string
		n     int
	}{{"train", opt.Train}, {"val", opt.Val}} {
		if _, err := synth.Generate(ctx, synth.Config{N: s.n, Seed: opt.Seed + 100, Size: ImageSize, Domain: "a", Split: s.split}, filepath.Join(dataDir, s.split), 0, true); err != nil {
			return nil, err
		}
	}
	initDir := filepath.Join(opt.Work, "init")
	if err := InitModel(initDir, opt.Seed); err != nil {
		return nil, err
	}
	cfg := train.DefaultConfig()
	cfg.Seed = opt.Seed
	cfg.Model.Path = initDir
	cfg.Data.Train = []string{filepath.Join(dataDir, "train", "pairs.jsonl")}
	cfg.Data.Val = []string{filepath.Join(dataDir, "val", "pairs.jsonl")}
	cfg.Data.Labels = filepath.Join(dataDir, "val", "labels.txt")
	cfg.Data.LabelField = "label"
	cfg.Method.Name = "full"
	cfg.Optimizer.LR = opt.LR
	cfg.Optimizer.WeightDecay = 0.05
	cfg.Schedule.WarmupSteps = 50
	cfg.Training.Epochs = opt.Epochs
	cfg.Training.BatchSize = opt.BatchSize
	cfg.Training.Threads = opt.Threads
	cfg.Evaluation.Monitor = "zeroshot_top1"
	cfg.Logging.RunDir = filepath.Join(opt.Work, "run")
	cfg.Logging.Progress = false
	cfg.Logging.LogEvery = 50
	res, err := train.Run(ctx, cfg, train.Options{Out: out})
	if err != nil {
		return nil, err
	}
	if res.BestDir == "" {
		return nil, fmt.Errorf("builtin: the pre-training run wrote no best model")
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return nil, err
	}
	l, err := models.Load(res.BestDir)
	if err != nil {
		return nil, err
	}
	aux, err := hf.AuxFiles(res.BestDir)
	if err != nil {
		return nil, err
	}
	if err := models.Save(opt.Out, l.Model, models.SaveOptions{ConfigJSON: l.ConfigJSON, Write: hf.WriteOptions{ExtraFiles: aux}}); err != nil {
		return nil, err
	}
	return res, nil
}
