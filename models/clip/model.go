package clip

import (
	"fmt"

	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// TextModel is CLIPTextTransformer (`text_model.*`).
type TextModel struct {
	Config            TextConfig
	TokenEmbedding    *nn.Embedding // embeddings.token_embedding [V, C]
	PositionEmbedding *nn.Embedding // embeddings.position_embedding [P, C]
	Encoder           *nn.Encoder   // encoder.layers.N
	FinalLayerNorm    *nn.LayerNorm // final_layer_norm
	// Prompt, when set, inserts learned soft tokens (prompt tuning).
	Prompt nn.TextPrompt
}

// VisionModel is CLIPVisionTransformer (`vision_model.*`).
type VisionModel struct {
	Config            VisionConfig
	ClassEmbedding    *tensor.Tensor // embeddings.class_embedding [C]
	PatchEmbedding    *nn.PatchEmbed // embeddings.patch_embedding [C, 3, P, P]
	PositionEmbedding *nn.Embedding  // embeddings.position_embedding [N+1, C]
	PreLayerNorm      *nn.LayerNorm  // pre_layrnorm (sic)
	Encoder           *nn.Encoder
	PostLayerNorm     *nn.LayerNorm // post_layernorm
	// Prompt, when set, appends learned visual prompt tokens after the
	// class and patch tokens (visual prompt tuning).
	Prompt nn.VisualPrompt
}

// Model is CLIPModel.
type Model struct {
	Config           Config
	Text             *TextModel
	Vision           *VisionModel
	VisualProjection *nn.Linear     // visual_projection [D, Cv], no bias
	TextProjection   *nn.Linear     // text_projection [D, Ct], no bias
	LogitScale       *tensor.Tensor // logit_scale, a scalar (log of the temperature)
}

// New builds a model with zero weights (unit LayerNorms) for cfg; load
// weights with LoadState or initialise them with Init.
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
		},
		Vision: &VisionModel{
			Config:            v,
			ClassEmbedding:    tensor.Zeros(v.HiddenSize),
			PatchEmbedding:    nn.NewPatchEmbed(v.NumChannels, v.HiddenSize, v.PatchSize, false),
			PositionEmbedding: nn.NewEmbedding(np+1, v.HiddenSize),
			PreLayerNorm:      nn.NewLayerNorm(v.HiddenSize, float32(v.LayerNormEps)),
			Encoder:           nn.NewEncoder(nn.EncoderSpec{Layers: v.NumHiddenLayers, Dim: v.HiddenSize, Hidden: v.IntermediateSize, Heads: v.NumAttentionHeads, Act: vact, Eps: float32(v.LayerNormEps), Names: encoderNames}),
			PostLayerNorm:     nn.NewLayerNorm(v.HiddenSize, float32(v.LayerNormEps)),
		},
		VisualProjection: nn.NewLinear(v.HiddenSize, cfg.ProjectionDim, false),
		TextProjection:   nn.NewLinear(t.HiddenSize, cfg.ProjectionDim, false),
		LogitScale:       tensor.Scalar(float32(cfg.LogitScaleInitValue)),
	}
	return m, nil
}

// Declare names the model's children with the Hugging Face keys of
// CLIPModel's state dict.
func (m *Model) Declare(d *nn.Decl) {
	d.Module("text_model", m.Text)
	d.Module("vision_model", m.Vision)
	d.Module("visual_projection", m.VisualProjection)
	d.Module("text_projection", m.TextProjection)
	d.Param("logit_scale", &m.LogitScale)
}

// Declare names the text tower's children (CLIPTextTransformer).
func (t *TextModel) Declare(d *nn.Decl) {
	d.Module("embeddings.token_embedding", t.TokenEmbedding)
	d.Module("embeddings.position_embedding", t.PositionEmbedding)
	d.Module("encoder", t.Encoder)
	d.Module("final_layer_norm", t.FinalLayerNorm)
	d.Extension("prompt", t.Prompt)
}

