package infer_test

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	builtinmodel "github.com/vlmtune/vlmtune/builtin/model"
	"github.com/vlmtune/vlmtune/infer"
	"github.com/vlmtune/vlmtune/infer/dual"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/tensor"
)

// A model saved with vlmtune's adapter method loads with the method
// applied, frozen, and embeds as the model in memory did.
func TestLoadAppliesSavedMethod(t *testing.T) {
	base, err := builtinmodel.Extract(filepath.Join(t.TempDir(), "base"))
	if err != nil {
		t.Fatal(err)
	}
	l, m, err := infer.LoadModel(base)
	if err != nil || m != nil {
		t.Fatalf("base model: method %v, error %v", m, err)
	}
	de := l.Model.(models.DualEncoder)
	applied, err := peft.Apply(de, peft.Spec{Method: peft.Adapter, AdapterBottleneck: 4}, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range applied.Added {
		for i := range p.Data() {
			p.Data()[i] += 0.01 * float32(i%5)
		}
	}
	dir := filepath.Join(t.TempDir(), "best")
	if err := models.Save(dir, de, models.SaveOptions{ConfigJSON: l.ConfigJSON, AuxFrom: base}); err != nil {
		t.Fatal(err)
	}
	if err := applied.Save(dir); err != nil {
		t.Fatal(err)
	}
	sess, err := infer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Method == nil || sess.Method.Spec.Method != peft.Adapter {
		t.Fatalf("method %+v", sess.Method)
	}
	if tr, _ := nn.CountParams(sess.Model); tr != 0 {
		t.Fatalf("%d trainable parameters after Load", tr)
	}
	enc, err := sess.Dual()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"a photo of a red circle."}
	got := enc.Texts(texts).Data()
	want := dual.New(de, enc.Prep, nil).Texts(texts).Data()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("embedding %d: %v loaded, %v in memory", i, got[i], want[i])
		}
	}
}

// toy is a model of a family that is not a dual encoder.
type toy struct{ W *tensor.Tensor }

func (m *toy) Declare(d *nn.Decl) { d.Param("w", &m.W) }
func (m *toy) Family() string     { return "toy_infer_test" }
func (m *toy) HFConfig() any      { return map[string]any{"model_type": "toy_infer_test"} }

func init() {
	models.Register(models.Family{ModelType: "toy_infer_test", Kind: models.KindDualEncoder, Description: "test model", New: func(string, []byte) (models.Model, error) {
		return &toy{W: tensor.Zeros(2)}, nil
	}})
}

func TestDualRefusesOtherKinds(t *testing.T) {
	dir := t.TempDir()
	if err := models.Save(dir, &toy{W: tensor.Ones(2)}, models.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	sess, err := infer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Model.(*toy).W.Data()[1] != 1 {
		t.Fatal("weights not loaded")
	}
	if _, err := sess.Dual(); err == nil || !strings.Contains(err.Error(), "toy_infer_test model, not a dual encoder") {
		t.Fatalf("Dual on a toy model: %v", err)
	}
}
