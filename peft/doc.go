// Package peft applies vlmtune's fine-tuning methods to a dual encoder.
// Each method is a policy over which tensors exist and which are
// trainable:
//
//   - full: every parameter trains (optionally with a tower frozen);
//   - head: only the contrastive head (projections, logit scale/bias);
//   - layerwise: the top k layers of each unfrozen tower and everything
//     after them, optionally unfreezing one more layer every N epochs;
//   - lora: low-rank adapters on matched linear layers (package peft/lora);
//   - adapter: Houlsby bottleneck adapters after attention and MLP, with a
//     zero-initialised up-projection;
//   - prompt: learned soft tokens before the text and learned visual prompt
//     tokens in the ViT;
//   - prefix: learned key/value prefixes in every attention layer.
//
// Apply installs the method on a model and returns an Applied value that
// reports trainable and total parameter counts, saves what the method
// trained and loads it back.
package peft
