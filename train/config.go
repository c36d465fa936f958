package train

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	builtinmodel "github.com/vlmtune/vlmtune/builtin/model"
	"github.com/vlmtune/vlmtune/imageproc"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/textaug"
	"github.com/vlmtune/vlmtune/train/schedule"
)

// Config is the whole training configuration, one YAML document. Every
// key is documented on its field and can be overridden on the command line
// as --section.key=value (see ApplyOverrides).
type Config struct {
	// Seed drives initialisation of new parameters, data order,
	// augmentation and dropout.
	Seed       uint64           `yaml:"seed"`
	Model      ModelConfig      `yaml:"model"`
	Data       DataConfig       `yaml:"data"`
	Method     MethodConfig     `yaml:"method"`
	Optimizer  OptimizerConfig  `yaml:"optimizer"`
	Schedule   ScheduleConfig   `yaml:"schedule"`
	Training   TrainingConfig   `yaml:"training"`
	Evaluation EvaluationConfig `yaml:"evaluation"`
	Checkpoint CheckpointConfig `yaml:"checkpoint"`
	Logging    LoggingConfig    `yaml:"logging"`
}

// ModelConfig selects the model.
type ModelConfig struct {
	// Path is a Hugging Face checkpoint directory (config.json,
	// model.safetensors, tokenizer and preprocessor files), or "builtin"
	// for the small CLIP that vlmtune ships.
	Path string `yaml:"path"`
	// Tokenizer overrides where the tokenizer files are read from
	// (default: Path).
	Tokenizer string `yaml:"tokenizer"`
	// GradientCheckpointing recomputes each encoder layer during backward
	// instead of keeping its activations.
	GradientCheckpointing bool `yaml:"gradient_checkpointing"`
}

// DataConfig describes the data sets.
type DataConfig struct {
	// Train and Val list data files (JSON, JSONL, CSV/TSV, webdataset .tar
	// shards, Parquet); brace patterns like shard-{000..009}.tar expand.
	Train []string `yaml:"train"`
	Val   []string `yaml:"val"`
	// Root resolves relative image paths (default: each file's folder).
	Root string `yaml:"root"`
	// ImageKey and CaptionKey name the CSV/TSV/Parquet columns.
	ImageKey   string `yaml:"image_key"`
	CaptionKey string `yaml:"caption_key"`
	// BadRecords is "skip" (count and log bad records) or "fail".
	BadRecords string `yaml:"bad_records"`
	// Workers decode images in parallel (0: one per CPU).
	Workers int `yaml:"workers"`
	// MinQuality and Languages filter examples by metadata.
	MinQuality float64  `yaml:"min_quality"`
	Languages  []string `yaml:"languages"`
	// Labels is a file of class names, one per line, for zero-shot
	// evaluation; LabelField is the metadata field holding each example's
	// class.
	Labels     string `yaml:"labels"`
	LabelField string `yaml:"label_field"`
	// Templates turn a class name into a prompt ("a photo of a {}.");
	// several templates are ensembled.
	Templates []string `yaml:"templates"`
	// Augment configures augmentation of training images (see package
	// imageproc: random_resized_crop, horizontal_flip, affine,
	// color_jitter, gaussian_noise, cutout); off when absent.
	Augment *imageproc.Augment `yaml:"augment"`
	// TextAugment configures augmentation of training captions (see
	// package textaug: thesaurus, synonym_prob, insert_prob, swap_prob,
	// delete_prob, templates, template_prob); off when absent.
	TextAugment *textaug.Config `yaml:"text_augment"`
	// Sampler chooses each epoch's training examples and order.
	Sampler SamplerConfig `yaml:"sampler"`
}

// SamplerConfig selects how training examples are drawn each epoch.
type SamplerConfig struct {
	// Name is shuffle (a seeded permutation per epoch), balanced (equal
	// weight per value of Field, with replacement), curriculum (easy to
	// hard with a pacing schedule) or hard_negatives (batches of
	// examples whose embeddings are close).
	Name string `yaml:"name"`
	// Field and Alpha configure balanced sampling: group probability
	// ∝ size^Alpha (0: uniform over groups).
	Field string  `yaml:"field"`
	Alpha float64 `yaml:"alpha"`
	// By orders the curriculum: quality (high quality first), length
	// (short captions first) or file (DifficultyFile, JSONL of
	// {"id"|"index", "difficulty"}, lower is easier).
	By             string `yaml:"by"`
	DifficultyFile string `yaml:"difficulty_file"`
	// Pacing is linear, root or step; Start is the fraction available at
	// first; Duration the epochs until all examples are in.
	Pacing   string  `yaml:"pacing"`
	Start    float64 `yaml:"start"`
	Duration int     `yaml:"duration"`
	// Embeddings holds one embedding per example (.npy, .safetensors or
	// JSONL) for hard negatives; Pool is the clustering window.
	Embeddings string `yaml:"embeddings"`
	Pool       int    `yaml:"pool"`
}

