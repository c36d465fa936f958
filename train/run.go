package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/loader"
	"github.com/vlmtune/vlmtune/data/sample"
	"github.com/vlmtune/vlmtune/internal/kernels"
	"github.com/vlmtune/vlmtune/models"
	_ "github.com/vlmtune/vlmtune/models/all" // the families Load can read
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/prep"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/textaug"
	"github.com/vlmtune/vlmtune/train/optim"
	"github.com/vlmtune/vlmtune/train/schedule"
)

// Options are the run's non-configuration inputs.
type Options struct {
	// Out receives the progress bar and summaries (os.Stderr if nil).
	Out io.Writer
	// Resume is a checkpoint folder, or "auto" for the newest checkpoint
	// in the run directory.
	Resume string
	// Builtin materialises the built-in model into a directory and returns
	// it; used when model.path is "builtin".
	Builtin func(dir string) (string, error)
	// StopAfterStep, when > 0, stops as if interrupted after that step
	// (checkpoint saved): for tests of exact resume.
	StopAfterStep int
	// AbortAfterStep, when > 0, fails right after that step without saving
	// anything, like a process killed between checkpoints (tests).
	AbortAfterStep int
}

// ErrAborted is returned by a run stopped by Options.AbortAfterStep.
var ErrAborted = errors.New("run aborted (Options.AbortAfterStep)")

// Result summarises a run.
type Result struct {
	RunDir           string
	Steps            int
	Before, After    map[string]float64
	BestDir          string
	Best             float64
	Monitor          string
	Trainable, Total int64
	Method           string
	StoppedEarly     bool
	Interrupted      bool
	LastCheckpoint   string
	Skipped          int
	Duration         time.Duration
}