// Declare names the vision tower's children (CLIPVisionTransformer).
func (v *VisionModel) Declare(d *nn.Decl) {
	d.Param("embeddings.class_embedding", &v.ClassEmbedding)
	d.Module("embeddings.patch_embedding", v.PatchEmbedding)
	d.Module("embeddings.position_embedding", v.PositionEmbedding)
	d.Module("pre_layrnorm", v.PreLayerNorm)
	d.Module("encoder", v.Encoder)
	d.Module("post_layernorm", v.PostLayerNorm)
	d.Extension("prompt", v.Prompt)
}

// encoderNames are CLIPEncoder's names.
var encoderNames = nn.EncoderNames{Layers: "layers", Layer: nn.LayerNames{
	LN1: "layer_norm1", Attn: "self_attn", LN2: "layer_norm2", MLP: "mlp",
	Attention: nn.AttentionNames{Q: "q_proj", K: "k_proj", V: "v_proj", Out: "out_proj"},
	MLPLayers: nn.MLPNames{FC1: "fc1", FC2: "fc2"},
}}

// TowerOutput is a tower's output (BaseModelOutputWithPooling).
type TowerOutput struct {
	LastHiddenState *tensor.Tensor   // [B, T, C]
	PoolerOutput    *tensor.Tensor   // [B, C]
	HiddenStates    []*tensor.Tensor // with WantHidden: embeddings + each layer
	Attentions      []*tensor.Tensor // with WantAttentions: [B, H, T, T] per layer
}

// Options select optional outputs and memory behaviour.
type Options struct {
	// Scope is the caller's tensor scope the inputs enter (see
	// tensor.Scope; nil: none).
	Scope          *tensor.Scope
	WantHidden     bool
	WantAttentions bool
	// RNG drives dropout inside checkpointed layers (nil: no dropout).
	RNG *tensor.RNG
	// PooledOnly makes Model.Forward compute only what the embeddings
	// depend on (TextModel.Pooled and VisionModel.Pooled): the same
	// embeddings, loss and gradients with less work, but Output.Text and
	// Output.Vision then hold only PoolerOutput.
	PooledOnly bool
}

// Forward runs the text tower on ids [B, T]. mask (B·T entries, 1 for
// tokens and 0 for padding) may be nil.
func (t *TextModel) Forward(ids []int32, b, tl int, mask []int32, opt Options) *TowerOutput {
	if len(ids) != b*tl || (mask != nil && len(mask) != b*tl) {
		panic(fmt.Sprintf("clip.TextModel.Forward: %d ids and %d mask values for batch %d×%d", len(ids), len(mask), b, tl))
	}
	if tl > t.Config.MaxPositionEmbeddings {
		panic(fmt.Sprintf("clip.TextModel.Forward: sequence length %d exceeds max_position_embeddings %d", tl, t.Config.MaxPositionEmbeddings))
	}
	x := t.TokenEmbedding.Forward(opt.Scope, ids, b, tl)
	pos := tensor.Slice(t.PositionEmbedding.Weight, 0, 0, tl)
	var keyMask []bool
	if mask != nil {
		keyMask = make([]bool, len(mask))
		for i, v := range mask {
			keyMask[i] = v != 0
		}
	}
	shift := 0
	if t.Prompt != nil {
		x, keyMask, shift = t.Prompt.Insert(x, keyMask)
		if x.Dim(1) > t.Config.MaxPositionEmbeddings {
			panic(fmt.Sprintf("clip.TextModel.Forward: %d tokens with the prompt exceed max_position_embeddings %d", x.Dim(1), t.Config.MaxPositionEmbeddings))
		}
		pos = tensor.Slice(t.PositionEmbedding.Weight, 0, 0, x.Dim(1))
	}
	x = tensor.Add(x, pos)
	out := &TowerOutput{}
	enc := nn.EncoderOutput{}
	x = t.Encoder.Forward(x, nn.EncoderOptions{Causal: true, KeyMask: keyMask, WantHidden: opt.WantHidden, WantAttentions: opt.WantAttentions, CheckpointRNG: opt.RNG}, &enc)
	x = t.FinalLayerNorm.Forward(x)
	out.LastHiddenState, out.HiddenStates, out.Attentions = x, enc.HiddenStates, enc.Attentions
	idx := make([]int, b)
	tt := x.Dim(1)
	for bi := 0; bi < b; bi++ {
		p := t.poolIndex(ids[bi*tl : (bi+1)*tl])
		if p > 0 {
			p += shift
		}
		idx[bi] = bi*tt + p
	}
	out.PoolerOutput = tensor.IndexSelect(tensor.Reshape(x, b*tt, x.Dim(2)), 0, idx)
	return out
}

