package siglip

import (
	"fmt"

	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// TextModel is SiglipTextTransformer (`text_model.*`).
type TextModel struct {
	Config            TextConfig
	TokenEmbedding    *nn.Embedding // embeddings.token_embedding
	PositionEmbedding *nn.Embedding // embeddings.position_embedding
	Encoder           *nn.Encoder
	FinalLayerNorm    *nn.LayerNorm // final_layer_norm
	Head              *nn.Linear    // head [C, C]
	// Prompt, when set, inserts learned soft tokens (prompt tuning).
	Prompt nn.TextPrompt
}

// VisionModel is SiglipVisionTransformer (`vision_model.*`).
type VisionModel struct {
	Config            VisionConfig
	PatchEmbedding    *nn.PatchEmbed // embeddings.patch_embedding (with bias)
	PositionEmbedding *nn.Embedding  // embeddings.position_embedding [N, C]
	Encoder           *nn.Encoder
	PostLayerNorm     *nn.LayerNorm // post_layernorm
	Head              *PoolingHead  // head (nil without vision_use_head)
	// Prompt, when set, appends learned visual prompt tokens.
	Prompt nn.VisualPrompt
}

// PoolingHead is SiglipMultiheadAttentionPoolingHead: a learned probe
// attends to the patch tokens (torch.nn.MultiheadAttention with packed
// in_proj), followed by a residual MLP.
type PoolingHead struct {
	Probe        *tensor.Tensor // probe [1, 1, C]
	InProjWeight *tensor.Tensor // attention.in_proj_weight [3C, C]
	InProjBias   *tensor.Tensor // attention.in_proj_bias [3C]
	OutProj      *nn.Linear     // attention.out_proj
	LayerNorm    *nn.LayerNorm  // layernorm
	MLP          *nn.MLP        // mlp
	Heads        int
}

// Model is SiglipModel.
type Model struct {
	Config     Config
	Text       *TextModel
	Vision     *VisionModel
	LogitScale *tensor.Tensor // logit_scale [1]
	LogitBias  *tensor.Tensor // logit_bias [1]
}

// New builds a zero model for cfg.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t, v := cfg.TextConfig, cfg.VisionConfig
	tact, _ := nn.ActivationByName(t.HiddenAct)
	vact, _ := nn.ActivationByName(v.HiddenAct)
	np := (v.ImageSize / v.PatchSize) * (v.ImageSize / v.PatchSize)
	m := &Model{
		Config: cfg,
		Text: &TextModel{
			Config:            t,
			TokenEmbedding:    nn.NewEmbedding(t.VocabSize, t.HiddenSize),
			PositionEmbedding: nn.NewEmbedding(t.MaxPositionEmbeddings, t.HiddenSize),
			Encoder:           nn.NewEncoder(nn.EncoderSpec{Layers: t.NumHiddenLayers, Dim: t.HiddenSize, Hidden: t.IntermediateSize, Heads: t.NumAttentionHeads, Act: tact, Eps: float32(t.LayerNormEps), Names: encoderNames}),
			FinalLayerNorm:    nn.NewLayerNorm(t.HiddenSize, float32(t.LayerNormEps)),
			Head:              nn.NewLinear(t.HiddenSize, t.HiddenSize, true),
		},
		Vision: &VisionModel{
			Config:            v,
			PatchEmbedding:    nn.NewPatchEmbed(v.NumChannels, v.HiddenSize, v.PatchSize, true),
			PositionEmbedding: nn.NewEmbedding(np, v.HiddenSize),
			Encoder:           nn.NewEncoder(nn.EncoderSpec{Layers: v.NumHiddenLayers, Dim: v.HiddenSize, Hidden: v.IntermediateSize, Heads: v.NumAttentionHeads, Act: vact, Eps: float32(v.LayerNormEps), Names: encoderNames}),
			PostLayerNorm:     nn.NewLayerNorm(v.HiddenSize, float32(v.LayerNormEps)),
		},
		LogitScale: tensor.Zeros(1),
		LogitBias:  tensor.Zeros(1),
	}
	if v.UseHead() {
		c := v.HiddenSize
		m.Vision.Head = &PoolingHead{
			Probe: tensor.Zeros(1, 1, c), InProjWeight: tensor.Zeros(3*c, c), InProjBias: tensor.Zeros(3 * c),
			OutProj: nn.NewLinear(c, c, true), LayerNorm: nn.NewLayerNorm(c, float32(v.LayerNormEps)),
			MLP: nn.NewMLP(c, v.IntermediateSize, vact, mlpNames), Heads: v.NumAttentionHeads,
		}
	}
	return m, nil
}

