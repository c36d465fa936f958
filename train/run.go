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

	builtinmodel "github.com/vlmtune/vlmtune/builtin/model"
	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/loader"
	"github.com/vlmtune/vlmtune/internal/kernels"
	"github.com/vlmtune/vlmtune/models"
	_ "github.com/vlmtune/vlmtune/models/all" // the families Load can read
	"github.com/vlmtune/vlmtune/nn"           // the families Load can read
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/prep"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/train/objective"
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
	// StopAfterStep, when > 0, stops as if interrupted after that step
	// (checkpoint saved): for tests of exact resume.
	StopAfterStep int
	// AbortAfterStep, when > 0, fails right after that step without saving
	// anything, like a process killed between checkpoints (tests).
	AbortAfterStep int
}

// ErrAborted is returned by a run stopped by Options.AbortAfterStep.
var ErrAborted = errors.New("run aborted (Options.AbortAfterStep)")

// NonFiniteError reports a NaN or infinity found during training.
type NonFiniteError = objective.NonFiniteError

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
	// Objective is what was optimised ("contrastive", "sigmoid") and
	// Metrics what its validation reports.
	Objective      string
	Metrics        []objective.Metric
	StoppedEarly   bool
	Interrupted    bool
	LastCheckpoint string
	Skipped        int
	Duration       time.Duration
}

// run is one training run: what its stages set up and the loop then
// uses.
type run struct {
	cfg   Config
	opt   Options
	out   io.Writer
	start time.Time
	// scope holds the run's tensor operations and their buffer pool.
	scope *tensor.Scope
	log   *slog.Logger

	// Model stage.
	runDir    string
	modelPath string
	loaded    *models.Loaded
	m         models.DualEncoder
	applied   *peft.Applied
	rng       *tensor.RNG
	// trainable and total count parameter values once the method is in.
	trainable, total int64

	// Data stage.
	pp          *prep.Prep
	trainEx     []*data.Example
	val         *objective.ValSet
	ld          *loader.Loader
	spe         int // steps in the first epoch
	totalSteps  int
	skippedRead int

	// Objective and optimizer stages.
	obj       objective.Objective
	params    []optim.Param
	optimizer optim.Optimizer
	sched     schedule.Schedule
	anchor    *anchorPenalty

	// Resume stage and loop.
	state     TrainerState
	resumed   string
	logs      *runLog
	res       *Result
	samples   int64
	lastEval  int
	lastParts map[string]float64
}

// Run trains according to cfg and returns a summary. It runs in stages:
// the run directory, the model and its fine-tuning method, the data, the
// objective, the optimizer, resuming, and the training loop. Cancelling
// ctx (Ctrl-C) saves a checkpoint at the last completed step and returns
// with Interrupted set.
func Run(ctx context.Context, cfg Config, opt Options) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, opt: opt, out: opt.Out, start: time.Now(), scope: tensor.NewScope()}
	if r.out == nil {
		r.out = os.Stderr
	}
	r.log = slog.New(slog.NewTextHandler(r.out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	for _, stage := range []func(context.Context) error{r.setUp, r.loadModel, r.loadData, r.buildObjective, r.buildOptimizer, r.resume} {
		if err := stage(ctx); err != nil {
			return nil, err
		}
	}
	if err := r.loop(ctx); err != nil {
		return nil, err
	}
	r.res.Duration = time.Since(r.start)
	return r.res, nil
}

// setUp creates the run directory, writes the effective configuration and
// sets the thread count.
func (r *run) setUp(context.Context) error {
	r.runDir = r.cfg.Logging.RunDir
	if err := os.MkdirAll(r.runDir, 0o755); err != nil {
		return err
	}
	effective, err := r.cfg.Marshal()
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(r.runDir, "config.yaml"), effective); err != nil {
		return err
	}
	if t := r.cfg.Training.Threads; t > 0 {
		runtime.GOMAXPROCS(t)
		kernels.SetWorkers(t)
	}
	return nil
}

// modelDir resolves a model path, materialising the built-in model into
// the run directory under name.
func (r *run) modelDir(path, name string) (string, error) {
	if path == builtinmodel.Name {
		return builtinmodel.Extract(filepath.Join(r.runDir, name))
	}
	return path, nil
}

// loadModel loads the model and installs the fine-tuning method.
func (r *run) loadModel(context.Context) error {
	var err error
	if r.modelPath, err = r.modelDir(r.cfg.Model.Path, "base_model"); err != nil {
		return err
	}
	if r.loaded, err = models.Load(r.modelPath); err != nil {
		return err
	}
	m, ok := r.loaded.Model.(models.DualEncoder)
	if !ok {
		return fmt.Errorf("model.path %s holds a %s model; training supports dual encoders (CLIP, SigLIP) so far", r.modelPath, r.loaded.Model.Family())
	}
	r.m = m
	m.SetCheckpointing(r.cfg.Model.GradientCheckpointing)
	r.rng = tensor.NewRNG(r.cfg.Seed)
	if r.applied, err = peft.Apply(m, r.cfg.PeftSpec(), r.rng); err != nil {
		return fmt.Errorf("method: %w", err)
	}
	r.trainable, r.total = nn.CountParams(m)
	fmt.Fprintf(r.out, "model %s (%s), %s\n", r.modelPath, m.Family(), r.applied.Describe())
	return nil
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
