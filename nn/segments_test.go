package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/tensor"
)

// randomAttention returns an attention layer of width c with random
// weights and biases, trainable.
func randomAttention(rng *tensor.RNG, c, heads int) *Attention {
	a := NewAttention(c, heads, testAttentionNames)
	for _, l := range []*Linear{a.Q, a.K, a.V, a.Out} {
		l.Weight = tensor.RandN(rng, 0, 0.5, c, c)
		l.Bias = tensor.RandN(rng, 0, 0.1, c)
	}
	SetTrainable(a, true)
	return a
}

func maxAbsDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// Packed segments give, for every real token, the output and gradients of
// the padded batch with a key mask, with and without a causal mask and a
// key/value prefix.
func TestAttentionSegmentsMatchPaddedBatch(t *testing.T) {
	const c, heads = 8, 2
	lengths := []int{3, 1, 5, 2}
	tmax := 5
	for _, causal := range []bool{false, true} {
		for _, prefix := range []bool{false, true} {
			t.Run(fmt.Sprintf("causal=%v,prefix=%v", causal, prefix), func(t *testing.T) {
				rng := tensor.NewRNG(7)
				a := randomAttention(rng, c, heads)
				if prefix {
					a.Prefix = fixedPrefix{k: tensor.RandN(rng, 0, 1, 2, c), v: tensor.RandN(rng, 0, 1, 2, c)}
				}
				b := len(lengths)
				padded := tensor.RandN(rng, 0, 1, b, tmax, c)
				mask := make([]bool, b*tmax)
				var rows []int // padded row index of each packed token
				for bi, l := range lengths {
					for j := 0; j < l; j++ {
						mask[bi*tmax+j] = true
						rows = append(rows, bi*tmax+j)
					}
				}
				n := len(rows)
				packedData := make([]float32, n*c)
				for i, r := range rows {
					copy(packedData[i*c:(i+1)*c], padded.Data()[r*c:(r+1)*c])
				}
				packed := tensor.FromSlice(packedData, 1, n, c)
				packed.SetRequiresGrad(true)
				padded.SetRequiresGrad(true)
				// Weight the outputs of real tokens only.
				w := tensor.RandN(rng, 0, 1, n, c)

				yp := a.Forward(padded, AttentionInput{Causal: causal, KeyMask: mask})
				lossP := tensor.Sum(tensor.Mul(tensor.IndexSelect(tensor.Reshape(yp, b*tmax, c), 0, rows), w), false)
				lossP.Backward()
				gradsP := map[string][]float32{"x": gather(padded.Grad().Data(), rows, c)}
				VisitParams(a, func(name string, p **tensor.Tensor) {
					gradsP[name] = append([]float32(nil), (*p).Grad().Data()...)
					(*p).ClearGrad()
				})

				ys := a.Forward(packed, AttentionInput{Causal: causal, Segments: lengths})
				lossS := tensor.Sum(tensor.Mul(tensor.Reshape(ys, n, c), w), false)
				lossS.Backward()
				if d := maxAbsDiff(gather(yp.Data(), rows, c), ys.Data()); d > 1e-5 {
					t.Errorf("outputs differ by %g", d)
				}
				if d := maxAbsDiff(gradsP["x"], packed.Grad().Data()); d > 1e-4 {
					t.Errorf("input gradients differ by %g", d)
				}
				VisitParams(a, func(name string, p **tensor.Tensor) {
					if d := maxAbsDiff(gradsP[name], (*p).Grad().Data()); d > 1e-4 {
						t.Errorf("%s gradients differ by %g", name, d)
					}
				})
			})
		}
	}
}

func gather(d []float32, rows []int, c int) []float32 {
	out := make([]float32, 0, len(rows)*c)
	for _, r := range rows {
		out = append(out, d[r*c:(r+1)*c]...)
	}
	return out
}