// MethodConfig selects the fine-tuning method (see package peft).
type MethodConfig struct {
	// Name is full, head, layerwise, lora, adapter, prompt or prefix.
	Name string `yaml:"name"`
	// Freeze lists towers (text, vision) kept frozen.
	Freeze    []string        `yaml:"freeze"`
	LoRA      LoRAConfig      `yaml:"lora"`
	Adapter   AdapterConfig   `yaml:"adapter"`
	Prompt    PromptConfig    `yaml:"prompt"`
	Prefix    PrefixConfig    `yaml:"prefix"`
	LayerWise LayerWiseConfig `yaml:"layerwise"`
}

// LoRAConfig configures LoRA.
type LoRAConfig struct {
	R       int     `yaml:"r"`
	Alpha   float64 `yaml:"alpha"`
	Dropout float64 `yaml:"dropout"`
	RSLoRA  bool    `yaml:"rslora"`
	// TargetModules are matched like PEFT: full module name or "."-suffix.
	TargetModules []string `yaml:"target_modules"`
	// TargetRegex, instead, must match a module's full name entirely.
	TargetRegex string `yaml:"target_regex"`
}

// AdapterConfig configures bottleneck adapters.
type AdapterConfig struct {
	Bottleneck int    `yaml:"bottleneck"`
	Activation string `yaml:"activation"`
}

// PromptConfig configures prompt tuning.
type PromptConfig struct {
	TextTokens   int `yaml:"text_tokens"`
	VisionTokens int `yaml:"vision_tokens"`
}

// PrefixConfig configures prefix tuning.
type PrefixConfig struct {
	Tokens int `yaml:"tokens"`
}

// LayerWiseConfig configures layer-wise training.
type LayerWiseConfig struct {
	TopK          int `yaml:"top_k"`
	UnfreezeEvery int `yaml:"unfreeze_every"`
}

// OptimizerConfig configures the optimizer.
type OptimizerConfig struct {
	// Name is adamw or sgd.
	Name        string  `yaml:"name"`
	LR          float64 `yaml:"lr"`
	WeightDecay float64 `yaml:"weight_decay"`
	Beta1       float64 `yaml:"beta1"`
	Beta2       float64 `yaml:"beta2"`
	Eps         float64 `yaml:"eps"`
	Momentum    float64 `yaml:"momentum"`
	Nesterov    bool    `yaml:"nesterov"`
	// DecayAll applies weight decay to biases and norms too.
	DecayAll bool `yaml:"decay_all"`
}

// ScheduleConfig configures the learning-rate schedule.
type ScheduleConfig struct {
	// Name is constant, linear or cosine.
	Name        string  `yaml:"name"`
	WarmupSteps int     `yaml:"warmup_steps"`
	MinLRRatio  float64 `yaml:"min_lr_ratio"`
}

// TrainingConfig configures the loop.
type TrainingConfig struct {
	Epochs    int `yaml:"epochs"`
	BatchSize int `yaml:"batch_size"`
	// GradAccum splits each batch into this many micro-batches; the update
	// equals that of the whole batch.
	GradAccum int `yaml:"grad_accum"`
	// MaxGradNorm clips the global gradient norm (0: off).
	MaxGradNorm float64 `yaml:"max_grad_norm"`
	// MaxSteps stops after this many optimizer steps (0: all epochs).
	MaxSteps int `yaml:"max_steps"`
	// Threads sets the compute threads (0: all CPUs): the process's
	// GOMAXPROCS and kernel worker pool, which other work in the same
	// process shares.
	Threads        int                  `yaml:"threads"`
	Regularization RegularizationConfig `yaml:"regularization"`
}

