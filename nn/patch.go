package nn

import (
	"fmt"

	"github.com/vlmtune/vlmtune/tensor"
)

// PatchEmbed is a ViT patch embedding: a Conv2d with kernel = stride =
// patch size and no padding, computed as a matrix product over patches.
type PatchEmbed struct {
	Weight *tensor.Tensor // [C, 3, P, P]
	Bias   *tensor.Tensor // [C] or nil
	Patch  int
}

// NewPatchEmbed returns a zero patch embedding.
func NewPatchEmbed(channels, dim, patch int, bias bool) *PatchEmbed {
	p := &PatchEmbed{Weight: newParam(dim, channels, patch, patch), Patch: patch}
	if bias {
		p.Bias = newParam(dim)
	}
	return p
}

// Forward maps pixels [B, Cin, H, W] to patch tokens [B, (H/P)·(W/P), C] in
// row-major patch order (as Conv2d followed by flatten(2).transpose(1, 2)).
func (p *PatchEmbed) Forward(pixels *tensor.Tensor) *tensor.Tensor {
	sh := pixels.Shape()
	if len(sh) != 4 || sh[1] != p.Weight.Dim(1) || sh[2]%p.Patch != 0 || sh[3]%p.Patch != 0 {
		panic(fmt.Sprintf("nn.PatchEmbed: pixels %v do not fit patch size %d with %d channels", sh, p.Patch, p.Weight.Dim(1)))
	}
	b, c, h, w, ps := sh[0], sh[1], sh[2], sh[3], p.Patch
	gh, gw := h/ps, w/ps
	x := tensor.Reshape(pixels, b, c, gh, ps, gw, ps)
	x = tensor.Permute(x, 0, 2, 4, 1, 3, 5) // [B, gh, gw, C, P, P]
	x = tensor.Reshape(x, b, gh*gw, c*ps*ps)
	wt := tensor.Reshape(p.Weight, p.Weight.Dim(0), c*ps*ps)
	return tensor.Linear(x, wt, p.Bias)
}

// Declare declares weight and bias.
func (p *PatchEmbed) Declare(d *Decl) {
	d.Param("weight", &p.Weight)
	d.Param("bias", &p.Bias)
}
