package peft

import (
	"fmt"

	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/tensor"
)

// LoadModelDir loads a model for inference from a directory written by
// vlmtune or Hugging Face: the base checkpoint, plus the fine-tuning
// method saved next to it (a PEFT LoRA adapter in dir or dir/adapter is
// left alone when the weights are already merged; vlmtune's adapter,
// prompt and prefix saves are applied). It returns the applied method, or
// nil when there is none.
func LoadModelDir(dir string) (*models.Loaded, *Applied, error) {
	l, err := models.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	if !HasSaved(dir) {
		return l, nil, nil
	}
	m, ok := l.Model.(Model)
	if !ok {
		return nil, nil, fmt.Errorf("%s: a %s model does not take vlmtune's fine-tuning methods", dir, l.Model.Family())
	}
	a, err := Load(dir, m, tensor.NewRNG(0))
	if err != nil {
		return nil, nil, err
	}
	return l, a, nil
}