// Run trains according to cfg and returns a summary. Cancelling ctx
// (Ctrl-C) saves a checkpoint at the last completed step and returns with
// Interrupted set.
func Run(ctx context.Context, cfg Config, opt Options) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	out := opt.Out
	if out == nil {
		out = os.Stderr
	}
	start := time.Now()
	runDir := cfg.Logging.RunDir
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	effective, err := cfg.Marshal()
	if err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Join(runDir, "config.yaml"), effective); err != nil {
		return nil, err
	}
	if cfg.Training.Threads > 0 {
		runtime.GOMAXPROCS(cfg.Training.Threads)
		kernels.SetWorkers(cfg.Training.Threads)
	}

	// Model, method and data preparation.
	modelPath := cfg.Model.Path
	if modelPath == "builtin" {
		if opt.Builtin == nil {
			return nil, errors.New("model.path is \"builtin\" but this program has no built-in model")
		}
		if modelPath, err = opt.Builtin(filepath.Join(runDir, "base_model")); err != nil {
			return nil, err
		}
	}
	loaded, err := models.Load(modelPath)
	if err != nil {
		return nil, err
	}
	m, ok := loaded.Model.(models.DualEncoder)
	if !ok {
		return nil, fmt.Errorf("model.path %s holds a %s model; training supports dual encoders (CLIP, SigLIP)", modelPath, loaded.Model.Family())
	}
	m.SetCheckpointing(cfg.Model.GradientCheckpointing)
	rng := tensor.NewRNG(cfg.Seed)
	applied, err := peft.Apply(m, cfg.PeftSpec(), rng)
	if err != nil {
		return nil, fmt.Errorf("method: %w", err)
	}
	trainable, total := nn.CountParams(m)
	fmt.Fprintf(out, "model %s (%s), %s\n", modelPath, m.Family(), applied.Describe())
	pp, err := prep.New(m, modelPath, cfg.Model.Tokenizer, cfg.Data.Augment)
	if err != nil {
		return nil, err
	}
	if cfg.Data.TextAugment != nil {
		if pp.Text, err = textaug.New(*cfg.Data.TextAugment, nil); err != nil {
			return nil, fmt.Errorf("data.text_augment: %w", err)
		}
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	trainEx, skipped, err := readExamples(ctx, cfg.Data.Train, cfg, logger)
	if err != nil {
		return nil, err
	}
	if len(trainEx) < cfg.Training.BatchSize {
		return nil, fmt.Errorf("data.train: %d usable examples, fewer than one batch of %d", len(trainEx), cfg.Training.BatchSize)
	}
	var val *ValSet
	if len(cfg.Data.Val) > 0 {
		valEx, _, err := readExamples(ctx, cfg.Data.Val, cfg, logger)
		if err != nil {
			return nil, err
		}
		if cfg.Evaluation.MaxExamples > 0 && len(valEx) > cfg.Evaluation.MaxExamples {
			valEx = valEx[:cfg.Evaluation.MaxExamples]
		}
		var classes []string
		if cfg.Data.Labels != "" {
			if classes, err = prep.LoadLabels(cfg.Data.Labels); err != nil {
				return nil, fmt.Errorf("data.labels: %w", err)
			}
		}
		if val, err = BuildValSet(pp, valEx, classes, cfg.Data.LabelField, cfg.Data.Templates); err != nil {
			return nil, fmt.Errorf("data.val: %w", err)
		}
	}
	if val == nil && cfg.Evaluation.Monitor != "val_loss" {
		return nil, fmt.Errorf("evaluation.monitor is %s but data.val is empty", cfg.Evaluation.Monitor)
	}

	// Optimisation.
	params := optim.Collect(nn.Params(m), cfg.Optimizer.DecayAll)
	optimizer := newOptimizer(cfg.Optimizer, params)
	sampler, err := newSampler(cfg, trainEx, pp)
	if err != nil {
		return nil, err
	}
	// Steps per epoch follow the sampler (a curriculum starts small).
	spe, totalSteps := 0, 0
	for e := 0; e < cfg.Training.Epochs; e++ {
		n := len(sampler.Order(e)) / cfg.Training.BatchSize
		if e == 0 {
			spe = n
		}
		totalSteps += n
	}
	if totalSteps == 0 {
		return nil, fmt.Errorf("data.train: the sampler yields no full batch of %d", cfg.Training.BatchSize)
	}
	if cfg.Training.MaxSteps > 0 && cfg.Training.MaxSteps < totalSteps {
		totalSteps = cfg.Training.MaxSteps
	}
	sched := schedule.Schedule{Kind: cfg.Schedule.Name, BaseLR: cfg.Optimizer.LR, WarmupSteps: cfg.Schedule.WarmupSteps, TotalSteps: totalSteps, MinRatio: cfg.Schedule.MinLRRatio}
	if err := sched.Validate(); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	st := &stepper{model: m, accum: cfg.Training.GradAccum, rng: rng}
	reg := cfg.Training.Regularization
	if reg.DistillWeight > 0 {
		teacherPath := reg.Teacher
		if teacherPath == "builtin" {
			if opt.Builtin == nil {
				return nil, errors.New("training.regularization.teacher is \"builtin\" but this program has no built-in model")
			}
			if teacherPath, err = opt.Builtin(filepath.Join(runDir, "teacher_model")); err != nil {
				return nil, err
			}
		}
		teacher, err := models.Load(teacherPath)
		if err != nil {
			return nil, fmt.Errorf("training.regularization.teacher: %w", err)
		}
		tm, ok := teacher.Model.(models.DualEncoder)
		if !ok {
			return nil, fmt.Errorf("training.regularization.teacher %s holds a %s model, not a dual encoder", teacherPath, teacher.Model.Family())
		}
		nn.SetTrainable(tm, false)
		st.terms = append(st.terms, &distillTerm{student: m, teacher: tm, weight: float32(reg.DistillWeight), temperature: float32(reg.Temperature), target: reg.DistillTarget})
	}
	var anchor *anchorPenalty
	if reg.L2SP > 0 || reg.EWC > 0 {
		base := map[string]bool{}
		nn.Visit(m, func(p nn.Param) {
			if !p.Extension {
				base[p.Name] = true
			}
		})
		lambda := reg.L2SP
		if reg.EWC > 0 {
			lambda = reg.EWC
		}
		anchor = newAnchor(lambda, params, base)
		if reg.EWC > 0 {
			if err := estimateEWC(ctx, anchor, m, pp, cfg, trainEx, logger); err != nil {
				return nil, err
			}
		}
	}
	policy, _ := loader.ParsePolicy(cfg.Data.BadRecords)
	padTo := 0
	if pp.PadToMax {
		padTo = pp.MaxLen
	}
	ld, err := loader.New(trainEx, pp.Transform(true), loader.Config{
		BatchSize: cfg.Training.BatchSize, Epochs: cfg.Training.Epochs, Workers: cfg.Data.Workers, Seed: cfg.Seed,
		Policy: policy, Logger: logger, DropLast: true, PadID: pp.PadID(), PadTo: padTo, Sampler: sampler,
	})
	if err != nil {
		return nil, err
	}

	// Resume.
	state := TrainerState{Monitor: cfg.Evaluation.Monitor, Method: applied.Spec.Method}
	resumeFrom := opt.Resume
	if resumeFrom == "auto" {
		if resumeFrom, err = latestCheckpoint(runDir); err != nil {
			return nil, err
		}
	}
	if resumeFrom != "" {
		peek, err := readState(resumeFrom)
		if err != nil {
			return nil, err
		}
		if applied.OnEpoch(peek.Epoch) {
			// Gradual unfreezing had opened more layers by then.
			params = optim.Collect(nn.Params(m), cfg.Optimizer.DecayAll)
			optimizer = newOptimizer(cfg.Optimizer, params)
		}
		if state, err = loadCheckpoint(resumeFrom, m, applied, optimizer); err != nil {
			return nil, err
		}
		rng.SetState(state.RNG)
		fmt.Fprintf(out, "resumed from %s at step %d (epoch %d, example %d)\n", resumeFrom, state.Step, state.Position.Epoch+1, state.Position.Index)
	}

	res := &Result{RunDir: runDir, Monitor: cfg.Evaluation.Monitor, Trainable: trainable, Total: total, Method: applied.Spec.Method}
	logs, err := openRunLog(runDir, out, cfg.Logging, totalSteps, state.Step)
	if err != nil {
		return nil, err
	}
	defer logs.close()
	if resumeFrom == "" && val != nil {
		if res.Before, err = Evaluate(m, val, cfg.Training.BatchSize); err != nil {
			return nil, err
		}
		if err := writeJSON(filepath.Join(runDir, "before.json"), res.Before); err != nil {
			return nil, err
		}
		logs.event("val", 0, res.Before)
		logs.printf("before training: %s", formatMetrics(res.Before))
	} else if val != nil {
		res.Before = readJSONMap(filepath.Join(runDir, "before.json"))
	}

	loop := &trainLoop{
		cfg: cfg, opt: opt, m: m, loaded: loaded, applied: applied, optimizer: optimizer, params: params,
		sched: sched, st: st, anchor: anchor, rng: rng, val: val, logs: logs, out: out, runDir: runDir,
		modelPath: modelPath, state: state, totalSteps: totalSteps, spe: spe, res: res, skippedRead: skipped,
	}
	if err := loop.run(ctx, ld); err != nil {
		return nil, err
	}
	res.Duration = time.Since(start)
	return res, nil
}