// RegularizationConfig adds penalty terms.
type RegularizationConfig struct {
	// L2SP pulls weights towards their pre-trained values:
	// λ/2·Σ(θ−θ₀)².
	L2SP float64 `yaml:"l2sp"`
	// EWC weighs that pull by a diagonal Fisher estimate from EWCBatches
	// batches of EWCData (default: the training data).
	EWC        float64  `yaml:"ewc"`
	EWCData    []string `yaml:"ewc_data"`
	EWCBatches int      `yaml:"ewc_batches"`
	// Distill adds a knowledge-distillation term from Teacher (a
	// checkpoint directory, or "builtin"): on "logits" (KL divergence of the softened
	// image-text distributions) or "embeddings" (1 − cosine).
	Teacher       string  `yaml:"teacher"`
	DistillWeight float64 `yaml:"distill_weight"`
	DistillTarget string  `yaml:"distill_target"`
	Temperature   float64 `yaml:"temperature"`
}

// EvaluationConfig configures validation.
type EvaluationConfig struct {
	// EveryEpochs validates every so many epochs (fractions allowed:
	// 0.5 validates twice per epoch); EverySteps, when set, wins.
	EveryEpochs float64 `yaml:"every_epochs"`
	EverySteps  int     `yaml:"every_steps"`
	// Monitor names the metric for early stopping and top-k checkpoints:
	// val_loss, zeroshot_top1, zeroshot_top5, i2t_r1, t2i_r1, ...
	Monitor string `yaml:"monitor"`
	// Patience stops training after this many validations without
	// improvement (0: never).
	Patience int `yaml:"patience"`
	// MaxExamples caps the validation set (0: all).
	MaxExamples int `yaml:"max_examples"`
}

// CheckpointConfig configures checkpoints.
type CheckpointConfig struct {
	// EverySteps saves every so many steps (0: only at validation and at
	// the end).
	EverySteps int `yaml:"every_steps"`
	// KeepTopK keeps the best K checkpoints by the monitored metric, plus
	// the last.
	KeepTopK int `yaml:"keep_top_k"`
}

// LoggingConfig configures outputs.
type LoggingConfig struct {
	// RunDir receives config.yaml, metrics.jsonl, TensorBoard events,
	// checkpoints/, best/ and report.html.
	RunDir      string `yaml:"run_dir"`
	LogEvery    int    `yaml:"log_every"`
	TensorBoard bool   `yaml:"tensorboard"`
	// Progress shows a live progress bar on a terminal.
	Progress bool `yaml:"progress"`
}

// DefaultConfig returns the defaults every file is decoded over.
func DefaultConfig() Config {
	return Config{
		Seed:  0,
		Model: ModelConfig{Path: builtinmodel.Name},
		Data: DataConfig{BadRecords: "skip", Templates: []string{"a photo of a {}."}, ImageKey: "image_path", CaptionKey: "caption",
			Sampler: SamplerConfig{Name: "shuffle", Pacing: "linear", Start: 0.3, Duration: 2, By: "quality"}},
		Method: MethodConfig{Name: peft.LoRA,
			LoRA:      LoRAConfig{R: 8, Alpha: 16, TargetModules: []string{"q_proj", "v_proj"}},
			Adapter:   AdapterConfig{Bottleneck: 32, Activation: "relu"},
			Prompt:    PromptConfig{TextTokens: 4},
			Prefix:    PrefixConfig{Tokens: 4},
			LayerWise: LayerWiseConfig{TopK: 1}},
		Optimizer:  OptimizerConfig{Name: "adamw", LR: 1e-4, WeightDecay: 0.1, Beta1: 0.9, Beta2: 0.98, Eps: 1e-6, Momentum: 0.9},
		Schedule:   ScheduleConfig{Name: schedule.Cosine},
		Training:   TrainingConfig{Epochs: 1, BatchSize: 32, GradAccum: 1, MaxGradNorm: 1, Regularization: RegularizationConfig{DistillTarget: "logits", Temperature: 1, EWCBatches: 10}},
		Evaluation: EvaluationConfig{EveryEpochs: 1, Monitor: "val_loss"},
		Checkpoint: CheckpointConfig{KeepTopK: 1},
		Logging:    LoggingConfig{RunDir: "runs/latest", LogEvery: 10, TensorBoard: true, Progress: true},
	}
}

// Load reads a YAML configuration over the defaults. Unknown keys, wrong
// types and invalid values are errors naming the file, line and key.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	return Parse(path, data)
}

// Parse decodes YAML configuration bytes over the defaults; name is used
// in errors.
func Parse(name string, data []byte) (Config, error) {
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file (io.EOF) leaves the defaults.
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%s: %s", name, describeYAMLError(err))
	}
	return cfg, nil
}

