package train

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/loader"
	"github.com/vlmtune/vlmtune/data/sample"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/prep"
	"github.com/vlmtune/vlmtune/textaug"
	"github.com/vlmtune/vlmtune/train/objective"
	"github.com/vlmtune/vlmtune/train/optim"
	"github.com/vlmtune/vlmtune/train/schedule"
)

// loadData reads the training and validation data and sets up the
// preprocessing, the sampler and the loader.
func (r *run) loadData(ctx context.Context) error {
	cfg := r.cfg
	var err error
	if r.pp, err = prep.New(r.m, r.modelPath, cfg.Model.Tokenizer, cfg.Data.Augment); err != nil {
		return err
	}
	if cfg.Data.TextAugment != nil {
		if r.pp.Text, err = textaug.New(*cfg.Data.TextAugment, nil); err != nil {
			return fmt.Errorf("data.text_augment: %w", err)
		}
	}
	if r.trainEx, r.skippedRead, err = r.readExamples(ctx, cfg.Data.Train); err != nil {
		return err
	}
	if len(r.trainEx) < cfg.Training.BatchSize {
		return fmt.Errorf("data.train: %d usable examples, fewer than one batch of %d", len(r.trainEx), cfg.Training.BatchSize)
	}
	if len(cfg.Data.Val) > 0 {
		valEx, _, err := r.readExamples(ctx, cfg.Data.Val)
		if err != nil {
			return err
		}
		if cfg.Evaluation.MaxExamples > 0 && len(valEx) > cfg.Evaluation.MaxExamples {
			valEx = valEx[:cfg.Evaluation.MaxExamples]
		}
		var classes []string
		if cfg.Data.Labels != "" {
			if classes, err = prep.LoadLabels(cfg.Data.Labels); err != nil {
				return fmt.Errorf("data.labels: %w", err)
			}
		}
		if r.val, err = objective.BuildValSet(r.pp, valEx, classes, cfg.Data.LabelField, cfg.Data.Templates); err != nil {
			return fmt.Errorf("data.val: %w", err)
		}
	}
	if r.val == nil && cfg.Evaluation.Monitor != "val_loss" {
		return fmt.Errorf("evaluation.monitor is %s but data.val is empty", cfg.Evaluation.Monitor)
	}
	sampler, err := newSampler(cfg, r.trainEx, r.pp)
	if err != nil {
		return err
	}
	// Steps per epoch follow the sampler (a curriculum starts small).
	for e := 0; e < cfg.Training.Epochs; e++ {
		n := len(sampler.Order(e)) / cfg.Training.BatchSize
		if e == 0 {
			r.spe = n
		}
		r.totalSteps += n
	}
	if r.totalSteps == 0 {
		return fmt.Errorf("data.train: the sampler yields no full batch of %d", cfg.Training.BatchSize)
	}
	if cfg.Training.MaxSteps > 0 && cfg.Training.MaxSteps < r.totalSteps {
		r.totalSteps = cfg.Training.MaxSteps
	}
	policy, _ := loader.ParsePolicy(cfg.Data.BadRecords)
	r.ld, err = loader.New(r.trainEx, r.pp.Transform(true), loader.Config{
		BatchSize: cfg.Training.BatchSize, Epochs: cfg.Training.Epochs, Workers: cfg.Data.Workers, Seed: cfg.Seed,
		Policy: policy, Logger: r.log, DropLast: true, PadID: r.pp.PadID(), PadTo: r.padTo(), Sampler: sampler,
	})
	return err
}

// padTo is the loader's fixed row length (SigLIP pads every row to the
// maximum), or 0 to pad to each batch's longest.
func (r *run) padTo() int {
	if r.pp.PadToMax {
		return r.pp.MaxLen
	}
	return 0
}

// buildObjective sets up what is optimised: the model family's in-batch
// objective, with distillation from a teacher when configured.
func (r *run) buildObjective(context.Context) error {
	opt := objective.ContrastiveOptions{Accum: r.cfg.Training.GradAccum, RNG: r.rng, Val: r.val, ValBatch: r.cfg.Training.BatchSize}
	if reg := r.cfg.Training.Regularization; reg.DistillWeight > 0 {
		dir, err := r.modelDir(reg.Teacher, "teacher_model")
		if err != nil {
			return err
		}
		teacher, err := models.Load(dir)
		if err != nil {
			return fmt.Errorf("training.regularization.teacher: %w", err)
		}
		tm, ok := teacher.Model.(models.DualEncoder)
		if !ok {
			return fmt.Errorf("training.regularization.teacher %s holds a %s model, not a dual encoder", dir, teacher.Model.Family())
		}
		nn.SetTrainable(tm, false)
		opt.Terms = append(opt.Terms, &objective.Distill{Student: r.m, Teacher: tm, Weight: float32(reg.DistillWeight), Temperature: float32(reg.Temperature), Target: reg.DistillTarget})
	}
	obj, err := objective.NewContrastive(r.m, opt)
	if err != nil {
		return err
	}
	r.obj = obj
	if _, ok := objective.Find(obj.Metrics(), r.cfg.Evaluation.Monitor); !ok {
		return fmt.Errorf("evaluation.monitor %s is not a metric of the %s objective", r.cfg.Evaluation.Monitor, obj.Name())
	}
	return nil
}

