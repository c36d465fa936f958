// Package optim holds vlmtune's optimizers: AdamW with decoupled weight
// decay (torch.optim.AdamW's arithmetic) and SGD with momentum
// (torch.optim.SGD's), parameter groups with and without weight decay,
// gradient clipping by global norm, and optimizer state that can be saved
// and restored exactly for resume.
package optim