// describeYAMLError makes yaml.v3's messages name keys plainly.
func describeYAMLError(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return err.Error()
}

// Validate checks every value, naming the key and the allowed values.
func (c *Config) Validate() error {
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, key+": "+fmt.Sprintf(format, args...))
	}
	if c.Model.Path == "" {
		bad("model.path", "is empty; give a Hugging Face checkpoint directory or \"builtin\"")
	}
	if len(c.Data.Train) == 0 && c.Model.Path != builtinmodel.Name {
		bad("data.train", "lists no files")
	}
	if c.Data.BadRecords != "skip" && c.Data.BadRecords != "fail" {
		bad("data.bad_records", "is %q; allowed: skip, fail", c.Data.BadRecords)
	}
	if c.Data.Workers < 0 {
		bad("data.workers", "is %d; must be ≥ 0", c.Data.Workers)
	}
	if (c.Data.Labels == "") != (c.Data.LabelField == "") {
		bad("data.labels", "and data.label_field must be given together (zero-shot evaluation needs both)")
	}
	for _, tpl := range c.Data.Templates {
		if !strings.Contains(tpl, "{}") {
			bad("data.templates", "template %q has no {} placeholder for the class name", tpl)
		}
	}
	if err := c.Data.Augment.Validate(); err != nil {
		bad("data.augment", "%v", err)
	}
	if c.Data.TextAugment != nil {
		if err := c.Data.TextAugment.Validate(); err != nil {
			bad("data.text_augment", "%v", err)
		}
	}
	switch sm := c.Data.Sampler; sm.Name {
	case "", "shuffle":
	case "balanced":
		if sm.Field == "" {
			bad("data.sampler.field", "is empty; balanced sampling needs the metadata field to balance")
		}
		if sm.Alpha < 0 {
			bad("data.sampler.alpha", "is %g; must be ≥ 0", sm.Alpha)
		}
	case "curriculum":
		if sm.By != "quality" && sm.By != "length" && sm.By != "file" {
			bad("data.sampler.by", "is %q; allowed: quality, length, file", sm.By)
		}
		if sm.By == "file" && sm.DifficultyFile == "" {
			bad("data.sampler.difficulty_file", "is empty but data.sampler.by is file")
		}
		if sm.Pacing != "linear" && sm.Pacing != "root" && sm.Pacing != "step" {
			bad("data.sampler.pacing", "is %q; allowed: linear, root, step", sm.Pacing)
		}
		if sm.Start <= 0 || sm.Start > 1 || sm.Duration < 1 {
			bad("data.sampler", "curriculum needs start in (0, 1] and duration ≥ 1 (got %g, %d)", sm.Start, sm.Duration)
		}
	case "hard_negatives":
		if sm.Embeddings == "" {
			bad("data.sampler.embeddings", "is empty; hard negatives need one embedding per example")
		}
	default:
		bad("data.sampler.name", "is %q; allowed: shuffle, balanced, curriculum, hard_negatives", sm.Name)
	}
	if err := c.PeftSpec().Validate(); err != nil {
		bad("method", "%v", err)
	}
	switch c.Optimizer.Name {
	case "adamw", "sgd":
	default:
		bad("optimizer.name", "is %q; allowed: adamw, sgd", c.Optimizer.Name)
	}
	if !(c.Optimizer.LR > 0) || math.IsInf(c.Optimizer.LR, 0) {
		bad("optimizer.lr", "is %g; must be a positive number", c.Optimizer.LR)
	}
	if c.Optimizer.WeightDecay < 0 {
		bad("optimizer.weight_decay", "is %g; must be ≥ 0", c.Optimizer.WeightDecay)
	}
	if c.Optimizer.Beta1 < 0 || c.Optimizer.Beta1 >= 1 || c.Optimizer.Beta2 < 0 || c.Optimizer.Beta2 >= 1 {
		bad("optimizer.beta1/beta2", "are %g, %g; must be in [0, 1)", c.Optimizer.Beta1, c.Optimizer.Beta2)
	}
	if c.Optimizer.Eps <= 0 {
		bad("optimizer.eps", "is %g; must be positive", c.Optimizer.Eps)
	}
	if c.Optimizer.Momentum < 0 || c.Optimizer.Momentum >= 1 {
		bad("optimizer.momentum", "is %g; must be in [0, 1)", c.Optimizer.Momentum)
	}
	if !slices.Contains([]string{schedule.Constant, schedule.Linear, schedule.Cosine}, c.Schedule.Name) {
		bad("schedule.name", "is %q; allowed: constant, linear, cosine", c.Schedule.Name)
	}
	if c.Schedule.WarmupSteps < 0 {
		bad("schedule.warmup_steps", "is %d; must be ≥ 0", c.Schedule.WarmupSteps)
	}
	if c.Schedule.MinLRRatio < 0 || c.Schedule.MinLRRatio > 1 {
		bad("schedule.min_lr_ratio", "is %g; must be in [0, 1]", c.Schedule.MinLRRatio)
	}
	t := c.Training
	if t.Epochs < 1 {
		bad("training.epochs", "is %d; must be ≥ 1", t.Epochs)
	}
	if t.BatchSize < 2 {
		bad("training.batch_size", "is %d; contrastive training needs at least 2 pairs per batch", t.BatchSize)
	}
	if t.GradAccum < 1 || (t.BatchSize >= 2 && t.BatchSize%max(t.GradAccum, 1) != 0) {
		bad("training.grad_accum", "is %d; must be ≥ 1 and divide training.batch_size (%d)", t.GradAccum, t.BatchSize)
	}
	if t.MaxGradNorm < 0 || t.MaxSteps < 0 || t.Threads < 0 {
		bad("training", "max_grad_norm, max_steps and threads must be ≥ 0")
	}
	r := t.Regularization
	if r.L2SP < 0 || r.EWC < 0 || r.DistillWeight < 0 {
		bad("training.regularization", "l2sp, ewc and distill_weight must be ≥ 0")
	}
	if r.DistillWeight > 0 && r.Teacher == "" {
		bad("training.regularization.teacher", "is empty but distill_weight is %g", r.DistillWeight)
	}
	if r.DistillTarget != "logits" && r.DistillTarget != "embeddings" {
		bad("training.regularization.distill_target", "is %q; allowed: logits, embeddings", r.DistillTarget)
	}
	if r.Temperature <= 0 {
		bad("training.regularization.temperature", "is %g; must be positive", r.Temperature)
	}
	if r.EWC > 0 && r.EWCBatches < 1 {
		bad("training.regularization.ewc_batches", "is %d; must be ≥ 1 when ewc > 0", r.EWCBatches)
	}
	e := c.Evaluation
	if e.EveryEpochs < 0 || e.EverySteps < 0 || e.Patience < 0 || e.MaxExamples < 0 {
		bad("evaluation", "every_epochs, every_steps, patience and max_examples must be ≥ 0")
	}
	if !slices.Contains(MonitorMetrics, e.Monitor) {
		bad("evaluation.monitor", "is %q; allowed: %s", e.Monitor, strings.Join(MonitorMetrics, ", "))
	}
	if strings.HasPrefix(e.Monitor, "zeroshot") && c.Data.Labels == "" && c.Model.Path != builtinmodel.Name {
		bad("evaluation.monitor", "is %s but data.labels is empty", e.Monitor)
	}
	if c.Checkpoint.EverySteps < 0 || c.Checkpoint.KeepTopK < 0 {
		bad("checkpoint", "every_steps and keep_top_k must be ≥ 0")
	}
	if c.Logging.RunDir == "" {
		bad("logging.run_dir", "is empty")
	}
	if c.Logging.LogEvery < 1 {
		bad("logging.log_every", "is %d; must be ≥ 1", c.Logging.LogEvery)
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

// MonitorMetrics are the metrics validation reports.
var MonitorMetrics = []string{"val_loss", "zeroshot_top1", "zeroshot_top5", "i2t_r1", "i2t_r5", "i2t_r10", "t2i_r1", "t2i_r5", "t2i_r10"}

// PeftSpec converts the method section.
func (c *Config) PeftSpec() peft.Spec {
	m := c.Method
	return peft.Spec{
		Method: m.Name, Freeze: m.Freeze,
		LoRA:              loraConfig(m.LoRA),
		AdapterBottleneck: m.Adapter.Bottleneck, AdapterActivation: m.Adapter.Activation,
		PromptTextTokens: m.Prompt.TextTokens, PromptVisionTokens: m.Prompt.VisionTokens,
		PrefixTokens: m.Prefix.Tokens, TopK: m.LayerWise.TopK, UnfreezeEvery: m.LayerWise.UnfreezeEvery,
	}
}

// Marshal renders the configuration as YAML (the effective config written
// to the run directory).
func (c *Config) Marshal() ([]byte, error) { return yaml.Marshal(c) }
