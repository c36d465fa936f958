// Package models gives the trainer, the evaluator and the CLI one view of
// vlmtune's dual encoders (CLIP and SigLIP): the DualEncoder interface,
// and Load and Save for Hugging Face checkpoint directories, dispatching
// on config.json's model_type.
package models
