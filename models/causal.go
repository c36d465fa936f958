package models

import (
	"fmt"

	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// IgnoreLabel marks label positions that do not count in the loss
// (PyTorch's ignore_index).
const IgnoreLabel = -100

// TokenBatch is a batch of token rows for a causal language model.
type TokenBatch struct {
	// IDs are the tokens [B, T] (ignored when Embeds is set).
	IDs  []int32
	B, T int
	// Mask is the attention mask [B, T] (1 token, 0 padding), or nil for
	// all tokens.
	Mask []int32
	// Positions are the position ids [B, T], or nil for the family's
	// default (Llama: past length + 0…T−1 for every row, as transformers'
	// forward; OPT ignores them and counts real tokens in the mask).
	Positions []int32
	// Labels [B, T] make the forward compute transformers' loss: the mean
	// cross-entropy of logits[:, :−1] against labels[:, 1:] over the
	// positions that are not IgnoreLabel. nil: no loss.
	Labels []int32
	// Embeds, when set, are the input embeddings [B, T, E] in place of
	// the embeddings of IDs (vision-language models splice image features
	// into them).
	Embeds *tensor.Tensor
}

// LMOptions select optional outputs and the generation cache.
type LMOptions struct {
	// WantHidden returns the hidden states (the embeddings and every
	// layer's output; the last one after the final norm, as transformers).
	WantHidden bool
	// Cache, when set, holds the keys and values of earlier positions; the
	// call attends to them and appends its own (prefill, then one token
	// per step).
	Cache *Cache
	// LastOnly computes the logits of each row's last position only [B, 1,
	// V] (generation).
	LastOnly bool
	// RNG drives dropout inside checkpointed layers (may be nil).
	RNG *tensor.RNG
}

// LMOutput is a causal language model's output (CausalLMOutputWithPast).
type LMOutput struct {
	Logits       *tensor.Tensor   // [B, T, V] (or [B, 1, V] with LastOnly)
	Loss         *tensor.Tensor   // with labels
	HiddenStates []*tensor.Tensor // with WantHidden
}

// CausalLM is a decoder-only language model (Llama, Mistral, Qwen2, OPT).
type CausalLM interface {
	Model
	// Layout describes the decoder for fine-tuning methods.
	Layout() nn.Layout
	// SetCheckpointing turns gradient checkpointing of every decoder
	// layer on or off.
	SetCheckpointing(on bool)
	// VocabSize is the number of token ids; MaxPositions the context the
	// model was trained with (max_position_embeddings).
	VocabSize() int
	MaxPositions() int
	// EmbedTokens returns the input embeddings [B, T, E] of ids in scope s.
	EmbedTokens(s *tensor.Scope, ids []int32, b, t int) *tensor.Tensor
	// ForwardLM runs the model on a batch in scope s. It returns an error
	// for inputs that do not fit the model (ids outside the vocabulary,
	// too many positions).
	ForwardLM(s *tensor.Scope, b TokenBatch, opt LMOptions) (*LMOutput, error)
	// NewCache returns an empty key/value cache for generation over
	// batch rows.
	NewCache(batch int) *Cache
}

// Cache holds what a causal language model keeps between generation
// steps: each layer's keys and values and which cached positions are real
// tokens.
type Cache struct {
	B      int
	Layers []nn.KV
	// Mask has B·Len entries: false for padding.
	Mask []bool
}

// NewCache returns an empty cache for b rows and the given number of
// layers.
func NewCache(b, layers int) *Cache { return &Cache{B: b, Layers: make([]nn.KV, layers)} }

// Len is the number of cached positions.
func (c *Cache) Len() int {
	if c == nil || len(c.Layers) == 0 {
		return 0
	}
	return c.Layers[0].Len()
}

// ExtendMask appends the attention mask of t new positions ([B, t], nil:
// all tokens) and returns the key mask over every position (nil when
// every position is a token).
func (c *Cache) ExtendMask(mask []int32, t int) []bool {
	old := c.Len()
	all := make([]bool, c.B*(old+t))
	any := false
	for bi := 0; bi < c.B; bi++ {
		for j := 0; j < old; j++ {
			v := c.Mask == nil || c.Mask[bi*old+j]
			all[bi*(old+t)+j] = v
			any = any || !v
		}
		for j := 0; j < t; j++ {
			v := mask == nil || mask[bi*t+j] != 0
			all[bi*(old+t)+old+j] = v
			any = any || !v
		}
	}
	c.Mask = all
	if !any {
		return nil
	}
	return all
}

// Reorder makes row i of the cache a copy of row rows[i] (beam search
// follows the beams it keeps).
func (c *Cache) Reorder(rows []int) {
	n := c.Len()
	for l := range c.Layers {
		kv := &c.Layers[l]
		if kv.K != nil {
			kv.K, kv.V = tensor.IndexSelect(kv.K, 0, rows), tensor.IndexSelect(kv.V, 0, rows)
		}
	}
	if c.Mask != nil {
		m := make([]bool, len(rows)*n)
		for i, r := range rows {
			copy(m[i*n:(i+1)*n], c.Mask[r*n:(r+1)*n])
		}
		c.Mask = m
	}
	c.B = len(rows)
}

// CheckIDs returns an error when an id is outside [0, vocab).
func CheckIDs(what string, ids []int32, vocab int) error {
	for i, id := range ids {
		if id < 0 || int(id) >= vocab {
			return fmt.Errorf("%s: token id %d at position %d is outside the vocabulary [0, %d)", what, id, i, vocab)
		}
	}
	return nil
}

// ShiftedLoss is transformers' causal-LM loss: the mean cross-entropy of
// logits [B, T, V] at positions 0…T−2 against labels at 1…T−1, over the
// labels that are not IgnoreLabel.
func ShiftedLoss(logits *tensor.Tensor, labels []int32, b, t int) *tensor.Tensor {
	targets := make([]int, b*t)
	for bi := 0; bi < b; bi++ {
		for j := 0; j < t; j++ {
			targets[bi*t+j] = IgnoreLabel
			if j+1 < t {
				targets[bi*t+j] = int(labels[bi*t+j+1])
			}
		}
	}
	v := logits.Dim(2)
	return tensor.CrossEntropy(tensor.Reshape(logits, b*t, v), targets, tensor.CrossEntropyOptions{IgnoreIndex: IgnoreLabel, UseIgnore: true})
}

// ForwardCausal runs a causal language model on named inputs (input_ids,
// attention_mask, position_ids and labels, as transformers' forward
// arguments) in scope s and returns logits, hidden_states (the embeddings
// and every layer's output stacked: [layers+1, B, T, C]) and, with labels
// and wantLoss, loss: the Forwarder of causal language models.
func ForwardCausal(m CausalLM, s *tensor.Scope, in Inputs, wantLoss bool) (map[string]*tensor.Tensor, error) {
	ids, shape, err := in.IDs("input_ids", 2, m.VocabSize())
	if err != nil {
		return nil, err
	}
	b := TokenBatch{IDs: ids, B: shape[0], T: shape[1]}
	for _, opt := range []struct {
		name  string
		limit int
		dst   *[]int32
	}{{"attention_mask", 2, &b.Mask}, {"position_ids", 1 << 30, &b.Positions}} {
		if _, ok := in[opt.name]; !ok {
			continue
		}
		v, vs, err := in.IDs(opt.name, 2, opt.limit)
		if err != nil {
			return nil, err
		}
		if !tensor.SameShape(vs, shape) {
			return nil, fmt.Errorf("%s has shape %v, input_ids %v", opt.name, vs, shape)
		}
		*opt.dst = v
	}
	if a, ok := in["labels"]; ok && wantLoss {
		if a.Ints == nil || !tensor.SameShape(a.Shape, shape) {
			return nil, fmt.Errorf("labels must be integers of input_ids' shape %v, got %v", shape, a.Shape)
		}
		b.Labels = make([]int32, len(a.Ints))
		for i, v := range a.Ints {
			if v != IgnoreLabel && (v < 0 || v >= int64(m.VocabSize())) {
				return nil, fmt.Errorf("labels: %d at position %d is neither %d nor a token id below %d", v, i, IgnoreLabel, m.VocabSize())
			}
			b.Labels[i] = int32(v)
		}
	}
	o, err := m.ForwardLM(s, b, LMOptions{WantHidden: true})
	if err != nil {
		return nil, err
	}
	out := map[string]*tensor.Tensor{"logits": o.Logits, "hidden_states": tensor.Concat(0, unsqueezeAll(o.HiddenStates)...)}
	if o.Loss != nil {
		out["loss"] = o.Loss
	}
	return out, nil
}

func unsqueezeAll(ts []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ts))
	for i, t := range ts {
		out[i] = tensor.Unsqueeze(t, 0)
	}
	return out
}

