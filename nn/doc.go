// Package nn holds the building blocks that vlmtune's models are made of:
// Linear, Embedding, LayerNorm, multi-head attention, the MLP, the
// transformer encoder layer, the patch embedding of a ViT, and the
// in-batch contrastive losses.
//
// Every module declares its children once (Module.Declare) under the keys
// of Hugging Face state dicts, so a model's full parameter names are
// exactly those of its safetensors checkpoint; the parameter walk (Visit),
// the module walk (Walk), strict loading (LoadState) and the layouts that
// fine-tuning methods use all derive from that declaration. Blocks take
// their children's names from the model family (AttentionNames,
// EncoderNames, ...); nn itself names only PyTorch's weight and bias and
// its own hook points (attn_adapter, mlp_adapter).
//
// Blocks expose hook points that the parameter-efficient fine-tuning
// methods (package peft) fill in: a Linear's Adapter (LoRA), an
// attention's key/value Prefix (prefix tuning), an encoder layer's
// bottleneck adapters and a tower's prompt. What a method installs there
// is declared as an extension (Decl.Extension), so saving and loading the
// base model skip it without knowing its names.
package nn