func TestAttentionSegmentsRejectBadInput(t *testing.T) {
	a := randomAttention(tensor.NewRNG(1), 4, 1)
	for name, f := range map[string]func(){
		"wrong total": func() { a.Forward(tensor.Ones(1, 5, 4), AttentionInput{Segments: []int{2, 2}}) },
		"batch of 2":  func() { a.Forward(tensor.Ones(2, 2, 4), AttentionInput{Segments: []int{2}}) },
		"empty":       func() { a.Forward(tensor.Ones(1, 2, 4), AttentionInput{Segments: []int{2, 0}}) },
		"with mask": func() {
			a.Forward(tensor.Ones(1, 2, 4), AttentionInput{Segments: []int{2}, KeyMask: []bool{true, true}})
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// randomEncoder returns a 2-layer encoder with random weights, biases and
// norms, trainable.
func randomEncoder(rng *tensor.RNG, c, heads int) *Encoder {
	e := NewEncoder(EncoderSpec{Layers: 2, Dim: c, Hidden: 2 * c, Heads: heads, Act: tensor.ActQuickGELU, Eps: 1e-5, Names: testEncoderNames})
	VisitParams(e, func(_ string, p **tensor.Tensor) {
		*p = tensor.Add(*p, tensor.RandN(rng, 0, 0.3, (*p).Shape()...)).Detach()
	})
	SetTrainable(e, true)
	return e
}

// Encoder.Forward with Outputs gives the chosen rows of the full output and
// the same gradients, in batch mode (causal with a padding mask, or not,
// with a key/value prefix) and with packed segments.
func TestEncoderOutputsMatchFullRows(t *testing.T) {
	const c, heads = 8, 2
	for _, tc := range []struct {
		name           string
		causal, prefix bool
		segments, pos  []int
		b, tl          int
		mask           []bool
		checkpointing  bool
	}{
		{name: "vision-like", b: 3, tl: 4, pos: []int{0, 0, 0}},
		{name: "causal-mask", causal: true, b: 2, tl: 4, pos: []int{2, 3}, mask: []bool{true, true, true, false, true, false, true, true}},
		{name: "causal-prefix", causal: true, prefix: true, b: 2, tl: 3, pos: []int{1, 2}},
		{name: "segments-causal", causal: true, segments: []int{3, 1, 4}, pos: []int{2, 0, 3}},
		{name: "segments-middle", causal: true, segments: []int{3, 4}, pos: []int{1, 2}},
		{name: "segments-bidirectional-prefix", prefix: true, segments: []int{2, 3}, pos: []int{0, 2}},
		{name: "checkpointed", causal: true, segments: []int{3, 2}, pos: []int{2, 1}, checkpointing: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := tensor.NewRNG(11)
			e := randomEncoder(rng, c, heads)
			e.Checkpointing = tc.checkpointing
			if tc.prefix {
				for _, l := range e.Layers {
					l.Attn.Prefix = fixedPrefix{k: tensor.RandN(rng, 0, 1, 2, c), v: tensor.RandN(rng, 0, 1, 2, c)}
				}
			}
			var x *tensor.Tensor
			if tc.segments != nil {
				n := 0
				for _, l := range tc.segments {
					n += l
				}
				x = tensor.RandN(rng, 0, 1, 1, n, c)
			} else {
				x = tensor.RandN(rng, 0, 1, tc.b, tc.tl, c)
			}
			x.SetRequiresGrad(true)
			rows := selectRows(x, tc.segments, tc.pos)
			w := tensor.RandN(rng, 0, 1, len(rows), c)
			opt := EncoderOptions{Causal: tc.causal, KeyMask: tc.mask, Segments: tc.segments, CheckpointRNG: tensor.NewRNG(1)}

			full := e.Forward(x, opt, nil)
			want := tensor.IndexSelect(tensor.Reshape(full, x.Dim(0)*x.Dim(1), c), 0, rows)
			tensor.SumAll(tensor.Mul(want, w)).Backward()
			wantGX := append([]float32(nil), x.Grad().Data()...)
			x.ClearGrad()
			wantG := map[string][]float32{}
			VisitParams(e, func(name string, p **tensor.Tensor) {
				wantG[name] = append([]float32(nil), (*p).Grad().Data()...)
				(*p).ClearGrad()
			})

			opt.Outputs = tc.pos
			got := e.Forward(x, opt, nil)
			if n := len(rows); got.Len() != n*c {
				t.Fatalf("output %v, want %d rows", got.Shape(), n)
			}
			tensor.SumAll(tensor.Mul(tensor.Reshape(got, len(rows), c), w)).Backward()
			if d := maxAbsDiff(got.Data(), want.Data()); d > 1e-5 {
				t.Errorf("outputs differ by %g", d)
			}
			if d := maxAbsDiff(x.Grad().Data(), wantGX); d > 1e-4 {
				t.Errorf("input gradients differ by %g", d)
			}
			VisitParams(e, func(name string, p **tensor.Tensor) {
				if strings.HasSuffix(name, "k_proj.bias") {
					return // zero in exact arithmetic; rounding noise on both sides
				}
				if d := maxAbsDiff((*p).Grad().Data(), wantG[name]); d > 1e-4 {
					t.Errorf("%s gradients differ by %g", name, d)
				}
			})
		})
	}
}
