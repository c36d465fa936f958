package clip

import (
	"math"

	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// Init draws fresh weights the way transformers' CLIPPreTrainedModel does
// (_init_weights with initializer_factor): normal embeddings and
// projections with the same standard deviations, unit LayerNorms, zero
// biases, and logit_scale = logit_scale_init_value.
func (m *Model) Init(rng *tensor.RNG) {
	f := m.Config.InitializerFactor
	if f == 0 {
		f = 1
	}
	normal := func(t *tensor.Tensor, std float64) { t.CopyFrom(tensor.RandN(rng, 0, float32(std), t.Shape()...)) }
	t, v := m.Config.TextConfig, m.Config.VisionConfig
	normal(m.Text.TokenEmbedding.Weight, 0.02*f)
	normal(m.Text.PositionEmbedding.Weight, 0.02*f)
	normal(m.Vision.ClassEmbedding, math.Pow(float64(v.HiddenSize), -0.5)*f)
	normal(m.Vision.PatchEmbedding.Weight, 0.02*f)
	normal(m.Vision.PositionEmbedding.Weight, 0.02*f)
	initEncoder(m.Text.Encoder, t.HiddenSize, t.NumHiddenLayers, f, normal)
	initEncoder(m.Vision.Encoder, v.HiddenSize, v.NumHiddenLayers, f, normal)
	for _, ln := range []*nn.LayerNorm{m.Text.FinalLayerNorm, m.Vision.PreLayerNorm, m.Vision.PostLayerNorm} {
		resetNorm(ln)
	}
	normal(m.TextProjection.Weight, math.Pow(float64(t.HiddenSize), -0.5)*f)
	normal(m.VisualProjection.Weight, math.Pow(float64(v.HiddenSize), -0.5)*f)
	m.LogitScale.Data()[0] = float32(m.Config.LogitScaleInitValue)
}

func resetNorm(ln *nn.LayerNorm) {
	fill(ln.Weight.Data(), 1)
	fill(ln.Bias.Data(), 0)
}

func fill(d []float32, v float32) {
	for i := range d {
		d[i] = v
	}
}

// initEncoder follows CLIPAttention and CLIPMLP initialisation.
func initEncoder(e *nn.Encoder, hidden, layers int, f float64, normal func(*tensor.Tensor, float64)) {
	h := float64(hidden)
	inStd := math.Pow(h, -0.5) * math.Pow(2*float64(layers), -0.5) * f
	outStd := math.Pow(h, -0.5) * f
	fcStd := math.Pow(2*h, -0.5) * f
	for _, l := range e.Layers {
		for _, lin := range []*nn.Linear{l.Attn.Q, l.Attn.K, l.Attn.V} {
			normal(lin.Weight, inStd)
			fill(lin.Bias.Data(), 0)
		}
		normal(l.Attn.Out.Weight, outStd)
		fill(l.Attn.Out.Bias.Data(), 0)
		normal(l.MLP.FC1.Weight, fcStd)
		fill(l.MLP.FC1.Bias.Data(), 0)
		normal(l.MLP.FC2.Weight, inStd)
		fill(l.MLP.FC2.Bias.Data(), 0)
		resetNorm(l.LN1)
		resetNorm(l.LN2)
	}
}
