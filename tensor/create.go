package tensor

import "fmt"

// Zeros returns a tensor of zeros.
func Zeros(shape ...int) *Tensor { return newTensor(shape) }

// Ones returns a tensor of ones.
func Ones(shape ...int) *Tensor { return Full(1, shape...) }

// Full returns a tensor with every element set to v.
func Full(v float32, shape ...int) *Tensor {
	t := newTensor(shape)
	for i := range t.data {
		t.data[i] = v
	}
	return t
}

// Scalar returns a zero-dimensional tensor holding v.
func Scalar(v float32) *Tensor { return Full(v) }

// FromSlice returns a tensor holding a copy of data with the given shape.
func FromSlice(data []float32, shape ...int) *Tensor {
	if numel(shape) != len(data) {
		panic(fmt.Sprintf("tensor.FromSlice: %d values do not fill shape %v", len(data), shape))
	}
	t := newTensor(shape)
	copy(t.data, data)
	return t
}

// Wrap returns a tensor that uses data as its storage, without copying.
func Wrap(data []float32, shape ...int) *Tensor {
	if numel(shape) != len(data) {
		panic(fmt.Sprintf("tensor.Wrap: %d values do not fill shape %v", len(data), shape))
	}
	return wrap(data, shape)
}

// Arange returns [0, 1, …, n-1] as a float tensor.
func Arange(n int) *Tensor {
	t := newTensor([]int{n})
	for i := range t.data {
		t.data[i] = float32(i)
	}
	return t
}

// RandN returns a tensor of normally distributed values with the given mean
// and standard deviation drawn from rng.
func RandN(rng *RNG, mean, std float32, shape ...int) *Tensor {
	t := newTensor(shape)
	for i := range t.data {
		t.data[i] = mean + std*float32(rng.Normal())
	}
	return t
}

// RandU returns a tensor of values uniformly distributed in [lo, hi) drawn
// from rng.
func RandU(rng *RNG, lo, hi float32, shape ...int) *Tensor {
	t := newTensor(shape)
	for i := range t.data {
		t.data[i] = lo + (hi-lo)*float32(rng.Float64())
	}
	return t
}

// ZerosLike returns a zero tensor with t's shape.
func ZerosLike(t *Tensor) *Tensor { return newTensor(t.shape) }

// OnesLike returns a tensor of ones with t's shape.
func OnesLike(t *Tensor) *Tensor { return Full(1, t.shape...) }
