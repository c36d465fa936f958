package opt

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/generate"
	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/models/parity"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// prefixed reads the tensors of a checkpoint under a name prefix.
type prefixed struct {
	f      *safetensors.File
	prefix string
}

func (p prefixed) Names() []string {
	var out []string
	for _, n := range p.f.Names() {
		if strings.HasPrefix(n, p.prefix) {
			out = append(out, strings.TrimPrefix(n, p.prefix))
		}
	}
	return out
}
func (p prefixed) Shape(n string) ([]int, bool) { return p.f.Shape(p.prefix + n) }
func (p prefixed) Float32sInto(n string, dst []float32) error {
	return p.f.Float32sInto(p.prefix+n, dst)
}

// blip2OPT builds the OPT language model inside blip2_tiny.
func blip2OPT(t *testing.T) (*Model, *safetensors.File, string) {
	dir := testutil.Fixture(t, "hf-parity", "blip2_tiny")
	cfg, err := ParseConfig("text_config", []byte(`{"model_type": "opt", "ffn_dim": 128, "hidden_size": 64, "max_position_embeddings": 64,
		"num_attention_heads": 4, "num_hidden_layers": 2, "vocab_size": 128, "word_embed_proj_dim": 64}`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := parity.Open(t, filepath.Join(dir, "model.safetensors"))
	if err := nn.LoadState(m, prefixed{f, "language_model."}, "model.safetensors", nn.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	return m, parity.Open(t, filepath.Join(dir, "reference.safetensors")), dir
}

// withQueries prepends the projected Q-Former queries [B, 4, E] to the
// embeddings of ids [B, T] and ones to the mask.
func withQueries(m *Model, s *tensor.Scope, queries *tensor.Tensor, ids, mask []int32, b, tl int) (*tensor.Tensor, []int32) {
	q := queries.Dim(1)
	x := tensor.Concat(1, s.In(queries), m.EmbedTokens(s, ids, b, tl))
	full := make([]int32, b*(q+tl))
	for r := 0; r < b; r++ {
		for j := 0; j < q; j++ {
			full[r*(q+tl)+j] = 1
		}
		copy(full[r*(q+tl)+q:], mask[r*tl:(r+1)*tl])
	}
	return x, full
}

// The OPT inside blip2_tiny, driven by its projected queries, gives
// transformers' logits, loss (over the text positions) and the gradient
// of every OPT parameter.
func TestParityOPTInBlip2(t *testing.T) {
	m, ref, dir := blip2OPT(t)
	nn.SetTrainable(m, true)
	ids := parity.I32(t, ref, "input_ids")
	mask := parity.I32(t, ref, "attention_mask")
	info, _ := ref.Info("input_ids")
	b, tl := info.Shape[0], info.Shape[1]
	s := tensor.NewScope()
	x, full := withQueries(m, s, parity.F32(t, ref, "language_projection_output"), ids, mask, b, tl)
	o, err := m.ForwardLM(s, models.TokenBatch{Embeds: x, Mask: full, B: b, T: x.Dim(1)}, models.LMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := parity.F32(t, ref, "logits")
	var rows []int
	for i, v := range full {
		if v != 0 {
			rows = append(rows, i)
		}
	}
	pick := func(x *tensor.Tensor) *tensor.Tensor {
		return tensor.IndexSelect(tensor.Reshape(x.Detach(), x.Dim(0)*x.Dim(1), x.Dim(2)), 0, rows)
	}
	parity.Check(t, "logits", pick(o.Logits), pick(want))
	text := tensor.Slice(o.Logits, 1, x.Dim(1)-tl, x.Dim(1))
	loss := models.ShiftedLoss(text, parity.I32(t, ref, "labels"), b, tl)
	parity.CheckLoss(t, loss.Item(), parity.F32(t, ref, "loss").Item())
	loss.Backward()
	grads := parity.Open(t, filepath.Join(dir, "grads.safetensors"))
	n := 0
	for name, p := range nn.Params(m) {
		gname := "language_model." + name
		if _, err := grads.Info(gname); err != nil {
			t.Errorf("no reference gradient %s", gname)
			continue
		}
		parity.Check(t, gname, p.Grad(), parity.F32(t, grads, gname))
		n++
	}
	if n == 0 {
		t.Fatal("no gradients compared")
	}
}

// Greedy generation from the queries (and a prompt) gives transformers'
// ids and scores.
func TestOPTGenerationInBlip2(t *testing.T) {
	m, ref, _ := blip2OPT(t)
	queries := parity.F32(t, ref, "language_projection_output")
	b := queries.Dim(0)
	cfg := generate.DefaultConfig()
	cfg.MaxNewTokens, cfg.EOS = 8, []int32{2}
	pad := int32(1)
	cfg.Pad = &pad
	for _, c := range []struct {
		name      string
		ids, mask []int32
		tl        int
	}{
		{"generate_greedy_noprompt", []int32{2, 2}, []int32{1, 1}, 1},
		{"generate_greedy_prompt", parity.I32(t, ref, "generate_prompt_input_ids"), parity.I32(t, ref, "generate_prompt_attention_mask"), 5},
	} {
		s := tensor.NewInferenceScope()
		x, full := withQueries(m, s, queries, c.ids, c.mask, b, c.tl)
		out, err := generate.Generate(m, generate.Prompt{Embeds: x, Mask: full, B: b, T: x.Dim(1)}, cfg, generate.Options{Scope: s, OutputScores: true})
		if err != nil {
			t.Fatal(err)
		}
		// transformers returns BOS + the new tokens.
		want := parity.I32(t, ref, c.name)
		var got []int32
		for _, r := range out.Sequences {
			got = append(append(got, 2), r...)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: got %v, want %v", c.name, got, want)
		}
		var all []float32
		for _, st := range out.Scores {
			all = append(all, st...)
		}
		parity.Check(t, c.name+"_scores", tensor.Wrap(all, len(out.Scores), b, m.VocabSize()), parity.F32(t, ref, c.name+"_scores"))
	}
}
