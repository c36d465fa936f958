package imageproc

import (
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
)

// Augment configures the random augmentations of one training image. Each
// field left nil (or zero) is off. The semantics follow torchvision's
// transforms; each type's comment says where vlmtune differs.
//
// Order: RandomResizedCrop, HorizontalFlip, Affine (rotation and scaling),
// ColorJitter on the 8-bit image; then the model's Processor (resize, crop,
// rescale); then GaussianNoise before normalization and Cutout after it,
// as in a torchvision pipeline [RandomResizedCrop, RandomHorizontalFlip,
// RandomAffine, ColorJitter, ToTensor, GaussianNoise, Normalize,
// RandomErasing].
//
// Randomness: the caller passes a *rand.Rand made by NewRNG(seed, epoch,
// index); Apply first draws one sub-seed per augmentation, in a fixed order,
// so turning one augmentation on or off does not change the draws of the
// others.
type Augment struct {
	RandomResizedCrop *RandomResizedCrop `json:"random_resized_crop,omitempty" yaml:"random_resized_crop,omitempty"`
	// HorizontalFlip is the probability of mirroring the image left–right.
	HorizontalFlip float64        `json:"horizontal_flip,omitempty" yaml:"horizontal_flip,omitempty"`
	Affine         *RandomAffine  `json:"affine,omitempty" yaml:"affine,omitempty"`
	ColorJitter    *ColorJitter   `json:"color_jitter,omitempty" yaml:"color_jitter,omitempty"`
	GaussianNoise  *GaussianNoise `json:"gaussian_noise,omitempty" yaml:"gaussian_noise,omitempty"`
	Cutout         *Cutout        `json:"cutout,omitempty" yaml:"cutout,omitempty"`
}

// Validate checks every configured augmentation and names the first bad
// field.
func (a *Augment) Validate() error {
	if a == nil {
		return nil
	}
	if !(a.HorizontalFlip >= 0 && a.HorizontalFlip <= 1) {
		return fmt.Errorf("augment.horizontal_flip: a probability in [0, 1], got %v", a.HorizontalFlip)
	}
	var errs []error
	if a.RandomResizedCrop != nil {
		errs = append(errs, a.RandomResizedCrop.Validate())
	}
	if a.Affine != nil {
		errs = append(errs, a.Affine.Validate())
	}
	if a.ColorJitter != nil {
		errs = append(errs, a.ColorJitter.Validate())
	}
	if a.GaussianNoise != nil {
		errs = append(errs, a.GaussianNoise.Validate())
	}
	if a.Cutout != nil {
		errs = append(errs, a.Cutout.Validate())
	}
	return errors.Join(errs...)
}

// Enabled reports whether any augmentation is configured.
func (a *Augment) Enabled() bool {
	return a != nil && (a.RandomResizedCrop != nil || a.HorizontalFlip > 0 || a.Affine != nil ||
		a.ColorJitter != nil || a.GaussianNoise != nil || a.Cutout != nil)
}

// augmentSeeds are the sub-seeds of one Apply call, one per augmentation.
type augmentSeeds struct {
	crop, flip, affine, jitter, noise, cutout uint64
}

func drawSeeds(rng *rand.Rand) augmentSeeds {
	return augmentSeeds{rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64()}
}

func subRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0xa5a5a5a5a5a5a5a5)) }

// Apply runs the image-level augmentations (crop, flip, affine, colour) and
// returns the augmented image; img is not modified. It is for callers that
// want the 8-bit result; ProcessInto runs the whole pipeline.
func (a *Augment) Apply(img *RGB, rng *rand.Rand) *RGB {
	out, _ := a.apply(img, rng)
	return out
}

func (a *Augment) apply(img *RGB, rng *rand.Rand) (*RGB, augmentSeeds) {
	s := drawSeeds(rng)
	if a == nil {
		return img, s
	}
	if c := a.RandomResizedCrop; c != nil {
		img = c.Apply(img, subRNG(s.crop))
	}
	if a.HorizontalFlip > 0 && subRNG(s.flip).Float64() < a.HorizontalFlip {
		img = Orient(img, 2)
	}
	if af := a.Affine; af != nil {
		img = af.Apply(img, subRNG(s.affine))
	}
	if j := a.ColorJitter; j != nil {
		img = j.Apply(img, subRNG(s.jitter))
	}
	return img, s
}

// ProcessInto augments img, runs the processor p and writes the CHW pixels
// into dst (see Processor.ProcessInto). With a nil or empty Augment it is
// p.ProcessInto(dst, img) (after drawing the sub-seeds).
func (a *Augment) ProcessInto(p *Processor, dst []float32, img image.Image, rng *rand.Rand) error {
	src := ToRGB(img)
	if src.W == 0 || src.H == 0 {
		return fmt.Errorf("imageproc: augment: %w", ErrEmptyImage)
	}
	aug, s := a.apply(src, rng)
	if a == nil || (a.GaussianNoise == nil && a.Cutout == nil) {
		return p.ProcessInto(dst, aug)
	}
	prepared, err := p.Prepare(aug)
	if err != nil {
		return err
	}
	if len(dst) != 3*prepared.W*prepared.H {
		return fmt.Errorf("imageproc: %s: destination holds %d floats, a %dx%d output needs %d", p.Type, len(dst), prepared.W, prepared.H, 3*prepared.W*prepared.H)
	}
	if n := a.GaussianNoise; n != nil {
		n.normalizeInto(dst, prepared, p, subRNG(s.noise))
	} else if err := p.Normalize(dst, prepared); err != nil {
		return err
	}
	if c := a.Cutout; c != nil {
		c.Apply(dst, prepared.W, prepared.H, subRNG(s.cutout))
	}
	return nil
}
