package train_test

import (
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	builtinmodel "github.com/vlmtune/vlmtune/builtin/model"
	"github.com/vlmtune/vlmtune/infer"
	"github.com/vlmtune/vlmtune/infer/dual"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/train"
)

// Inference in two goroutines while a third trains gives, bit for bit,
// what each gives alone: gradient recording and scratch memory belong to
// each caller's tensor scope, not to the process. CI also runs this test
// under the race detector.
func TestInferenceWhileTraining(t *testing.T) {
	cfg := smallConfig(t, "lora")
	cfg.Training.MaxSteps = 8
	cfg.Evaluation.EveryEpochs = 0
	cfg.Evaluation.EverySteps = 4
	d := testData(t)
	images, err := filepath.Glob(filepath.Join(d, "val", "images", "*.png"))
	if err != nil || len(images) < 8 {
		t.Fatalf("%d validation images (%v)", len(images), err)
	}
	images = images[:8]
	texts := []string{"a photo of a red circle.", "a blue square on a white background.", "a green triangle.", "a striped hexagon."}
	dir, err := builtinmodel.Extract(filepath.Join(t.TempDir(), "model"))
	if err != nil {
		t.Fatal(err)
	}
	sess, err := infer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := sess.Dual()
	if err != nil {
		t.Fatal(err)
	}
	// Each inference goroutine encodes with its own scope.
	embedTexts := func() []float32 { return dual.New(enc.Model, enc.Prep, nil).Texts(texts).Data() }
	embedImages := func() []float32 {
		e, err := dual.New(enc.Model, enc.Prep, tensor.NewScope()).ImageFiles(images)
		if err != nil {
			t.Error(err)
			return nil
		}
		return e.Data()
	}
	trainOnce := func() *train.Result {
		c := cfg
		c.Logging.RunDir = t.TempDir()
		return run(t, c, train.Options{})
	}

	// Alone.
	wantText, wantImage := embedTexts(), embedImages()
	alone := trainOnce()

	// Together.
	var done atomic.Bool
	var wg sync.WaitGroup
	var together *train.Result
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer done.Store(true)
		together = trainOnce()
	}()
	for _, c := range []struct {
		name string
		f    func() []float32
		want []float32
	}{{"texts", embedTexts, wantText}, {"images", embedImages, wantImage}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2 || !done.Load(); i++ {
				if got := c.f(); !sameFloats(got, c.want) {
					t.Errorf("%s embeddings computed during training differ from the ones computed alone (round %d)", c.name, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, m := range []struct {
		name string
		a, b map[string]float64
	}{{"before", alone.Before, together.Before}, {"after", alone.After, together.After}} {
		if len(m.a) == 0 || len(m.a) != len(m.b) {
			t.Fatalf("%s: %d vs %d metrics", m.name, len(m.a), len(m.b))
		}
		for k, v := range m.a {
			if math.Float64bits(v) != math.Float64bits(m.b[k]) {
				t.Errorf("%s %s: %v alone, %v alongside inference", m.name, k, v, m.b[k])
			}
		}
	}
	sameBits(t, weights(t, alone.RunDir), weights(t, together.RunDir))
	if _, err := os.Stat(filepath.Join(together.RunDir, "best", "config.json")); err != nil {
		t.Errorf("the concurrent run wrote no best model: %v", err)
	}
}

func sameFloats(a, b []float32) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}