// KeyMask turns an attention mask into a key mask (nil when every
// position is a token).
func KeyMask(mask []int32) []bool {
	if mask == nil {
		return nil
	}
	out := make([]bool, len(mask))
	all := true
	for i, v := range mask {
		out[i] = v != 0
		all = all && out[i]
	}
	if all {
		return nil
	}
	return out
}

// CheckTokenBatch validates a batch's sizes, ids, positions and labels
// for a model with the given vocabulary and input embedding width.
func CheckTokenBatch(b TokenBatch, vocab, width int) error {
	if b.B < 1 || b.T < 1 {
		return fmt.Errorf("empty batch (%d rows of %d tokens)", b.B, b.T)
	}
	if b.Embeds != nil {
		if sh := b.Embeds.Shape(); len(sh) != 3 || sh[0] != b.B || sh[1] != b.T || sh[2] != width {
			return fmt.Errorf("input embeddings have shape %v, want [%d, %d, %d]", sh, b.B, b.T, width)
		}
	} else {
		if len(b.IDs) != b.B*b.T {
			return fmt.Errorf("%d input ids for %d rows of %d", len(b.IDs), b.B, b.T)
		}
		if err := CheckIDs("input_ids", b.IDs, vocab); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		name string
		v    []int32
	}{{"attention_mask", b.Mask}, {"position_ids", b.Positions}, {"labels", b.Labels}} {
		if c.v != nil && len(c.v) != b.B*b.T {
			return fmt.Errorf("%s has %d values for %d rows of %d", c.name, len(c.v), b.B, b.T)
		}
	}
	for i, p := range b.Positions {
		if p < 0 {
			return fmt.Errorf("position_ids: %d at %d is negative", p, i)
		}
	}
	for i, l := range b.Labels {
		if l != IgnoreLabel && (l < 0 || int(l) >= vocab) {
			return fmt.Errorf("labels: %d at position %d is neither %d nor a token id below %d", l, i, IgnoreLabel, vocab)
		}
	}
	return nil
}