// Declare names the model's children with the Hugging Face keys of
// SiglipModel's state dict.
func (m *Model) Declare(d *nn.Decl) {
	d.Module("text_model", m.Text)
	d.Module("vision_model", m.Vision)
	d.Param("logit_scale", &m.LogitScale)
	d.Param("logit_bias", &m.LogitBias)
}

// Declare names the text tower's children (SiglipTextTransformer).
func (t *TextModel) Declare(d *nn.Decl) {
	d.Module("embeddings.token_embedding", t.TokenEmbedding)
	d.Module("embeddings.position_embedding", t.PositionEmbedding)
	d.Module("encoder", t.Encoder)
	d.Module("final_layer_norm", t.FinalLayerNorm)
	d.Module("head", t.Head)
	d.Extension("prompt", t.Prompt)
}

// Declare names the vision tower's children (SiglipVisionTransformer).
func (v *VisionModel) Declare(d *nn.Decl) {
	d.Module("embeddings.patch_embedding", v.PatchEmbedding)
	d.Module("embeddings.position_embedding", v.PositionEmbedding)
	d.Module("encoder", v.Encoder)
	d.Module("post_layernorm", v.PostLayerNorm)
	d.Module("head", v.Head)
	d.Extension("prompt", v.Prompt)
}

// Declare names the pooling head's children (its packed in_proj is a pair
// of tensors, not a Linear).
func (h *PoolingHead) Declare(d *nn.Decl) {
	d.Param("probe", &h.Probe)
	d.Param("attention.in_proj_weight", &h.InProjWeight)
	d.Param("attention.in_proj_bias", &h.InProjBias)
	d.Module("attention.out_proj", h.OutProj)
	d.Module("layernorm", h.LayerNorm)
	d.Module("mlp", h.MLP)
}

// encoderNames are SiglipEncoder's names; mlpNames its MLPs'.
var (
	mlpNames     = nn.MLPNames{FC1: "fc1", FC2: "fc2"}
	encoderNames = nn.EncoderNames{Layers: "layers", Layer: nn.LayerNames{
		LN1: "layer_norm1", Attn: "self_attn", LN2: "layer_norm2", MLP: "mlp",
		Attention: nn.AttentionNames{Q: "q_proj", K: "k_proj", V: "v_proj", Out: "out_proj"},
		MLPLayers: mlpNames,
	}}
)

// Forward pools x [B, N, C] into [B, C].
func (h *PoolingHead) Forward(x *tensor.Tensor) *tensor.Tensor {
	b, c := x.Dim(0), x.Dim(2)
	wq := tensor.Slice(h.InProjWeight, 0, 0, c)
	wkv := tensor.Slice(h.InProjWeight, 0, c, 3*c)
	bq := tensor.Slice(h.InProjBias, 0, 0, c)
	bkv := tensor.Slice(h.InProjBias, 0, c, 3*c)
	probe := tensor.Add(tensor.Zeros(b, 1, 1), h.Probe) // [B, 1, C]
	q := tensor.Linear(probe, wq, bq)
	kv := tensor.Split(tensor.Linear(x, wkv, bkv), 2, c, c)
	a := h.OutProj.Forward(tensor.MultiHeadAttention(q, kv[0], kv[1], h.Heads, tensor.AttentionOptions{}))
	a = tensor.Add(a, h.MLP.Forward(h.LayerNorm.Forward(a)))
	return tensor.Reshape(a, b, c)
}

