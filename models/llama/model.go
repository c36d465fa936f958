package llama

import (
	"fmt"

	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// Layer is LlamaDecoderLayer: x + attn(norm(x)), then + mlp(norm(x)).
type Layer struct {
	InputNorm           *nn.RMSNorm          // input_layernorm
	Attn                *nn.DecoderAttention // self_attn
	PostNorm            *nn.RMSNorm          // post_attention_layernorm
	MLP                 *nn.GatedMLP         // mlp
	nn.ResidualAdapters                      // bottleneck adapter slots (extensions)
}

// Declare names the layer's children.
func (l *Layer) Declare(d *nn.Decl) {
	d.Module("input_layernorm", l.InputNorm)
	d.Module("self_attn", l.Attn)
	d.Module("post_attention_layernorm", l.PostNorm)
	d.Module("mlp", l.MLP)
	l.DeclareAdapters(d)
}

// SetPrefix installs (or with nil removes) a key/value prefix.
func (l *Layer) SetPrefix(p nn.KVPrefix) { l.Attn.Prefix = p }

// PrefixWidth is the width of the attention's (repeated) keys and values.
func (l *Layer) PrefixWidth() int { return l.Attn.Q.Out() }

// Forward runs the layer on x [B, T, C].
func (l *Layer) Forward(x *tensor.Tensor, st nn.DecoderStep) *tensor.Tensor {
	h := l.Attn.Forward(l.InputNorm.Forward(x), st)
	h = l.AfterAttn(h)
	x = tensor.Add(x, h)
	h = l.MLP.Forward(l.PostNorm.Forward(x))
	h = l.AfterMLP(h)
	return tensor.Add(x, h)
}

// Model is LlamaForCausalLM (MistralForCausalLM, Qwen2ForCausalLM).
type Model struct {
	Config Config
	Embed  *nn.Embedding // model.embed_tokens
	Layers []*Layer      // model.layers.N
	Norm   *nn.RMSNorm   // model.norm
	// LMHead is lm_head; with tie_word_embeddings its weight is Embed's
	// and it is not declared (the checkpoint stores the table once).
	LMHead *nn.Linear
	// Checkpointing recomputes each layer during backward instead of
	// keeping its activations.
	Checkpointing bool
	rope          *nn.RoPE
}

// names are the attention and MLP names of the Llama family.
var (
	attnNames = nn.AttentionNames{Q: "q_proj", K: "k_proj", V: "v_proj", Out: "o_proj"}
	mlpNames  = nn.GatedMLPNames{Gate: "gate_proj", Up: "up_proj", Down: "down_proj"}
)

// New builds a model with zero weights (unit norms) for cfg. Qwen2's
// configuration (model_type qwen2) gives the q, k and v projections
// biases.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	act, _ := nn.ActivationByName(cfg.HiddenAct)
	rope, err := nn.NewRoPE(cfg.headDim(), cfg.RopeTheta, cfg.MaxPositionEmbeddings, cfg.ropeScaling())
	if err != nil {
		return nil, err
	}
	eps := float32(cfg.RMSNormEps)
	m := &Model{Config: cfg, Embed: nn.NewEmbedding(cfg.VocabSize, cfg.HiddenSize), Norm: nn.NewRMSNorm(cfg.HiddenSize, eps), rope: rope}
	if cfg.PadTokenID != nil {
		m.Embed.Padded, m.Embed.PaddingIdx = true, *cfg.PadTokenID
	}
	qkvBias := cfg.AttentionBias || cfg.ModelType == "qwen2"
	for i := 0; i < cfg.NumHiddenLayers; i++ {
		attn := nn.NewDecoderAttention(nn.DecoderAttentionSpec{Dim: cfg.HiddenSize, Heads: cfg.NumAttentionHeads, KVHeads: cfg.kvHeads(),
			HeadDim: cfg.headDim(), QKVBias: qkvBias, OutBias: cfg.AttentionBias, Names: attnNames})
		attn.Window = cfg.window()
		m.Layers = append(m.Layers, &Layer{InputNorm: nn.NewRMSNorm(cfg.HiddenSize, eps), Attn: attn, PostNorm: nn.NewRMSNorm(cfg.HiddenSize, eps),
			MLP: nn.NewGatedMLP(cfg.HiddenSize, cfg.IntermediateSize, act, cfg.MLPBias, mlpNames)})
	}
	m.LMHead = nn.NewLinear(cfg.HiddenSize, cfg.VocabSize, false)
	if cfg.TieWordEmbeddings {
		m.LMHead.Weight = m.Embed.Weight
	}
	return m, nil
}