func newOptimizer(c OptimizerConfig, params []optim.Param) optim.Optimizer {
	if c.Name == "sgd" {
		return optim.NewSGD(params, float32(c.Momentum), float32(c.WeightDecay), c.Nesterov)
	}
	return optim.NewAdamW(params, float32(c.Beta1), float32(c.Beta2), float32(c.Eps), float32(c.WeightDecay))
}

// sequential is the identity order (for EWC's Fisher estimate).
type sequential struct{ n int }

func (s sequential) Order(int) []int { return sample.All(s.n) }

// readExamples reads data files with the bad-record policy, then applies
// the metadata filters.
func readExamples(ctx context.Context, paths []string, cfg Config, logger *slog.Logger) ([]*data.Example, int, error) {
	skipped := 0
	onBad := func(e *data.RecordError) error {
		if cfg.Data.BadRecords == "fail" {
			return e
		}
		skipped++
		logger.Warn("skipping bad record", "error", e.Error())
		return nil
	}
	opts := data.Options{Root: cfg.Data.Root, CSV: data.CSVOptions{ImageKey: cfg.Data.ImageKey, CaptionKey: cfg.Data.CaptionKey}, LazyImages: true}
	exs, err := data.ReadAll(ctx, paths, opts, onBad)
	if err != nil {
		return nil, 0, err
	}
	var pairs []*data.Example
	for _, ex := range exs {
		if ex.Kind == data.Pair && ex.Image != nil && len(ex.Captions) > 0 {
			pairs = append(pairs, ex)
		} else {
			skipped++
		}
	}
	f := sample.Filter{MinQuality: cfg.Data.MinQuality, Languages: cfg.Data.Languages}
	idx := sample.Select(pairs, f)
	kept := make([]*data.Example, len(idx))
	for i, j := range idx {
		kept[i] = pairs[j]
	}
	return kept, skipped, nil
}