// TowerOutput is a tower's output (BaseModelOutputWithPooling).
type TowerOutput struct {
	LastHiddenState *tensor.Tensor
	PoolerOutput    *tensor.Tensor
	HiddenStates    []*tensor.Tensor
	Attentions      []*tensor.Tensor
}

// Options select optional outputs.
type Options struct {
	// Scope is the caller's tensor scope the inputs enter (see
	// tensor.Scope; nil: none).
	Scope                      *tensor.Scope
	WantHidden, WantAttentions bool
	RNG                        *tensor.RNG
	// PooledOnly makes Model.Forward compute the text tower with
	// TextModel.Pooled (Output.Text then holds only PoolerOutput).
	PooledOnly bool
}

// Forward runs the text tower on ids [B, T]; mask may be nil (SigLIP is
// trained without one, on max-length padded text).
func (t *TextModel) Forward(ids []int32, b, tl int, mask []int32, opt Options) *TowerOutput {
	if len(ids) != b*tl || (mask != nil && len(mask) != b*tl) {
		panic(fmt.Sprintf("siglip.TextModel.Forward: %d ids and %d mask values for batch %d×%d", len(ids), len(mask), b, tl))
	}
	x, keyMask, tl := t.embed(opt.Scope, ids, b, tl, mask)
	enc := nn.EncoderOutput{}
	x = t.Encoder.Forward(x, nn.EncoderOptions{KeyMask: keyMask, WantHidden: opt.WantHidden, WantAttentions: opt.WantAttentions, CheckpointRNG: opt.RNG}, &enc)
	x = t.FinalLayerNorm.Forward(x)
	c := x.Dim(2)
	pooled := t.Head.Forward(tensor.Reshape(tensor.Slice(x, 1, tl-1, tl), b, c))
	return &TowerOutput{LastHiddenState: x, PoolerOutput: pooled, HiddenStates: enc.HiddenStates, Attentions: enc.Attentions}
}

// Pooled returns Forward's PoolerOutput [B, D], computing in the last
// layer only the last position of each row, the one it is pooled from.
// With WantHidden or WantAttentions it runs Forward.
func (t *TextModel) Pooled(ids []int32, b, tl int, mask []int32, opt Options) *tensor.Tensor {
	if opt.WantHidden || opt.WantAttentions {
		return t.Forward(ids, b, tl, mask, opt).PoolerOutput
	}
	if len(ids) != b*tl || (mask != nil && len(mask) != b*tl) {
		panic(fmt.Sprintf("siglip.TextModel.Pooled: %d ids and %d mask values for batch %d×%d", len(ids), len(mask), b, tl))
	}
	x, keyMask, tl := t.embed(opt.Scope, ids, b, tl, mask)
	last := make([]int, b)
	for i := range last {
		last[i] = tl - 1
	}
	x = t.Encoder.Forward(x, nn.EncoderOptions{KeyMask: keyMask, Outputs: last, CheckpointRNG: opt.RNG}, nil)
	return t.Head.Forward(t.FinalLayerNorm.Forward(tensor.Reshape(x, b, x.Dim(2))))
}

// embed returns the encoder's input [B, T', C], its key mask and T' (T plus
// any prompt tokens).
func (t *TextModel) embed(s *tensor.Scope, ids []int32, b, tl int, mask []int32) (*tensor.Tensor, []bool, int) {
	if tl > t.Config.MaxPositionEmbeddings {
		panic(fmt.Sprintf("siglip.TextModel.Forward: sequence length %d exceeds max_position_embeddings %d", tl, t.Config.MaxPositionEmbeddings))
	}
	x := t.TokenEmbedding.Forward(s, ids, b, tl)
	var keyMask []bool
	if mask != nil {
		keyMask = make([]bool, len(mask))
		for i, v := range mask {
			keyMask[i] = v != 0
		}
	}
	if t.Prompt != nil {
		x, keyMask, _ = t.Prompt.Insert(x, keyMask)
		tl = x.Dim(1)
		if tl > t.Config.MaxPositionEmbeddings {
			panic(fmt.Sprintf("siglip.TextModel.Forward: %d tokens with the prompt exceed max_position_embeddings %d", tl, t.Config.MaxPositionEmbeddings))
		}
	}
	return tensor.Add(x, tensor.Slice(t.PositionEmbedding.Weight, 0, 0, tl)), keyMask, tl
}

