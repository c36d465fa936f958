package opt

import (
	"fmt"
	"math"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// positionOffset is OPT's learned-position offset: position p uses row
// p + 2 of embed_positions.
const positionOffset = 2

// Layer is OPTDecoderLayer: pre-LayerNorm (x + attn(ln(x)), then + mlp(ln(x)))
// or post-LayerNorm (ln(x + attn(x)), then ln(x + mlp(x))).
type Layer struct {
	AttnNorm            *nn.LayerNorm        // self_attn_layer_norm
	Attn                *nn.DecoderAttention // self_attn
	FinalNorm           *nn.LayerNorm        // final_layer_norm
	FC1, FC2            *nn.Linear           // fc1, fc2
	Act                 tensor.Activation
	PreLN               bool
	nn.ResidualAdapters // bottleneck adapter slots (extensions)
}

// Declare names the layer's children.
func (l *Layer) Declare(d *nn.Decl) {
	d.Module("self_attn", l.Attn)
	d.Module("self_attn_layer_norm", l.AttnNorm)
	d.Module("fc1", l.FC1)
	d.Module("fc2", l.FC2)
	d.Module("final_layer_norm", l.FinalNorm)
	l.DeclareAdapters(d)
}

// SetPrefix installs (or with nil removes) a key/value prefix.
func (l *Layer) SetPrefix(p nn.KVPrefix) { l.Attn.Prefix = p }

// PrefixWidth is the attention's key/value width.
func (l *Layer) PrefixWidth() int { return l.Attn.K.Out() }

// Forward runs the layer on x [B, T, C].
func (l *Layer) Forward(x *tensor.Tensor, st nn.DecoderStep) *tensor.Tensor {
	h := x
	if l.PreLN {
		h = l.AttnNorm.Forward(h)
	}
	h = l.Attn.Forward(h, st)
	h = l.AfterAttn(h)
	x = tensor.Add(x, h)
	if !l.PreLN {
		x = l.AttnNorm.Forward(x)
	}
	h = x
	if l.PreLN {
		h = l.FinalNorm.Forward(h)
	}
	h = l.FC2.Forward(tensor.Activate(l.FC1.Forward(h), l.Act))
	h = l.AfterMLP(h)
	x = tensor.Add(x, h)
	if !l.PreLN {
		x = l.FinalNorm.Forward(x)
	}
	return x
}

// Model is OPTForCausalLM.
type Model struct {
	Config     Config
	Embed      *nn.Embedding // model.decoder.embed_tokens [V, E]
	Positions  *nn.Embedding // model.decoder.embed_positions [P+2, C]
	ProjectIn  *nn.Linear    // model.decoder.project_in (E ≠ C)
	ProjectOut *nn.Linear    // model.decoder.project_out (E ≠ C)
	FinalNorm  *nn.LayerNorm // model.decoder.final_layer_norm (pre-LN)
	Layers     []*Layer      // model.decoder.layers.N
	// LMHead is lm_head; tied to embed_tokens unless tie_word_embeddings
	// is false.
	LMHead        *nn.Linear
	Checkpointing bool
}

var attnNames = nn.AttentionNames{Q: "q_proj", K: "k_proj", V: "v_proj", Out: "out_proj"}

// New builds a model with zero weights (unit norms) for cfg.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	act, _ := nn.ActivationByName(cfg.ActivationFunction)
	c, e := cfg.HiddenSize, cfg.embedDim()
	norm := func() *nn.LayerNorm {
		ln := nn.NewLayerNorm(c, 1e-5)
		if !cfg.affine() {
			ln.Weight, ln.Bias = nil, nil
		}
		return ln
	}
	m := &Model{Config: cfg, Embed: nn.NewEmbedding(cfg.VocabSize, e), Positions: nn.NewEmbedding(cfg.MaxPositionEmbeddings+positionOffset, c)}
	if cfg.PadTokenID != nil {
		m.Embed.Padded, m.Embed.PaddingIdx = true, *cfg.PadTokenID
	}
	if e != c {
		m.ProjectIn, m.ProjectOut = nn.NewLinear(e, c, false), nn.NewLinear(c, e, false)
	}
	if cfg.preLN() && !cfg.RemoveFinalLayerNorm {
		m.FinalNorm = norm()
	}
	heads := cfg.NumAttentionHeads
	for i := 0; i < cfg.NumHiddenLayers; i++ {
		attn := nn.NewDecoderAttention(nn.DecoderAttentionSpec{Dim: c, Heads: heads, KVHeads: heads, HeadDim: c / heads,
			QKVBias: cfg.bias(), OutBias: cfg.bias(), Names: attnNames})
		attn.QueryScale = float32(math.Pow(float64(c/heads), -0.5))
		m.Layers = append(m.Layers, &Layer{AttnNorm: norm(), Attn: attn, FinalNorm: norm(), FC1: nn.NewLinear(c, cfg.FFNDim, cfg.bias()),
			FC2: nn.NewLinear(cfg.FFNDim, c, cfg.bias()), Act: act, PreLN: cfg.preLN()})
	}
	m.LMHead = nn.NewLinear(e, cfg.VocabSize, false)
	if cfg.tied() {
		m.LMHead.Weight = m.Embed.Weight
	}
	return m, nil
}