// estimateEWC computes the Fisher weights on the first batches of the EWC
// data (default: the training data), without augmentation.
func estimateEWC(ctx context.Context, a *anchorPenalty, m models.DualEncoder, pp *prep.Prep, cfg Config, trainEx []*data.Example, logger *slog.Logger) error {
	exs := trainEx
	if len(cfg.Training.Regularization.EWCData) > 0 {
		var err error
		if exs, _, err = readExamples(ctx, cfg.Training.Regularization.EWCData, cfg, logger); err != nil {
			return fmt.Errorf("training.regularization.ewc_data: %w", err)
		}
	}
	padTo := 0
	if pp.PadToMax {
		padTo = pp.MaxLen
	}
	ld, err := loader.New(exs, pp.Transform(false), loader.Config{BatchSize: cfg.Training.BatchSize, Epochs: 1, Workers: cfg.Data.Workers, Seed: cfg.Seed, DropLast: true, PadID: pp.PadID(), PadTo: padTo, Sampler: sequential{len(exs)}})
	if err != nil {
		return err
	}
	it, err := ld.Iterate(ctx, loader.Position{})
	if err != nil {
		return err
	}
	defer it.Close()
	var batches []models.PairBatch
	for len(batches) < cfg.Training.Regularization.EWCBatches {
		b, err := it.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		batches = append(batches, prep.ToBatch(b))
	}
	return a.estimateFisher(m, batches)
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeSynced(path, append(data, '\n'))
}

func readJSONMap(path string) map[string]float64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var m map[string]float64
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	return m
}

// formatMetrics renders the main metrics on one line.
func formatMetrics(m map[string]float64) string {
	s := ""
	for _, k := range []string{"val_loss", "zeroshot_top1", "i2t_r1", "t2i_r1"} {
		if v, ok := m[k]; ok {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %.4g", k, v)
		}
	}
	return s
}

// newSampler builds the training sampler the configuration names.
func newSampler(cfg Config, exs []*data.Example, pp *prep.Prep) (sample.Sampler, error) {
	sm := cfg.Data.Sampler
	all := sample.All(len(exs))
	switch sm.Name {
	case "balanced":
		b, err := sample.NewBalanced(exs, all, sample.BalancedOptions{Field: sm.Field, Alpha: sm.Alpha, Seed: cfg.Seed})
		if err != nil {
			return nil, fmt.Errorf("data.sampler: %w", err)
		}
		return b, nil
	case "curriculum":
		var diff []float64
		switch sm.By {
		case "quality":
			diff = sample.ByQuality(exs)
		case "length":
			diff = sample.ByLength(exs, pp)
		case "file":
			var err error
			if diff, err = sample.LoadDifficulty(sm.DifficultyFile, exs); err != nil {
				return nil, fmt.Errorf("data.sampler.difficulty_file: %w", err)
			}
		}
		c, err := sample.NewCurriculum(all, diff, sample.CurriculumOptions{Pacing: sample.Pacing{Shape: sm.Pacing, Start: sm.Start, Duration: sm.Duration}, Seed: cfg.Seed})
		if err != nil {
			return nil, fmt.Errorf("data.sampler: %w", err)
		}
		return c, nil
	case "hard_negatives":
		vecs, err := sample.LoadEmbeddings(sm.Embeddings, exs, "")
		if err != nil {
			return nil, fmt.Errorf("data.sampler.embeddings: %w", err)
		}
		h, err := sample.NewHardNegatives(all, vecs, sample.HardNegativeOptions{BatchSize: cfg.Training.BatchSize, Seed: cfg.Seed, Pool: sm.Pool})
		if err != nil {
			return nil, fmt.Errorf("data.sampler: %w", err)
		}
		return h, nil
	}
	return sample.Shuffle{Indices: all, Seed: cfg.Seed}, nil
}