// Forward runs the vision tower on pixels [B, 3, H, W].
func (v *VisionModel) Forward(pixels *tensor.Tensor, opt Options) *TowerOutput {
	x := v.PatchEmbedding.Forward(opt.Scope.In(pixels))
	if x.Dim(1) != v.PositionEmbedding.Weight.Dim(0) {
		panic(fmt.Sprintf("siglip.VisionModel.Forward: %d patches for %d position embeddings (image size %v, want %d)", x.Dim(1), v.PositionEmbedding.Weight.Dim(0), pixels.Shape()[2:], v.Config.ImageSize))
	}
	x = tensor.Add(x, v.PositionEmbedding.Weight)
	if v.Prompt != nil {
		x = v.Prompt.Insert(x)
	}
	enc := nn.EncoderOutput{}
	x = v.Encoder.Forward(x, nn.EncoderOptions{WantHidden: opt.WantHidden, WantAttentions: opt.WantAttentions, CheckpointRNG: opt.RNG}, &enc)
	x = v.PostLayerNorm.Forward(x)
	out := &TowerOutput{LastHiddenState: x, HiddenStates: enc.HiddenStates, Attentions: enc.Attentions}
	if v.Head != nil {
		out.PoolerOutput = v.Head.Forward(x)
	}
	return out
}

// Inputs are one batch.
type Inputs struct {
	InputIDs      []int32
	AttentionMask []int32
	Batch, SeqLen int
	PixelValues   *tensor.Tensor
}

// Output holds SiglipOutput's fields.
type Output struct {
	TextEmbeds, ImageEmbeds       *tensor.Tensor
	LogitsPerImage, LogitsPerText *tensor.Tensor
	Text, Vision                  *TowerOutput
	Loss                          *tensor.Tensor
}

// TextFeatures returns get_text_features (the pooled, head-projected text
// output).
func (m *Model) TextFeatures(s *tensor.Scope, ids []int32, b, tl int, mask []int32) *tensor.Tensor {
	return m.Text.Pooled(ids, b, tl, mask, Options{Scope: s})
}

// ImageFeatures returns get_image_features.
func (m *Model) ImageFeatures(s *tensor.Scope, pixels *tensor.Tensor) *tensor.Tensor {
	return m.Vision.Forward(pixels, Options{Scope: s}).PoolerOutput
}

// Forward runs both towers; with wantLoss the pairs are matched one to one.
func (m *Model) Forward(in Inputs, wantLoss bool, opt Options) *Output {
	if m.Vision.Head == nil {
		panic("siglip.Model.Forward: the vision tower has no pooling head (vision_use_head is false)")
	}
	out := &Output{}
	if opt.PooledOnly {
		out.Text = &TowerOutput{PoolerOutput: m.Text.Pooled(in.InputIDs, in.Batch, in.SeqLen, in.AttentionMask, opt)}
	} else {
		out.Text = m.Text.Forward(in.InputIDs, in.Batch, in.SeqLen, in.AttentionMask, opt)
	}
	out.Vision = m.Vision.Forward(in.PixelValues, opt)
	out.TextEmbeds = tensor.L2Normalize(out.Text.PoolerOutput, 0)
	out.ImageEmbeds = tensor.L2Normalize(out.Vision.PoolerOutput, 0)
	logits := tensor.Mul(tensor.MatMul(out.TextEmbeds, out.ImageEmbeds, false, true), tensor.Exp(m.LogitScale))
	out.LogitsPerText = tensor.Add(logits, m.LogitBias)
	out.LogitsPerImage = tensor.Transpose(out.LogitsPerText, 0, 1)
	if wantLoss {
		out.Loss = nn.SigmoidLoss(out.LogitsPerText)
	}
	return out
}
