package hf_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/vlmtune/vlmtune/hf"
	"github.com/vlmtune/vlmtune/hf/safetensors"
)

// towerConfig is the kind of config struct a models/ package defines.
type towerConfig struct {
	ModelType  string `json:"model_type" hf:"required"`
	HiddenSize int    `json:"hidden_size" hf:"required"`
}

// Save a checkpoint, load it back, decode its config into a typed struct
// (keeping unknown keys), and check its tensors against what a model expects.
func Example() {
	dir, err := os.MkdirTemp("", "hf-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ckDir := filepath.Join(dir, "tiny")

	ck := &hf.Checkpoint{
		Config: []byte(`{"model_type": "tiny", "hidden_size": 2, "initializer_range": 0.02}`),
		Tensors: []hf.Tensor{
			{Name: "proj.weight", Shape: []int{2, 2}, Data: []float32{1, 0, 0, 1}},
			{Name: "proj.bias", Shape: []int{2}, Data: []float32{0.5, -0.5}},
		},
	}
	if err := hf.WriteCheckpoint(ckDir, ck, hf.WriteOptions{DType: safetensors.BF16}); err != nil {
		log.Fatal(err)
	}

	loaded, err := hf.ReadCheckpoint(ckDir)
	if err != nil {
		log.Fatal(err)
	}
	var cfg towerConfig
	if err := hf.DecodeJSON(hf.ConfigFile, loaded.Config, &cfg); err != nil {
		log.Fatal(err)
	}
	fmt.Println("model:", cfg.ModelType, "hidden:", cfg.HiddenSize)
	for _, t := range loaded.Tensors {
		fmt.Println(t.Name, t.DType, t.Shape, t.Data)
	}

	cfg.HiddenSize = 4
	out, err := hf.MergeJSON(loaded.Config, &cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(out))

	expected := map[string][]int{"proj.weight": {2, 2}, "proj.bias": {4}, "norm.weight": {2}}
	fmt.Println(hf.CheckKeys(expected, loaded.Shapes()))
	// Output:
	// model: tiny hidden: 2
	// proj.bias BF16 [2] [0.5 -0.5]
	// proj.weight BF16 [2 2] [1 0 0 1]
	// {
	//   "hidden_size": 4,
	//   "initializer_range": 0.02,
	//   "model_type": "tiny"
	// }
	// checkpoint tensors do not match the model: 1 missing, 1 with the wrong shape
	//   missing:     norm.weight
	//   wrong shape: proj.bias: model wants [4], checkpoint has [2]
}
