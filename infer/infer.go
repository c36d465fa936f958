// Package infer loads a model directory for inference: the Hugging Face
// checkpoint, the fine-tuning method saved with it (a vlmtune best/
// folder's adapter, prompt or prefix files; a PEFT LoRA adapter applied
// on top of unmerged weights) and, for dual encoders, the tokenizer and
// image processor, with the model frozen.
package infer

import (
	"fmt"

	"github.com/vlmtune/vlmtune/infer/dual"
	"github.com/vlmtune/vlmtune/models"
	_ "github.com/vlmtune/vlmtune/models/all" // the families Load can read
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/prep"
	"github.com/vlmtune/vlmtune/tensor"
)

// Session is a model loaded for inference.
type Session struct {
	Dir   string
	Model models.Model
	// ConfigJSON is the checkpoint's config.json as read.
	ConfigJSON []byte
	// Method is the fine-tuning method saved with the model (nil: none).
	Method *peft.Applied
}

// Load reads a model directory (a Hugging Face checkpoint, or a vlmtune
// best/ folder with its method files) and freezes it.
func Load(dir string) (*Session, error) {
	l, method, err := LoadModel(dir)
	if err != nil {
		return nil, err
	}
	nn.SetTrainable(l.Model, false)
	return &Session{Dir: dir, Model: l.Model, ConfigJSON: l.ConfigJSON, Method: method}, nil
}

// LoadModel loads the base checkpoint in dir and the fine-tuning method
// saved next to it (vlmtune's adapter, prompt and prefix saves are
// applied; a PEFT LoRA adapter in dir is applied on top of the weights,
// while best/adapter, whose weights best/ already holds merged, is left
// alone). It returns the applied method, or nil when there is none. The
// model stays trainable.
func LoadModel(dir string) (*models.Loaded, *peft.Applied, error) {
	l, err := models.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	if !peft.HasSaved(dir) {
		return l, nil, nil
	}
	m, ok := l.Model.(peft.Model)
	if !ok {
		return nil, nil, fmt.Errorf("%s: a %s model does not take vlmtune's fine-tuning methods", dir, l.Model.Family())
	}
	a, err := peft.Load(dir, m, tensor.NewRNG(0))
	if err != nil {
		return nil, nil, err
	}
	return l, a, nil
}

// Dual returns the session's dual encoder with its preprocessing (the
// tokenizer and preprocessor_config.json in the model directory), encoding
// in an inference scope of its own; it fails for models of other kinds.
func (s *Session) Dual() (*dual.Encoder, error) {
	m, ok := s.Model.(models.DualEncoder)
	if !ok {
		return nil, fmt.Errorf("%s holds a %s model, not a dual encoder (CLIP, SigLIP)", s.Dir, s.Model.Family())
	}
	p, err := prep.New(m, s.Dir, "", nil)
	if err != nil {
		return nil, err
	}
	return dual.New(m, p, nil), nil
}
