package llama

import (
	"path/filepath"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// maskedRows keeps the rows of logits [B, T, V] where mask is 1 (transformers'
// values at padded positions follow its finfo.min mask and are not
// compared).
func maskedRows(x *tensor.Tensor, mask []int32) *tensor.Tensor {
	v := x.Dim(2)
	var rows []int
	for i, m := range mask {
		if m != 0 {
			rows = append(rows, i)
		}
	}
	return tensor.IndexSelect(tensor.Reshape(x.Detach(), x.Dim(0)*x.Dim(1), v), 0, rows)
}

// CheckCausalParity runs the comparisons of a *_gen_tiny fixture: logits
// with transformers' default positions and with generate's positions, the
// training loss and every gradient.
func checkCausalParity(t *testing.T, m *Model, dir string) {
	ref := parity.Open(t, filepath.Join(dir, "reference.safetensors"))
	ids := parity.I32(t, ref, "input_ids")
	mask := parity.I32(t, ref, "attention_mask")
	shape := parity.F32(t, ref, "logits").Shape()
	b, tl := shape[0], shape[1]
	quiet := tensor.NewInferenceScope()
	for _, c := range []struct {
		name      string
		positions []int32
	}{{"logits", nil}, {"logits_position_ids_from_mask", parity.I32(t, ref, "position_ids_generate")}} {
		o, err := m.ForwardLM(quiet, models.TokenBatch{IDs: ids, Mask: mask, B: b, T: tl, Positions: c.positions}, models.LMOptions{})
		if err != nil {
			t.Fatal(err)
		}
		parity.Check(t, c.name, maskedRows(o.Logits, mask), maskedRows(parity.F32(t, ref, c.name), mask))
	}
	nn.SetTrainable(m, true)
	tids := parity.I32(t, ref, "train_input_ids")
	tmask := parity.I32(t, ref, "train_attention_mask")
	tshape := parity.F32(t, ref, "train_logits").Shape()
	o, err := m.ForwardLM(tensor.NewScope(), models.TokenBatch{IDs: tids, Mask: tmask, Labels: parity.I32(t, ref, "train_labels"), B: tshape[0], T: tshape[1]}, models.LMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parity.Check(t, "train_logits", maskedRows(o.Logits, tmask), maskedRows(parity.F32(t, ref, "train_logits"), tmask))
	parity.CheckLoss(t, o.Loss.Item(), parity.F32(t, ref, "loss").Item())
	o.Loss.Backward()
	parity.CheckGrads(t, m, parity.Open(t, filepath.Join(dir, "grads.safetensors")))
}

func TestParityLlamaGenTiny(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "llama_gen_tiny")
	checkCausalParity(t, parity.LoadModel(t, dir, ParseConfig, New), dir)
}

func TestParityQwen2GenTiny(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "qwen2_gen_tiny")
	checkCausalParity(t, parity.LoadModel(t, dir, ParseConfig, New), dir)
}

// With checkpointing the loss and gradients are the same.
func TestParityLlamaCheckpointed(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "llama_gen_tiny")
	m := parity.LoadModel(t, dir, ParseConfig, New)
	m.SetCheckpointing(true)
	checkCausalParity(t, m, dir)
}
