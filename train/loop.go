package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/vlmtune/vlmtune/data/loader"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/train/objective"
	"github.com/vlmtune/vlmtune/train/optim"
	"github.com/vlmtune/vlmtune/train/progress"
	"github.com/vlmtune/vlmtune/train/report"
)

// loop opens the logs, evaluates the model before training and runs the
// steps, validating, checkpointing and stopping as configured; it ends
// with the best model and the report.
func (l *run) loop(ctx context.Context) error {
	cfg := l.cfg
	l.res = &Result{RunDir: l.runDir, Monitor: cfg.Evaluation.Monitor, Trainable: l.trainable, Total: l.total, Method: l.applied.Spec.Method,
		Objective: l.obj.Name(), Metrics: l.obj.Metrics()}
	var err error
	if l.logs, err = openRunLog(l.runDir, l.out, cfg.Logging, l.totalSteps, l.state.Step); err != nil {
		return err
	}
	defer l.logs.close()
	if l.resumed == "" && l.val != nil {
		if l.res.Before, err = l.obj.Evaluate(l.scope); err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(l.runDir, "before.json"), l.res.Before); err != nil {
			return err
		}
		l.logs.event("val", 0, l.res.Before)
		l.logs.printf("before training: %s", l.formatMetrics(l.res.Before))
	} else if l.val != nil {
		l.res.Before = readJSONMap(filepath.Join(l.runDir, "before.json"))
	}
	it, err := l.ld.Iterate(ctx, l.state.Position)
	if err != nil {
		return err
	}
	defer it.Close()

	stop := ""
	for l.state.Step < l.totalSteps && stop == "" {
		b, err := it.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				stop = "interrupted"
				break
			}
			return err
		}
		if b.Epoch != l.state.Epoch {
			l.state.Epoch = b.Epoch
			if l.applied.OnEpoch(b.Epoch) {
				l.params = optim.Collect(nn.Params(l.m), cfg.Optimizer.DecayAll)
				l.optimizer.SetParams(l.params)
				l.logs.printf("epoch %d: %s", b.Epoch+1, l.applied.Describe())
			}
		}
		t0 := time.Now()
		loss, err := l.step(b)
		if err != nil {
			var nf *NonFiniteError
			if errors.As(err, &nf) {
				nf.Step = l.state.Step + 1
			}
			return err
		}
		l.state.Step++
		l.state.Position = b.Next
		l.state.Skipped = b.Skipped
		l.samples += int64(b.Size)
		lr := l.sched.LR(l.state.Step - 1)
		l.logs.bar.Update(l.state.Step, progress.Fields{Epoch: b.Epoch + 1, Epochs: cfg.Training.Epochs, Loss: loss.total, LR: lr, Samples: l.samples})
		if l.state.Step%cfg.Logging.LogEvery == 0 || l.state.Step == 1 {
			dt := time.Since(t0).Seconds()
			values := map[string]float64{
				"loss": loss.total, "lr": lr, "grad_norm": loss.gradNorm,
				"samples_per_s": float64(b.Size) / math.Max(dt, 1e-9), "epoch": float64(b.Epoch) + float64(b.Next.Index)/float64(max(l.spe*cfg.Training.BatchSize, 1)),
			}
			for k, v := range loss.parts {
				values[k] = v
			}
			if err := l.logs.event("train", l.state.Step, values); err != nil {
				return err
			}
		}
		validated := false
		if l.val != nil && l.evalDue(b) {
			validated = true
			if stop, err = l.validate(); err != nil {
				return err
			}
		}
		if !validated && cfg.Checkpoint.EverySteps > 0 && l.state.Step%cfg.Checkpoint.EverySteps == 0 {
			if err := l.checkpoint(nil); err != nil {
				return err
			}
		}
		if l.opt.AbortAfterStep > 0 && l.state.Step >= l.opt.AbortAfterStep {
			return ErrAborted
		}
		if l.opt.StopAfterStep > 0 && l.state.Step >= l.opt.StopAfterStep && l.state.Step < l.totalSteps {
			stop = "interrupted"
		}
		if ctx.Err() != nil && stop == "" {
			stop = "interrupted"
		}
	}
	l.res.Steps = l.state.Step
	l.res.Skipped = l.skippedRead + l.state.Skipped
	switch stop {
	case "interrupted":
		l.res.Interrupted = true
		if err := l.checkpoint(nil); err != nil {
			return err
		}
		l.logs.printf("interrupted at step %d; checkpoint saved to %s (continue with --resume %s)", l.state.Step, l.res.LastCheckpoint, l.res.LastCheckpoint)
		return nil
	case "early":
		l.res.StoppedEarly = true
		l.logs.printf("early stopping at step %d: %s did not improve for %d validations", l.state.Step, cfg.Evaluation.Monitor, cfg.Evaluation.Patience)
	}
	// Final validation (unless the last step was just validated), final
	// checkpoint, best model and report.
	if l.val != nil && l.lastEval != l.state.Step {
		if _, err := l.validate(); err != nil {
			return err
		}
	} else if l.val == nil {
		if err := l.checkpoint(nil); err != nil {
			return err
		}
		if err := l.saveBest(); err != nil {
			return err
		}
	}
	if l.val != nil && l.res.After == nil {
		l.res.After = l.lastMetrics()
	}
	return l.writeReport()
}

