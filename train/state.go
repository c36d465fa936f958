package train

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/data/loader"
	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/train/optim"
)

// File and folder names inside a checkpoint.
const (
	stateFile     = "trainer_state.json"
	optimizerFile = "optimizer.safetensors"
	modelDir      = "model"
	methodDir     = "method"
)

// TrainerState is what a checkpoint records besides weights and optimizer
// moments: enough to continue exactly where the run stopped.
type TrainerState struct {
	Step     int             `json:"step"`
	Epoch    int             `json:"epoch"`
	Position loader.Position `json:"position"`
	// RNG is the state of the generator behind dropout.
	RNG tensor.RNGState `json:"rng"`
	// Metric is the monitored metric at this checkpoint (when validated).
	Metric    *float64 `json:"metric,omitempty"`
	Monitor   string   `json:"monitor"`
	Best      *float64 `json:"best,omitempty"`
	BadEvals  int      `json:"bad_evals"`
	Optimizer string   `json:"optimizer"`
	OptStep   int      `json:"optimizer_step"`
	TopK      int      `json:"layerwise_top_k"`
	Skipped   int      `json:"skipped_records"`
	Method    string   `json:"method"`
}

// saveCheckpoint writes a complete checkpoint atomically: everything goes
// into a temporary folder next to dir, each file is synced, and the folder
// is renamed into place (replacing an older one of the same name).
func saveCheckpoint(dir string, m models.DualEncoder, applied *peft.Applied, opt optim.Optimizer, st TrainerState, cfgJSON []byte, auxFrom string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if applied.SavesModel() {
		if err := models.Save(filepath.Join(tmp, modelDir), m, models.SaveOptions{ConfigJSON: cfgJSON, AuxFrom: auxFrom}); err != nil {
			return err
		}
	} else if err := applied.Save(filepath.Join(tmp, methodDir)); err != nil {
		return err
	}
	ost := opt.State()
	names := make([]string, 0, len(ost.Buffers))
	for n := range ost.Buffers {
		names = append(names, n)
	}
	sort.Strings(names)
	var ts []safetensors.Tensor
	for _, n := range names {
		b := ost.Buffers[n]
		ts = append(ts, safetensors.Tensor{Name: n, Shape: []int{len(b)}, DType: safetensors.F32, F32: b})
	}
	if err := safetensors.Write(filepath.Join(tmp, optimizerFile), ts, map[string]string{"kind": ost.Kind}); err != nil {
		return err
	}
	st.Optimizer, st.OptStep = ost.Kind, ost.Step
	js, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(tmp, stateFile), append(js, '\n')); err != nil {
		return err
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return syncDir(parent)
}

// loadCheckpoint restores the model (or method parameters), optimizer and
// trainer state from a checkpoint written by saveCheckpoint.
func loadCheckpoint(dir string, m models.DualEncoder, applied *peft.Applied, opt optim.Optimizer) (TrainerState, error) {
	st, err := readState(dir)
	if err != nil {
		return st, err
	}
	if st.Method != applied.Spec.Method {
		return st, fmt.Errorf("resume: %s was written by method %q, the configuration says %q", dir, st.Method, applied.Spec.Method)
	}
	if applied.SavesModel() {
		if err := models.LoadWeights(m, filepath.Join(dir, modelDir)); err != nil {
			return st, fmt.Errorf("resume: %w", err)
		}
	} else if err := applied.LoadWeights(filepath.Join(dir, methodDir)); err != nil {
		return st, fmt.Errorf("resume: %w", err)
	}
	f, err := safetensors.Open(filepath.Join(dir, optimizerFile))
	if err != nil {
		return st, fmt.Errorf("resume: %w", err)
	}
	defer f.Close()
	ost := optim.State{Kind: st.Optimizer, Step: st.OptStep, Buffers: map[string][]float32{}}
	for _, info := range f.Tensors() {
		b, err := f.Float32s(info.Name)
		if err != nil {
			return st, fmt.Errorf("resume: %w", err)
		}
		ost.Buffers[info.Name] = b
	}
	if err := opt.LoadState(ost); err != nil {
		return st, fmt.Errorf("resume: %s: %w", filepath.Join(dir, optimizerFile), err)
	}
	return st, nil
}

// readState reads a checkpoint's trainer_state.json.
func readState(dir string) (TrainerState, error) {
	var st TrainerState
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return st, fmt.Errorf("resume: %s is not a vlmtune checkpoint: %w", dir, err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("resume: %s: %v", filepath.Join(dir, stateFile), err)
	}
	return st, nil
}

// checkpointName is the folder of the checkpoint at step.
func checkpointName(step int) string { return fmt.Sprintf("step-%07d", step) }

// latestCheckpoint returns the newest complete checkpoint under runDir.
func latestCheckpoint(runDir string) (string, error) {
	root := filepath.Join(runDir, "checkpoints")
	ents, err := os.ReadDir(root)
	if err != nil {
		return "", fmt.Errorf("resume: no checkpoints in %s: %w", runDir, err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), "step-") {
			if _, err := os.Stat(filepath.Join(root, e.Name(), stateFile)); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("resume: no complete checkpoint in %s", root)
	}
	sort.Strings(names)
	return filepath.Join(root, names[len(names)-1]), nil
}

// writeSynced writes a file and syncs it to disk.
func writeSynced(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir syncs every regular file below dir and the folders themselves,
// so that a rename publishes only data that is on disk.
func syncDir(dir string) error {
	return filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := f.Sync(); err != nil && !d.IsDir() {
			return err
		}
		return nil
	})
}
