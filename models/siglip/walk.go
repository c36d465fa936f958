package siglip

import "github.com/vlmtune/vlmtune/nn"

// Walk visits the model and its sub-modules with Hugging Face module names.
func (m *Model) Walk(prefix string, fn nn.WalkFunc) {
	fn(prefix, m)
	m.Text.Walk(nn.Join(prefix, "text_model"), fn)
	m.Vision.Walk(nn.Join(prefix, "vision_model"), fn)
}

// Walk visits the text tower.
func (t *TextModel) Walk(prefix string, fn nn.WalkFunc) {
	fn(prefix, t)
	fn(nn.Join(prefix, "embeddings.token_embedding"), t.TokenEmbedding)
	fn(nn.Join(prefix, "embeddings.position_embedding"), t.PositionEmbedding)
	t.Encoder.Walk(nn.Join(prefix, "encoder"), fn)
	fn(nn.Join(prefix, "final_layer_norm"), t.FinalLayerNorm)
	t.Head.Walk(nn.Join(prefix, "head"), fn)
}

// Walk visits the vision tower.
func (v *VisionModel) Walk(prefix string, fn nn.WalkFunc) {
	fn(prefix, v)
	fn(nn.Join(prefix, "embeddings.patch_embedding"), v.PatchEmbedding)
	fn(nn.Join(prefix, "embeddings.position_embedding"), v.PositionEmbedding)
	v.Encoder.Walk(nn.Join(prefix, "encoder"), fn)
	fn(nn.Join(prefix, "post_layernorm"), v.PostLayerNorm)
	if v.Head != nil {
		v.Head.Walk(nn.Join(prefix, "head"), fn)
	}
}

// Walk visits the pooling head (its packed in_proj is not a Linear).
func (h *PoolingHead) Walk(prefix string, fn nn.WalkFunc) {
	fn(prefix, h)
	h.OutProj.Walk(nn.Join(prefix, "attention.out_proj"), fn)
	fn(nn.Join(prefix, "layernorm"), h.LayerNorm)
	h.MLP.Walk(nn.Join(prefix, "mlp"), fn)
}