// poolIndex is where a row is pooled: at the end-of-text token, the first
// position holding eos_token_id, or (legacy configs with eos_token_id 2)
// the position of the largest id, as transformers does.
func (t *TextModel) poolIndex(row []int32) int {
	p := 0
	if t.Config.EosTokenID == 2 {
		for j, id := range row {
			if id > row[p] {
				p = j
			}
		}
		return p
	}
	for j, id := range row {
		if int(id) == t.Config.EosTokenID {
			return j
		}
	}
	return 0
}

// Pooled returns the text tower's pooled output [B, C] for ids [B, T]
// (mask as in Forward), computing only what it depends on. The tower is
// causal, so a row's pooled token sees only the tokens up to it: the rows
// are cut there, their unmasked tokens packed into one sequence without
// padding (each row attending only to itself, at its original positions),
// which gives Forward's pooled output with less work when rows differ in
// length; the last layer computes only the pooled tokens. With a text
// prompt, or when a row's pooled token is itself masked, it runs Forward.
func (t *TextModel) Pooled(ids []int32, b, tl int, mask []int32, opt Options) *tensor.Tensor {
	if b == 0 || t.Prompt != nil || opt.WantHidden || opt.WantAttentions || tl > t.Config.MaxPositionEmbeddings || len(ids) != b*tl || (mask != nil && len(mask) != b*tl) {
		return t.Forward(ids, b, tl, mask, opt).PoolerOutput
	}
	var tokens []int32
	var pos, segs []int
	for bi := 0; bi < b; bi++ {
		row := ids[bi*tl : (bi+1)*tl]
		p := t.poolIndex(row)
		if mask != nil && mask[bi*tl+p] == 0 {
			return t.Forward(ids, b, tl, mask, opt).PoolerOutput
		}
		n := 0
		for j := 0; j <= p; j++ {
			if mask == nil || mask[bi*tl+j] != 0 {
				tokens = append(tokens, row[j])
				pos = append(pos, j)
				n++
			}
		}
		segs = append(segs, n)
	}
	total := len(tokens)
	c := t.Config.HiddenSize
	x := tensor.Add(t.TokenEmbedding.Forward(opt.Scope, tokens, 1, total), tensor.Reshape(tensor.IndexSelect(t.PositionEmbedding.Weight, 0, pos), 1, total, c))
	last := make([]int, b)
	for i, n := range segs {
		last[i] = n - 1
	}
	x = t.Encoder.Forward(x, nn.EncoderOptions{Causal: true, Segments: segs, Outputs: last, CheckpointRNG: opt.RNG}, nil)
	return t.FinalLayerNorm.Forward(tensor.Reshape(x, b, c))
}

// Forward runs the vision tower on pixels [B, 3, H, W].
func (v *VisionModel) Forward(pixels *tensor.Tensor, opt Options) *TowerOutput {
	b := pixels.Dim(0)
	c := v.Config.HiddenSize
	x := v.embed(opt.Scope.In(pixels))
	enc := nn.EncoderOutput{}
	x = v.Encoder.Forward(x, nn.EncoderOptions{WantHidden: opt.WantHidden, WantAttentions: opt.WantAttentions, CheckpointRNG: opt.RNG}, &enc)
	pooled := v.PostLayerNorm.Forward(tensor.Reshape(tensor.Slice(x, 1, 0, 1), b, c))
	return &TowerOutput{LastHiddenState: x, PoolerOutput: pooled, HiddenStates: enc.HiddenStates, Attentions: enc.Attentions}
}

// Pooled returns the vision tower's pooled output [B, C] (Forward's
// PoolerOutput), computing in the last layer only the class token, the
// one row it depends on. With WantHidden or WantAttentions it runs
// Forward.
func (v *VisionModel) Pooled(pixels *tensor.Tensor, opt Options) *tensor.Tensor {
	if opt.WantHidden || opt.WantAttentions {
		return v.Forward(pixels, opt).PoolerOutput
	}
	b := pixels.Dim(0)
	x := v.Encoder.Forward(v.embed(opt.Scope.In(pixels)), nn.EncoderOptions{Outputs: make([]int, b), CheckpointRNG: opt.RNG}, nil)
	return v.PostLayerNorm.Forward(tensor.Reshape(x, b, v.Config.HiddenSize))
}

