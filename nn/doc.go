// Package nn holds the building blocks that vlmtune's models are made of:
// Linear, Embedding, LayerNorm, multi-head attention, the MLP, the
// transformer encoder layer and the patch embedding of a ViT.
//
// Every block names its parameters with the keys of Hugging Face state
// dicts (weight, bias, q_proj, layer_norm1, ...), so a model's full
// parameter names are exactly those of its safetensors checkpoint. Blocks
// expose hook points that the parameter-efficient fine-tuning methods
// (package peft) fill in: a Linear's Adapter (LoRA), an attention's
// key/value Prefix (prefix tuning) and an encoder layer's bottleneck
// Adapters.
package nn
