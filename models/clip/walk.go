package clip

import "github.com/vlmtune/vlmtune/nn"

// Walk visits the model and its sub-modules with Hugging Face module
// names (text_model.encoder.layers.0.self_attn.q_proj, ...).
func (m *Model) Walk(prefix string, fn nn.WalkFunc) {
	fn(prefix, m)
	m.Text.Walk(nn.Join(prefix, "text_model"), fn)
	m.Vision.Walk(nn.Join(prefix, "vision_model"), fn)
	m.VisualProjection.Walk(nn.Join(prefix, "visual_projection"), fn)
	m.TextProjection.Walk(nn.Join(prefix, "text_projection"), fn)
}

// Walk visits the text tower.
func (t *TextModel) Walk(prefix string, fn nn.WalkFunc) {
	fn(prefix, t)
	fn(nn.Join(prefix, "embeddings.token_embedding"), t.TokenEmbedding)
	fn(nn.Join(prefix, "embeddings.position_embedding"), t.PositionEmbedding)
	t.Encoder.Walk(nn.Join(prefix, "encoder"), fn)
	fn(nn.Join(prefix, "final_layer_norm"), t.FinalLayerNorm)
}

// Walk visits the vision tower.
func (v *VisionModel) Walk(prefix string, fn nn.WalkFunc) {
	fn(prefix, v)
	fn(nn.Join(prefix, "embeddings.patch_embedding"), v.PatchEmbedding)
	fn(nn.Join(prefix, "embeddings.position_embedding"), v.PositionEmbedding)
	fn(nn.Join(prefix, "pre_layrnorm"), v.PreLayerNorm)
	v.Encoder.Walk(nn.Join(prefix, "encoder"), fn)
	fn(nn.Join(prefix, "post_layernorm"), v.PostLayerNorm)
}