// stepLoss is what one optimizer step reports.
type stepLoss struct {
	total    float64
	parts    map[string]float64
	gradNorm float64
}

// step runs forward, backward, regularisation, checks and the update.
func (l *run) step(b *loader.Batch) (stepLoss, error) {
	optim.ZeroGrad(l.params)
	loss, err := l.obj.Step(l.scope, b)
	if err != nil {
		return stepLoss{}, err
	}
	total := loss.Total
	if l.anchor != nil {
		total += l.anchor.addGradients()
	}
	if err := optim.CheckFinite(l.params); err != nil {
		return stepLoss{}, &NonFiniteError{What: err.Error(), Value: math.NaN()}
	}
	norm := optim.ClipGradNorm(l.params, l.cfg.Training.MaxGradNorm)
	l.optimizer.Step(float32(l.sched.LR(l.state.Step)))
	l.m.AfterStep()
	l.lastParts = loss.Parts
	return stepLoss{total: total, parts: loss.Parts, gradNorm: norm}, nil
}

// evalDue reports whether validation is due after batch b.
func (l *run) evalDue(b *loader.Batch) bool {
	e := l.cfg.Evaluation
	if e.EverySteps > 0 {
		return l.state.Step%e.EverySteps == 0
	}
	if e.EveryEpochs <= 0 {
		return false
	}
	every := int(math.Round(e.EveryEpochs * float64(l.spe)))
	return every > 0 && l.state.Step%every == 0
}

// lastMetrics returns the most recent validation metrics.
func (l *run) lastMetrics() map[string]float64 {
	out := map[string]float64{}
	for tag, pts := range l.logs.series {
		if len(pts) > 0 && len(tag) > 4 && tag[:4] == "val/" {
			out[tag[4:]] = pts[len(pts)-1].Value
		}
	}
	return out
}

// validate evaluates, logs, checkpoints, keeps the best model and applies
// early stopping. It returns "early" when training should stop.
func (l *run) validate() (string, error) {
	metrics, err := l.obj.Evaluate(l.scope)
	if err != nil {
		return "", err
	}
	l.lastEval = l.state.Step
	l.res.After = metrics
	if err := l.logs.event("val", l.state.Step, metrics); err != nil {
		return "", err
	}
	l.logs.printf("step %d: %s", l.state.Step, l.formatMetrics(metrics))
	v, ok := metrics[l.cfg.Evaluation.Monitor]
	if !ok {
		return "", fmt.Errorf("evaluation.monitor %s was not computed (available: %v)", l.cfg.Evaluation.Monitor, sortedKeys(metrics))
	}
	improved := l.state.Best == nil || better(v, *l.state.Best, l.monitorMode())
	if improved {
		l.state.Best = &v
		l.state.BadEvals = 0
	} else {
		l.state.BadEvals++
	}
	if err := l.checkpoint(&v); err != nil {
		return "", err
	}
	if improved {
		if err := l.saveBest(); err != nil {
			return "", err
		}
		l.res.Best = v
	}
	if p := l.cfg.Evaluation.Patience; p > 0 && l.state.BadEvals >= p {
		return "early", nil
	}
	return "", nil
}

func better(v, best float64, mode string) bool {
	if mode == "min" {
		return v < best
	}
	return v > best
}

