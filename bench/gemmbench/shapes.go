// Package gemmbench measures GEMM throughput at the shapes that matter for
// vlmtune: a 1024³ product and the matrix products of CLIP ViT-B/32
// training (forward and both backward products of every linear layer). The
// `vlmtune bench gemm` command and the Go benchmarks in bench/gemm use it,
// so that every tool measures the same shapes the same way.
package gemmbench

import (
	"fmt"
	"strconv"
	"strings"
)

// Shape is one product C[M×N] = op(A)[M×K]·op(B)[K×N].
type Shape struct {
	// Name says where the product comes from, e.g. "vision.fc1.dW".
	Name string
	// M, K, N are the sizes of the product.
	M, K, N int
	// TransA and TransB select op(A) = Aᵀ and op(B) = Bᵀ.
	TransA, TransB bool
}

// Flops is the number of floating-point operations of the product, 2·M·K·N.
func (s Shape) Flops() float64 { return 2 * float64(s.M) * float64(s.K) * float64(s.N) }

// Trans spells the transposes as "nn", "nt", "tn" or "tt" (A first).
func (s Shape) Trans() string {
	t := []byte("nn")
	if s.TransA {
		t[0] = 't'
	}
	if s.TransB {
		t[1] = 't'
	}
	return string(t)
}

// String formats the shape as ParseShapes reads it: "MxKxN:tt".
func (s Shape) String() string { return fmt.Sprintf("%dx%dx%d:%s", s.M, s.K, s.N, s.Trans()) }

// ParseShapes reads a comma-separated list of shapes "MxKxN" with an
// optional transpose suffix ":nn", ":nt", ":tn" or ":tt" (default "nn").
func ParseShapes(list string) ([]Shape, error) {
	var out []Shape
	for i, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		dims, trans, hasTrans := strings.Cut(item, ":")
		parts := strings.Split(strings.ToLower(dims), "x")
		if len(parts) != 3 {
			return nil, fmt.Errorf("shape %d %q: want MxKxN, e.g. 1024x1024x1024 or 1600x768x3072:nt", i+1, item)
		}
		var n [3]int
		for j, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil || v < 1 || v > 1<<20 {
				return nil, fmt.Errorf("shape %d %q: %q is not a size between 1 and %d", i+1, item, p, 1<<20)
			}
			n[j] = v
		}
		s := Shape{Name: "custom", M: n[0], K: n[1], N: n[2]}
		if hasTrans {
			switch strings.ToLower(trans) {
			case "nn":
			case "nt":
				s.TransB = true
			case "tn":
				s.TransA = true
			case "tt":
				s.TransA, s.TransB = true, true
			default:
				return nil, fmt.Errorf("shape %d %q: transpose %q must be nn, nt, tn or tt", i+1, item, trans)
			}
		}
		if s.Flops() > 1e13 {
			return nil, fmt.Errorf("shape %d %q: %.3g flops per product is too large to benchmark", i+1, item, s.Flops())
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no shapes in %q: give e.g. 1024x1024x1024,1600x768x3072:nt", list)
	}
	return out, nil
}

// FormatShapes writes shapes as ParseShapes reads them.
func FormatShapes(shapes []Shape) string {
	s := make([]string, len(shapes))
	for i, sh := range shapes {
		s[i] = sh.String()
	}
	return strings.Join(s, ",")
}

// CLIP ViT-B/32: the vision tower has width 768 and MLP 3072 on 50 tokens
// per image (49 patches and the class token); the text tower has width 512
// and MLP 2048 on 77 tokens per caption.
const (
	VisionTokens = 50
	TextTokens   = 77
)

// linear is one linear layer: in → out features on some tokens.
type linear struct {
	name    string
	in, out int
	tokens  int // per example
}

var vitB32Linears = []linear{
	{"vision.attn", 768, 768, VisionTokens},
	{"vision.fc1", 768, 3072, VisionTokens},
	{"vision.fc2", 3072, 768, VisionTokens},
	{"text.attn", 512, 512, TextTokens},
	{"text.fc1", 512, 2048, TextTokens},
	{"text.fc2", 2048, 512, TextTokens},
}

// ViTB32Shapes lists the GEMMs of one CLIP ViT-B/32 training step at the
// given batch size. A linear layer with weight W[out×in] (Hugging Face
// layout) on T = batch·tokens rows does three products:
//
//	forward  Y[T×out] = X·Wᵀ     M=T,   K=in,  N=out  (nt)
//	dX       dX[T×in] = dY·W     M=T,   K=out, N=in   (nn)
//	dW       dW[out×in] = dYᵀ·X  M=out, K=T,   N=in   (tn)
func ViTB32Shapes(batch int) []Shape {
	var out []Shape
	for _, l := range vitB32Linears {
		t := batch * l.tokens
		out = append(out,
			Shape{Name: l.name + ".fwd", M: t, K: l.in, N: l.out, TransB: true},
			Shape{Name: l.name + ".dX", M: t, K: l.out, N: l.in},
			Shape{Name: l.name + ".dW", M: l.out, K: t, N: l.in, TransA: true},
		)
	}
	return out
}

// LoRAShapes lists the GEMMs of a rank-r LoRA adapter on ViT-B/32's
// vision attention projections (768 → 768) at the given batch size:
// h = x·Aᵀ (A[r×768]), y += h·Bᵀ (B[768×r]) and the backward products
// dB = dyᵀ·h, dh = dy·B, dA = dhᵀ·x, dx += dh·A.
func LoRAShapes(batch, r int) []Shape {
	t, d := batch*VisionTokens, 768
	return []Shape{
		{Name: "lora.h", M: t, K: d, N: r, TransB: true},
		{Name: "lora.y", M: t, K: r, N: d, TransB: true},
		{Name: "lora.dB", M: d, K: t, N: r, TransA: true},
		{Name: "lora.dh", M: t, K: d, N: r},
		{Name: "lora.dA", M: r, K: t, N: d, TransA: true},
		{Name: "lora.dx", M: t, K: r, N: d},
	}
}

// DefaultBatch is the batch size of the default ViT-B/32 shapes.
const DefaultBatch = 32

// DefaultShapes is 1024³ followed by ViTB32Shapes(DefaultBatch).
func DefaultShapes() []Shape {
	return append([]Shape{{Name: "cube", M: 1024, K: 1024, N: 1024}}, ViTB32Shapes(DefaultBatch)...)
}
