// Package parity holds the helpers of the tests that compare vlmtune's
// models with the Hugging Face reference outputs in
// ../shared/fixtures/hf-parity: reading reference arrays and comparing
// outputs and gradients with stated tolerances.
package parity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// Tolerances of the parity tests.
const (
	// OutputTol bounds the relative L2 error of every output and gradient.
	OutputTol = 1e-4
	// LossTol bounds the absolute error of a loss.
	LossTol = 1e-5
	// ZeroTol bounds the absolute L2 error where the reference is zero in
	// exact arithmetic and float32 noise in the file.
	ZeroTol = 1e-6
)

// LoadModel builds a model from the config.json and model.safetensors in
// dir with the model package's ParseConfig and New, failing the test on
// any error.
func LoadModel[C any, M nn.Module](t testing.TB, dir string, parse func(name string, data []byte) (*C, error), build func(C) (M, error)) M {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parse("config.json", data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := build(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.LoadState(m, Open(t, filepath.Join(dir, "model.safetensors")), "model.safetensors", nn.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	return m
}

// Open opens a safetensors file and closes it when the test ends.
func Open(t testing.TB, path string) *safetensors.File {
	t.Helper()
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// F32 reads a float tensor.
func F32(t testing.TB, f *safetensors.File, name string) *tensor.Tensor {
	t.Helper()
	info, err := f.Info(name)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Float32s(name)
	if err != nil {
		t.Fatal(err)
	}
	return tensor.Wrap(v, info.Shape...)
}

// I32 reads an integer tensor as int32 values.
func I32(t testing.TB, f *safetensors.File, name string) []int32 {
	t.Helper()
	v, err := f.Int64s(name)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}

// Check compares got with want by relative L2 error (absolute where the
// reference is ~0) and reports failures on t.
func Check(t testing.TB, name string, got, want *tensor.Tensor) {
	t.Helper()
	CheckTol(t, name, got, want, OutputTol)
}

// CheckTol is Check with a relative tolerance of tol.
func CheckTol(t testing.TB, name string, got, want *tensor.Tensor, tol float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: missing output", name)
		return
	}
	if got.Len() != want.Len() {
		t.Errorf("%s: %d values (shape %v), want %d (shape %v)", name, got.Len(), got.Shape(), want.Len(), want.Shape())
		return
	}
	if norm := testutil.L2(want.Data()); norm < ZeroTol {
		// Gradients that are zero in exact arithmetic (a key-projection
		// bias: adding a constant to every score of a softmax row changes
		// nothing) are float32 noise in the reference.
		if d := testutil.L2Diff(got.Data(), want.Data()); d > ZeroTol {
			t.Errorf("%s: reference is ~0 (norm %.2g) but the difference has norm %.3g > %.0g", name, norm, d, ZeroTol)
		}
		return
	}
	if e := testutil.RelL2(got.Data(), want.Data()); e > tol {
		t.Errorf("%s: relative L2 error %.3g > %.0g", name, e, tol)
	}
}

// TakeGrads returns copies of m's parameter gradients by name (parameters
// without one are left out) and clears them, for comparing two runs.
func TakeGrads(m nn.Module) map[string]*tensor.Tensor {
	g := map[string]*tensor.Tensor{}
	nn.VisitParams(m, func(name string, p **tensor.Tensor) {
		if gr := (*p).Grad(); gr != nil {
			g[name] = gr.Detach().Clone()
		}
		(*p).ClearGrad()
	})
	return g
}

// CheckSameGrads checks that two runs gave gradients to the same
// parameters, agreeing within tol (CheckTol).
func CheckSameGrads(t testing.TB, got, want map[string]*tensor.Tensor, tol float64) {
	t.Helper()
	if len(got) != len(want) || len(want) == 0 {
		t.Errorf("%d parameters got gradients, want %d", len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("grad.%s: missing", name)
			continue
		}
		CheckTol(t, "grad."+name, g, w, tol)
	}
}

// CheckLoss compares a scalar loss with the reference.
func CheckLoss(t testing.TB, got, want float32) {
	t.Helper()
	if d := got - want; d > LossTol || d < -LossTol {
		t.Errorf("loss %.7f, want %.7f (tolerance %.0g)", got, want, LossTol)
	}
}

// CheckGrads compares every gradient in a grads file (keys "grad.NAME" or
// "NAME") with the model's, and that every parameter was compared.
func CheckGrads(t testing.TB, m nn.Module, grads *safetensors.File) {
	t.Helper()
	params := nn.Params(m)
	n := 0
	for _, info := range grads.Tensors() {
		name := strings.TrimPrefix(info.Name, "grad.")
		p, ok := params[name]
		if !ok {
			t.Errorf("%s is not a model parameter", info.Name)
			continue
		}
		if p.Grad() == nil {
			t.Errorf("%s: no gradient", name)
			continue
		}
		Check(t, "grad."+name, p.Grad(), F32(t, grads, info.Name))
		n++
	}
	if n != len(params) {
		t.Errorf("compared %d gradients, the model has %d parameters", n, len(params))
	}
}

// Stack joins same-shaped tensors along a new first axis.
func Stack(ts []*tensor.Tensor) *tensor.Tensor {
	us := make([]*tensor.Tensor, len(ts))
	for i, x := range ts {
		us[i] = tensor.Unsqueeze(x.Detach(), 0)
	}
	return tensor.Concat(0, us...)
}
