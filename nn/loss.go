package nn

import (
	"fmt"

	"github.com/vlmtune/vlmtune/tensor"
)

// ContrastiveLoss is CLIP's symmetric loss on logits per text [N, N]: the
// mean of the cross-entropies of each text against the images and of each
// image against the texts, with the diagonal as targets.
func ContrastiveLoss(logitsPerText *tensor.Tensor) *tensor.Tensor {
	n := logitsPerText.Dim(0)
	if logitsPerText.Dim(1) != n {
		panic(fmt.Sprintf("nn.ContrastiveLoss: logits %v are not square", logitsPerText.Shape()))
	}
	targets := make([]int, n)
	for i := range targets {
		targets[i] = i
	}
	caption := tensor.CrossEntropy(logitsPerText, targets, tensor.CrossEntropyOptions{})
	image := tensor.CrossEntropy(tensor.Transpose(logitsPerText, 0, 1), targets, tensor.CrossEntropyOptions{})
	return tensor.MulScalar(tensor.Add(caption, image), 0.5)
}

// SigmoidLoss is SigLIP's pairwise loss on logits per text [N, N]:
// −mean_i Σ_j log σ(z_ij·logits_ij) with z = +1 on the diagonal and −1
// elsewhere.
func SigmoidLoss(logitsPerText *tensor.Tensor) *tensor.Tensor {
	n := logitsPerText.Dim(0)
	if logitsPerText.Dim(1) != n {
		panic(fmt.Sprintf("nn.SigmoidLoss: logits %v are not square", logitsPerText.Shape()))
	}
	z := tensor.Full(-1, n, n)
	for i := 0; i < n; i++ {
		z.Set(1, i, i)
	}
	loglik := tensor.LogSigmoid(tensor.Mul(z, logitsPerText))
	return tensor.MulScalar(tensor.SumAll(loglik), -1/float32(n))
}
