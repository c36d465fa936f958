// Package train is vlmtune's fine-tuning loop for dual encoders (CLIP,
// SigLIP): a documented YAML configuration, every fine-tuning method of
// package peft, AdamW or SGD with warm-up and decay schedules, gradient
// clipping and accumulation (exact for contrastive losses, by caching the
// batch's embeddings), gradient checkpointing, validation with retrieval
// and zero-shot metrics, early stopping, atomic top-k checkpoints, exact
// resume, regularisers (L2-SP, EWC, knowledge distillation), NaN/Inf
// detection, and logs: a progress bar, metrics.jsonl, TensorBoard events
// and report.html.
package train
