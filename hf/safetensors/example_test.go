package safetensors_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/vlmtune/vlmtune/hf/safetensors"
)

// Write a file with a float tensor stored as F16 and an int64 tensor, then
// read it back.
func Example() {
	dir, err := os.MkdirTemp("", "safetensors-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.safetensors")

	err = safetensors.Write(path, []safetensors.Tensor{
		{Name: "weight", Shape: []int{2, 3}, DType: safetensors.F16, F32: []float32{0.1, 0.2, 0.3, 1, 2, 65519}},
		safetensors.Int64Tensor("input_ids", []int{1, 3}, []int64{49406, 320, 49407}),
	}, map[string]string{"format": "pt"})
	if err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for _, t := range f.Tensors() {
		fmt.Println(t.Name, t.DType, t.Shape, t.Begin, t.End)
	}
	w, _ := f.Float32s("weight")
	ids, _ := f.Int64s("input_ids")
	fmt.Println(w, ids, f.Metadata())
	// Output:
	// input_ids I64 [1 3] 0 24
	// weight F16 [2 3] 24 36
	// [0.099975586 0.19995117 0.30004883 1 2 65504] [49406 320 49407] map[format:pt]
}