// buildOptimizer collects the trainable parameters and sets up the
// optimizer, the learning-rate schedule and the L2-SP/EWC anchor.
func (r *run) buildOptimizer(ctx context.Context) error {
	cfg := r.cfg
	r.params = optim.Collect(nn.Params(r.m), cfg.Optimizer.DecayAll)
	r.optimizer = newOptimizer(cfg.Optimizer, r.params)
	r.sched = schedule.Schedule{Kind: cfg.Schedule.Name, BaseLR: cfg.Optimizer.LR, WarmupSteps: cfg.Schedule.WarmupSteps, TotalSteps: r.totalSteps, MinRatio: cfg.Schedule.MinLRRatio}
	if err := r.sched.Validate(); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	reg := cfg.Training.Regularization
	if reg.L2SP <= 0 && reg.EWC <= 0 {
		return nil
	}
	base := map[string]bool{}
	nn.Visit(r.m, func(p nn.Param) {
		if !p.Extension {
			base[p.Name] = true
		}
	})
	lambda := reg.L2SP
	if reg.EWC > 0 {
		lambda = reg.EWC
	}
	r.anchor = newAnchor(lambda, r.params, base)
	if reg.EWC > 0 {
		return r.estimateEWC(ctx)
	}
	return nil
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

// estimateEWC computes the Fisher weights on the first batches of the EWC
// data (default: the training data), without augmentation, with the
// plain objective (no accumulation, no distillation).
func (r *run) estimateEWC(ctx context.Context) error {
	cfg := r.cfg
	exs := r.trainEx
	if len(cfg.Training.Regularization.EWCData) > 0 {
		var err error
		if exs, _, err = r.readExamples(ctx, cfg.Training.Regularization.EWCData); err != nil {
			return fmt.Errorf("training.regularization.ewc_data: %w", err)
		}
	}
	ld, err := loader.New(exs, r.pp.Transform(false), loader.Config{BatchSize: cfg.Training.BatchSize, Epochs: 1, Workers: cfg.Data.Workers, Seed: cfg.Seed, DropLast: true, PadID: r.pp.PadID(), PadTo: r.padTo(), Sampler: sequential{len(exs)}})
	if err != nil {
		return err
	}
	it, err := ld.Iterate(ctx, loader.Position{})
	if err != nil {
		return err
	}
	defer it.Close()
	var batches []*loader.Batch
	for len(batches) < cfg.Training.Regularization.EWCBatches {
		b, err := it.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		batches = append(batches, b)
	}
	plain, err := objective.NewContrastive(r.m, objective.ContrastiveOptions{})
	if err != nil {
		return err
	}
	return r.anchor.estimateFisher(r.scope, plain, batches)
}

// resume restores the newest (or the named) checkpoint.
func (r *run) resume(context.Context) error {
	r.state = TrainerState{Monitor: r.cfg.Evaluation.Monitor, Method: r.applied.Spec.Method}
	from := r.opt.Resume
	var err error
	if from == "auto" {
		if from, err = latestCheckpoint(r.runDir); err != nil {
			return err
		}
	}
	if from == "" {
		return nil
	}
	peek, err := readState(from)
	if err != nil {
		return err
	}
	if r.applied.OnEpoch(peek.Epoch) {
		// Gradual unfreezing had opened more layers by then.
		r.params = optim.Collect(nn.Params(r.m), r.cfg.Optimizer.DecayAll)
		r.optimizer = newOptimizer(r.cfg.Optimizer, r.params)
	}
	if r.state, err = loadCheckpoint(from, r.m, r.applied, r.optimizer); err != nil {
		return err
	}
	r.rng.SetState(r.state.RNG)
	r.resumed = from
	fmt.Fprintf(r.out, "resumed from %s at step %d (epoch %d, example %d)\n", from, r.state.Step, r.state.Position.Epoch+1, r.state.Position.Index)
	return nil
}

// readExamples reads data files with the bad-record policy, keeps the
// image-caption pairs and applies the metadata filters.
func (r *run) readExamples(ctx context.Context, paths []string) ([]*data.Example, int, error) {
	cfg := r.cfg
	skipped := 0
	onBad := func(e *data.RecordError) error {
		if cfg.Data.BadRecords == "fail" {
			return e
		}
		skipped++
		r.log.Warn("skipping bad record", "error", e.Error())
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
