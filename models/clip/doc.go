// Package clip implements Hugging Face's CLIPModel: a ViT image encoder and
// a causal text transformer whose pooled outputs are projected into a
// shared embedding space and compared by scaled cosine similarity, with
// CLIP's symmetric contrastive loss.
//
// Parameter names are the Hugging Face state-dict keys, and Forward's
// outputs use Hugging Face's output names, so a model loaded from a
// checkpoint directory can be checked against transformers' outputs (see
// the parity tests against ../shared/fixtures/hf-parity/clip_tiny).
package clip