func sortedKeys(m map[string]float64) []string {
	k := make([]string, 0, len(m))
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

// checkpoint saves the current state and prunes old checkpoints.
func (l *run) checkpoint(metric *float64) error {
	st := l.state
	st.Metric = metric
	st.RNG = l.rng.State()
	st.TopK = l.applied.TopK()
	dir := filepath.Join(l.runDir, "checkpoints", checkpointName(st.Step))
	if err := saveCheckpoint(dir, l.m, l.applied, l.optimizer, st, l.loaded.ConfigJSON, l.modelPath); err != nil {
		return fmt.Errorf("saving checkpoint %s: %w", dir, err)
	}
	l.res.LastCheckpoint = dir
	return pruneCheckpoints(filepath.Join(l.runDir, "checkpoints"), l.cfg.Checkpoint.KeepTopK, l.monitorMode())
}

// saveBest writes best/: a standalone Hugging Face model directory (LoRA
// merged into the weights, with the adapter itself in best/adapter), plus
// the method's files for adapter, prompt and prefix tuning.
func (l *run) saveBest() error {
	dir := filepath.Join(l.runDir, "best")
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	ad := l.applied.LoRA
	if ad != nil {
		ad.Merge()
	}
	err := models.Save(tmp, l.m, models.SaveOptions{ConfigJSON: l.loaded.ConfigJSON, AuxFrom: l.modelPath})
	if ad != nil {
		ad.Unmerge()
		if err == nil {
			err = ad.Save(filepath.Join(tmp, "adapter"))
		}
	} else if err == nil && !l.applied.SavesModel() {
		err = l.applied.Save(tmp)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("saving best model: %w", err)
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	l.res.BestDir = dir
	return nil
}

// pruneCheckpoints keeps the newest checkpoint and the keepTopK best by
// their recorded metric, removing the others.
func pruneCheckpoints(root string, keepTopK int, mode string) error {
	ents, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	type ck struct {
		name   string
		metric *float64
	}
	var cks []ck
	for _, e := range ents {
		if !e.IsDir() || len(e.Name()) < 5 || e.Name()[:5] != "step-" {
			continue
		}
		st, err := readState(filepath.Join(root, e.Name()))
		if err != nil {
			continue
		}
		cks = append(cks, ck{e.Name(), st.Metric})
	}
	if len(cks) == 0 {
		return nil
	}
	sort.Slice(cks, func(i, j int) bool { return cks[i].name < cks[j].name })
	keep := map[string]bool{cks[len(cks)-1].name: true}
	var scored []ck
	for _, c := range cks {
		if c.metric != nil {
			scored = append(scored, c)
		}
	}
	sort.SliceStable(scored, func(i, j int) bool { return better(*scored[i].metric, *scored[j].metric, mode) })
	for i := 0; i < keepTopK && i < len(scored); i++ {
		keep[scored[i].name] = true
	}
	for _, c := range cks {
		if !keep[c.name] {
			if err := os.RemoveAll(filepath.Join(root, c.name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeReport writes report.html.
func (l *run) writeReport() error {
	metrics := l.obj.Metrics()
	losses := []string{"train/loss"}
	for k := range l.lastParts {
		losses = append(losses, "train/"+k)
	}
	sort.Strings(losses[1:])
	var valLoss, valPercent []string
	for _, m := range metrics {
		switch {
		case m.LowerIsBetter:
			valLoss = append(valLoss, "val/"+m.Name)
		case m.Percent && m.Summary:
			valPercent = append(valPercent, "val/"+m.Name)
		}
	}
	r := report.Run{
		Title: fmt.Sprintf("vlmtune: %s fine-tuning of %s", l.applied.Spec.Method, l.m.Family()),
		Meta: [][2]string{
			{"model", l.modelPath}, {"method", l.applied.Describe()}, {"objective", l.obj.Name()},
			{"parameters", report.FormatParams(l.res.Trainable, l.res.Total)},
			{"data", fmt.Sprint(l.cfg.Data.Train)}, {"steps", fmt.Sprint(l.state.Step)},
			{"duration", time.Since(l.logs.start).Round(time.Second).String()},
		},
		Charts: []report.Chart{
			l.logs.chart("Training loss", "loss", losses...),
			l.logs.chart("Validation loss", "loss", valLoss...),
			l.logs.chart("Validation metrics", "%", valPercent...),
			l.logs.chart("Learning rate", "lr", "train/lr"),
		},
	}
	for _, m := range metrics {
		a, okA := l.res.After[m.Name]
		b, okB := l.res.Before[m.Name]
		if !okA && !okB {
			continue
		}
		if !okA {
			a = math.NaN()
		}
		if !okB {
			b = math.NaN()
		}
		label := m.Label
		if m.Percent {
			label += " (%)"
		}
		r.Metrics = append(r.Metrics, report.Metric{Name: label, Before: b, After: a, LowerIsBetter: m.LowerIsBetter})
	}
	return report.Write(filepath.Join(l.runDir, "report.html"), r)
}

// formatMetrics renders the objective's headline metrics on one line.
func (l *run) formatMetrics(values map[string]float64) string {
	s := ""
	for _, m := range l.obj.Metrics() {
		if v, ok := values[m.Name]; ok && m.Headline {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %.4g", m.Name, v)
		}
	}
	return s
}

// monitorMode is "min" when the monitored metric is better lower.
func (l *run) monitorMode() string {
	if m, ok := objective.Find(l.obj.Metrics(), l.cfg.Evaluation.Monitor); ok && m.LowerIsBetter {
		return "min"
	}
	return "max"
}