// Declare names the model's children with the Hugging Face keys.
func (m *Model) Declare(d *nn.Decl) {
	d.Module("model.embed_tokens", m.Embed)
	for i, l := range m.Layers {
		d.Module(fmt.Sprintf("model.layers.%d", i), l)
	}
	d.Module("model.norm", m.Norm)
	if !m.Config.TieWordEmbeddings {
		d.Module("lm_head", m.LMHead)
	}
}

// TiedKeys lists lm_head.weight when it is tied to the embeddings: a
// checkpoint may store it besides model.embed_tokens.weight, and loading
// skips it (transformers re-ties it the same way).
func (m *Model) TiedKeys() []string {
	if m.Config.TieWordEmbeddings {
		return []string{"lm_head.weight"}
	}
	return nil
}

// Layout describes the decoder as one "text" tower, with lm_head as the
// head.
func (m *Model) Layout() nn.Layout {
	layers := make([]nn.Module, len(m.Layers))
	for i, l := range m.Layers {
		layers[i] = l
	}
	return nn.Layout{
		Towers: []nn.Tower{{Name: "text", Module: m, Layers: layers, Post: []nn.Module{m.Norm}, Width: m.Config.HiddenSize}},
		Head:   []*tensor.Tensor{m.LMHead.Weight},
	}
}

// VocabSize returns vocab_size.
func (m *Model) VocabSize() int { return m.Config.VocabSize }

// MaxPositions returns max_position_embeddings.
func (m *Model) MaxPositions() int { return m.Config.MaxPositionEmbeddings }

// SetCheckpointing turns per-layer gradient checkpointing on or off.
func (m *Model) SetCheckpointing(on bool) { m.Checkpointing = on }

// EmbedTokens returns the token embeddings of ids [B, T] in scope s.
func (m *Model) EmbedTokens(s *tensor.Scope, ids []int32, b, t int) *tensor.Tensor {
	return m.Embed.Forward(s, ids, b, t)
}

// NewCache returns an empty cache for generation.
func (m *Model) NewCache(batch int) *models.Cache { return models.NewCache(batch, len(m.Layers)) }

// ForwardLM runs LlamaForCausalLM.forward.
func (m *Model) ForwardLM(s *tensor.Scope, b models.TokenBatch, opt models.LMOptions) (*models.LMOutput, error) {
	if err := models.CheckTokenBatch(b, m.Config.VocabSize, m.Config.HiddenSize); err != nil {
		return nil, err
	}
	cache := opt.Cache
	past := cache.Len()
	if cache != nil && cache.B != b.B {
		return nil, fmt.Errorf("the cache holds %d rows, the batch %d", cache.B, b.B)
	}
	x := b.Embeds
	if x == nil {
		x = m.Embed.Forward(s, b.IDs, b.B, b.T)
	} else {
		x = s.In(x)
	}
	positions := b.Positions
	if positions == nil {
		positions = make([]int32, b.B*b.T)
		for i := range positions {
			positions[i] = int32(past + i%b.T)
		}
	}
	cos, sin := m.rope.Tables(positions)
	var keyMask []bool
	if cache != nil {
		keyMask = cache.ExtendMask(b.Mask, b.T)
	} else {
		keyMask = models.KeyMask(b.Mask)
	}
	out := &models.LMOutput{}
	if opt.WantHidden {
		out.HiddenStates = append(out.HiddenStates, x)
	}
	for i, l := range m.Layers {
		st := nn.DecoderStep{Cos: cos, Sin: sin, KeyMask: keyMask}
		if cache != nil {
			st.Cache = &cache.Layers[i]
		}
		layer := l
		if m.Checkpointing && cache == nil && x.Records() {
			x = tensor.Checkpoint(opt.RNG, func(in []*tensor.Tensor) *tensor.Tensor { return layer.Forward(in[0], st) }, x)
		} else {
			x = layer.Forward(x, st)
		}
		if opt.WantHidden && i < len(m.Layers)-1 {
			out.HiddenStates = append(out.HiddenStates, x)
		}
	}
	x = m.Norm.Forward(x)
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
