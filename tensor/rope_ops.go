package tensor

import "fmt"

// Rotary applies rotary position embeddings to x [B, T, H·D] (the queries
// or keys of H heads of width D, D even), as Hugging Face's
// apply_rotary_pos_emb does with rotate_half: for each head, with the
// first and second halves x₁ and x₂ of its D values,
//
//	out₁ = x₁·cos − x₂·sin,  out₂ = x₂·cos + x₁·sin,
//
// where cos and sin hold D/2 values per position (B·T·D/2 in all; HF's
// tables repeat them for both halves). The products are rounded before
// the sum, as in PyTorch.
func Rotary(x *Tensor, cos, sin []float32, heads int) *Tensor {
	sc := scopeOf(x)
	if x.Rank() != 3 || heads < 1 || x.shape[2]%heads != 0 || (x.shape[2]/heads)%2 != 0 {
		panic(fmt.Sprintf("tensor.Rotary: x %v with %d heads: want [B, T, H·D] with D even", x.shape, heads))
	}
	b, t, c := x.shape[0], x.shape[1], x.shape[2]
	d := c / heads
	half := d / 2
	if len(cos) != b*t*half || len(sin) != b*t*half {
		panic(fmt.Sprintf("tensor.Rotary: %d cos and %d sin values for %d positions of %d frequencies", len(cos), len(sin), b*t, half))
	}
	out := sc.newTensor(x.shape)
	rotate(out.data, x.data, cos, sin, b*t, heads, half, 1)
	if n := sc.record(out, "Rotary", x); n != nil {
		n.backward = func(g []float32) {
			if !x.requiresGrad {
				return
			}
			gx := sc.allocUninit(len(g))
			rotate(gx, g, cos, sin, b*t, heads, half, -1)
			addGrad(x, gx, true)
		}
	}
	return out
}

// rotate writes the rotation of src by the angles whose cos and sin are
// given (sign −1: by the opposite angles, the transpose) into dst.
func rotate(dst, src, cos, sin []float32, rows, heads, half int, sign float32) {
	d := 2 * half
	for r := 0; r < rows; r++ {
		cs, sn := cos[r*half:(r+1)*half], sin[r*half:(r+1)*half]
		for h := 0; h < heads; h++ {
			o := (r*heads + h) * d
			x1, x2 := src[o:o+half], src[o+half:o+d]
			y1, y2 := dst[o:o+half], dst[o+half:o+d]
			for i := 0; i < half; i++ {
				s := sign * sn[i]
				a, b := x1[i], x2[i]
				y1[i] = a*cs[i] + (-b)*s
				y2[i] = b*cs[i] + a*s
			}
		}
	}
}

// RepeatHeads repeats each of the kvHeads heads of x [B, T, kvHeads·D]
// groups times, giving [B, T, kvHeads·groups·D] in which head h is x's
// head h/groups: grouped-query attention's keys and values for every
// query head, as Hugging Face's repeat_kv. Its gradient sums each group.
func RepeatHeads(x *Tensor, kvHeads, groups int) *Tensor {
	if groups == 1 {
		return x
	}
	sc := scopeOf(x)
	if x.Rank() != 3 || kvHeads < 1 || groups < 1 || x.shape[2]%kvHeads != 0 {
		panic(fmt.Sprintf("tensor.RepeatHeads: x %v with %d heads ×%d", x.shape, kvHeads, groups))
	}
	rows, c := x.shape[0]*x.shape[1], x.shape[2]
	d := c / kvHeads
	out := sc.newTensor([]int{x.shape[0], x.shape[1], c * groups})
	for r := 0; r < rows; r++ {
		for h := 0; h < kvHeads; h++ {
			src := x.data[r*c+h*d : r*c+(h+1)*d]
			for g := 0; g < groups; g++ {
				copy(out.data[r*c*groups+(h*groups+g)*d:], src)
			}
		}
	}
	if n := sc.record(out, "RepeatHeads", x); n != nil {
		n.backward = func(gr []float32) {
			if !x.requiresGrad {
				return
			}
			gx := sc.alloc(len(x.data))
			for r := 0; r < rows; r++ {
				for h := 0; h < kvHeads; h++ {
					dst := gx[r*c+h*d : r*c+(h+1)*d]
					for g := 0; g < groups; g++ {
						src := gr[r*c*groups+(h*groups+g)*d:]
						for i := range dst {
							dst[i] += src[i]
						}
					}
				}
			}
			addGrad(x, gx, true)
		}
	}
	return out
}