// embed returns the encoder's input: class and patch embeddings plus
// positions (and visual prompt tokens), after pre_layrnorm.
func (v *VisionModel) embed(pixels *tensor.Tensor) *tensor.Tensor {
	b := pixels.Dim(0)
	c := v.Config.HiddenSize
	patches := v.PatchEmbedding.Forward(pixels) // [B, N, C]
	cls := tensor.Add(tensor.Zeros(b, 1, c), tensor.Reshape(v.ClassEmbedding, 1, 1, c))
	x := tensor.Concat(1, cls, patches)
	if x.Dim(1) != v.PositionEmbedding.Weight.Dim(0) {
		panic(fmt.Sprintf("clip.VisionModel.Forward: %d tokens for %d position embeddings (image size %v, want %d)", x.Dim(1), v.PositionEmbedding.Weight.Dim(0), pixels.Shape()[2:], v.Config.ImageSize))
	}
	x = tensor.Add(x, v.PositionEmbedding.Weight)
	if v.Prompt != nil {
		x = v.Prompt.Insert(x)
	}
	return v.PreLayerNorm.Forward(x)
}

// Inputs are one batch for the model; any part may be empty.
type Inputs struct {
	InputIDs      []int32 // [B, T]
	AttentionMask []int32 // [B, T] or nil
	Batch, SeqLen int
	PixelValues   *tensor.Tensor // [B, 3, H, W]
}

// Output holds CLIPOutput's fields.
type Output struct {
	TextEmbeds, ImageEmbeds       *tensor.Tensor // normalised [B, D]
	LogitsPerImage, LogitsPerText *tensor.Tensor // [B_img, B_txt] and its transpose
	Text, Vision                  *TowerOutput
	Loss                          *tensor.Tensor // with WantLoss
}

// TextFeatures returns get_text_features: the projected (not normalised)
// pooled text output [B, D].
func (m *Model) TextFeatures(s *tensor.Scope, ids []int32, b, tl int, mask []int32) *tensor.Tensor {
	return m.TextProjection.Forward(m.Text.Pooled(ids, b, tl, mask, Options{Scope: s}))
}

// ImageFeatures returns get_image_features [B, D].
func (m *Model) ImageFeatures(s *tensor.Scope, pixels *tensor.Tensor) *tensor.Tensor {
	return m.VisualProjection.Forward(m.Vision.Pooled(pixels, Options{Scope: s}))
}

// Forward runs both towers and the contrastive head. With wantLoss, the
// images and texts must be paired one to one.
func (m *Model) Forward(in Inputs, wantLoss bool, opt Options) *Output {
	out := &Output{}
	if opt.PooledOnly {
		out.Text = &TowerOutput{PoolerOutput: m.Text.Pooled(in.InputIDs, in.Batch, in.SeqLen, in.AttentionMask, opt)}
		out.Vision = &TowerOutput{PoolerOutput: m.Vision.Pooled(in.PixelValues, opt)}
	} else {
		out.Text = m.Text.Forward(in.InputIDs, in.Batch, in.SeqLen, in.AttentionMask, opt)
		out.Vision = m.Vision.Forward(in.PixelValues, opt)
	}
	out.TextEmbeds = tensor.L2Normalize(m.TextProjection.Forward(out.Text.PoolerOutput), 0)
	out.ImageEmbeds = tensor.L2Normalize(m.VisualProjection.Forward(out.Vision.PoolerOutput), 0)
	out.LogitsPerText = tensor.Mul(tensor.MatMul(out.TextEmbeds, out.ImageEmbeds, false, true), tensor.Exp(m.LogitScale))
	out.LogitsPerImage = tensor.Transpose(out.LogitsPerText, 0, 1)
	if wantLoss {
		out.Loss = nn.ContrastiveLoss(out.LogitsPerText)
	}
	return out
}
