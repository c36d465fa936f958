// Package builtin is vlmtune's built-in default: a small CLIP (about 0.4 M
// parameters, 64-pixel images (16-pixel patches), a 16-token context and a word-level BPE
// vocabulary of the synthetic shapes captions) that vlmtune pre-trains
// itself on domain "a" of the synthetic shapes data set, and the default
// run that fine-tunes it with LoRA on domain "b", whose shapes, colours
// and textures it has never seen.
//
// The model files live in model/ and are embedded in the binary; Build
// re-creates them reproducibly (vlmtune builtin build).
package builtin