// Declare names the model's children with the Hugging Face keys.
func (m *Model) Declare(d *nn.Decl) {
	d.Module("model.decoder.embed_tokens", m.Embed)
	d.Module("model.decoder.embed_positions", m.Positions)
	d.Module("model.decoder.project_in", m.ProjectIn)
	d.Module("model.decoder.project_out", m.ProjectOut)
	d.Module("model.decoder.final_layer_norm", m.FinalNorm)
	for i, l := range m.Layers {
		d.Module(fmt.Sprintf("model.decoder.layers.%d", i), l)
	}
	if !m.Config.tied() {
		d.Module("lm_head", m.LMHead)
	}
}

func init() {
	models.Register(models.Family{ModelType: "opt", Kind: models.KindCausalLM, Architectures: []string{"OPTForCausalLM"}, Description: "OPT causal language model", New: models.Constructor(ParseConfig, New)})
}

// ParseConfig decodes an OPT config.json with transformers' defaults.
func ParseConfig(name string, data []byte) (*Config, error) {
	cfg := DefaultConfig()
	if err := hf.DecodeJSON(name, data, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// The model is a causal language model that `vlmtune forward` can run.
var (
	_ models.CausalLM  = (*Model)(nil)
	_ models.Forwarder = (*Model)(nil)
	_ models.Tied      = (*Model)(nil)
)

// Family returns "opt".
func (m *Model) Family() string { return "opt" }

// HFConfig returns the configuration.
func (m *Model) HFConfig() any { return &m.Config }

// TiedKeys lists lm_head.weight when it is tied to embed_tokens.
func (m *Model) TiedKeys() []string {
	if m.Config.tied() {
		return []string{"lm_head.weight"}
	}
	return nil
}

// Layout describes the decoder as one "text" tower with lm_head as head.
func (m *Model) Layout() nn.Layout {
	layers := make([]nn.Module, len(m.Layers))
	for i, l := range m.Layers {
		layers[i] = l
	}
	var post []nn.Module
	if m.FinalNorm != nil {
		post = append(post, m.FinalNorm)
	}
	if m.ProjectOut != nil {
		post = append(post, m.ProjectOut)
	}
	return nn.Layout{Towers: []nn.Tower{{Name: "text", Module: m, Layers: layers, Post: post, Width: m.Config.HiddenSize}}, Head: []*tensor.Tensor{m.LMHead.Weight}}
}

// VocabSize returns vocab_size.
func (m *Model) VocabSize() int { return m.Config.VocabSize }

// MaxPositions returns max_position_embeddings.
func (m *Model) MaxPositions() int { return m.Config.MaxPositionEmbeddings }

// SetCheckpointing turns per-layer gradient checkpointing on or off.
func (m *Model) SetCheckpointing(on bool) { m.Checkpointing = on }

// EmbedTokens returns the token embeddings [B, T, E] (word_embed_proj_dim).
func (m *Model) EmbedTokens(s *tensor.Scope, ids []int32, b, t int) *tensor.Tensor {
	return m.Embed.Forward(s, ids, b, t)
}

// NewCache returns an empty cache for generation.
func (m *Model) NewCache(batch int) *models.Cache { return models.NewCache(batch, len(m.Layers)) }

// ForwardNamed runs the model on input_ids, attention_mask and labels
// (see models.ForwardCausal; OPT takes its positions from the mask).
func (m *Model) ForwardNamed(s *tensor.Scope, in models.Inputs, wantLoss bool) (map[string]*tensor.Tensor, error) {
	return models.ForwardCausal(m, s, in, wantLoss)
}

// positions returns OPT's position rows for the new tokens: the count of
// real tokens up to each position (over the cache's mask and the new one)
// minus one, plus the offset; padding gets row 1.
func (m *Model) positions(b models.TokenBatch, cache *models.Cache) ([]int32, error) {
	past := cache.Len()
	out := make([]int32, b.B*b.T)
	for r := 0; r < b.B; r++ {
		n := int32(0)
		for j := 0; j < past; j++ {
			if cache.Mask == nil || cache.Mask[r*past+j] {
				n++
			}
		}
		for j := 0; j < b.T; j++ {
			real := b.Mask == nil || b.Mask[r*b.T+j] != 0
			p := int32(-1)
			if real {
				n++
				p = n - 1
			}
			if int(p)+positionOffset >= m.Positions.Weight.Dim(0) {
				return nil, fmt.Errorf("position %d is past max_position_embeddings %d", p, m.Config.MaxPositionEmbeddings)
			}
			out[r*b.T+j] = p + positionOffset
		}
	}
	return out, nil
}

// ForwardLM runs OPTForCausalLM.forward. b.Positions are ignored: OPT
// counts real tokens in the attention mask, as transformers does.
func (m *Model) ForwardLM(s *tensor.Scope, b models.TokenBatch, opt models.LMOptions) (*models.LMOutput, error) {
	if err := models.CheckTokenBatch(b, m.Config.VocabSize, m.Config.embedDim()); err != nil {
		return nil, err
	}
	cache := opt.Cache
	if cache != nil && cache.B != b.B {
		return nil, fmt.Errorf("the cache holds %d rows, the batch %d", cache.B, b.B)
	}
	pos, err := m.positions(b, cache)
	if err != nil {
		return nil, err
	}
	x := b.Embeds
	if x == nil {
		x = m.Embed.Forward(s, b.IDs, b.B, b.T)
	} else {
		x = s.In(x)
	}
	if m.ProjectIn != nil {
		x = m.ProjectIn.Forward(x)
	}
	x = tensor.Add(x, m.Positions.Forward(s, pos, b.B, b.T))
	var keyMask []bool
	if cache != nil {
		keyMask = cache.ExtendMask(b.Mask, b.T)
	} else {
		keyMask = models.KeyMask(b.Mask)
	}
	out := &models.LMOutput{}
	for i, l := range m.Layers {
		if opt.WantHidden {
			out.HiddenStates = append(out.HiddenStates, x)
		}
		st := nn.DecoderStep{KeyMask: keyMask}
		if cache != nil {
			st.Cache = &cache.Layers[i]
		}
		layer := l
		if m.Checkpointing && cache == nil && x.Records() {
			x = tensor.Checkpoint(opt.RNG, func(in []*tensor.Tensor) *tensor.Tensor { return layer.Forward(in[0], st) }, x)
		} else {
			x = layer.Forward(x, st)
		}
	}
	if m.FinalNorm != nil {
		x = m.FinalNorm.Forward(x)
	}
	if m.ProjectOut != nil {
		x = m.ProjectOut.Forward(x)
	}
	if opt.WantHidden {
		out.HiddenStates = append(out.HiddenStates, x)
	}
	if opt.LastOnly {
		x = tensor.Slice(x, 1, b.T-1, b.T)
	}
	out.Logits = m.LMHead.Forward(x)
	if b.Labels != nil && !opt.LastOnly {
		out.Loss = models.ShiftedLoss(out.Logits, b.Labels, b.B, b.T)
	}
	return out, nil
}
