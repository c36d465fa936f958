// Package siglip implements Hugging Face's SiglipModel: a ViT without a
// class token whose output is pooled by a multi-head attention "probe", a
// bidirectional text transformer pooled at its last token, and the
// pairwise sigmoid loss with a learned temperature and bias.
//
// Parameter and output names follow transformers (v4.44), so results can
// be compared with ../shared/fixtures/hf-parity/siglip_tiny.
package siglip
