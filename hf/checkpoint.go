package hf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/vlmtune/vlmtune/hf/safetensors"
)

// Tensor is a named float32 tensor crossing the package boundary as plain
// data: Data holds the values in row-major order.
type Tensor struct {
	Name string
	// DType is the dtype the tensor had in its file (empty for a new
	// tensor, which is written as F32); WriteCheckpoint keeps it unless
	// WriteOptions.DType says otherwise.
	DType safetensors.DType
	Shape []int
	Data  []float32
}

// NumElements returns the product of the shape.
func (t *Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Checkpoint is a loaded Hugging Face model directory: the bytes of its
// config.json and all of its tensors converted to float32.
type Checkpoint struct {
	// Config is config.json as read; decode it into a model's config struct
	// with DecodeJSON, and produce the bytes to write with MergeJSON.
	Config []byte
	// Tensors in name order (WriteCheckpoint accepts any order and shards
	// in that order).
	Tensors []Tensor

	// index maps names to positions in Tensors; it is rebuilt when it no
	// longer agrees with Tensors (the field is public and may change).
	index map[string]int
}

// Lookup returns the tensor called name.
func (c *Checkpoint) Lookup(name string) (*Tensor, bool) {
	if i, ok := c.index[name]; ok && i < len(c.Tensors) && c.Tensors[i].Name == name {
		return &c.Tensors[i], true
	}
	c.index = make(map[string]int, len(c.Tensors))
	for i := range c.Tensors {
		c.index[c.Tensors[i].Name] = i
	}
	if i, ok := c.index[name]; ok {
		return &c.Tensors[i], true
	}
	return nil, false
}

// Names lists the tensors in order.
func (c *Checkpoint) Names() []string {
	n := make([]string, len(c.Tensors))
	for i, t := range c.Tensors {
		n[i] = t.Name
	}
	return n
}

// Shape returns a tensor's shape.
func (c *Checkpoint) Shape(name string) ([]int, bool) {
	t, ok := c.Lookup(name)
	if !ok {
		return nil, false
	}
	return t.Shape, true
}

// Float32sInto copies a tensor's values into dst (one per element).
func (c *Checkpoint) Float32sInto(name string, dst []float32) error {
	t, ok := c.Lookup(name)
	if !ok {
		return fmt.Errorf("hf: checkpoint has no tensor %q", name)
	}
	if len(t.Data) != len(dst) {
		return fmt.Errorf("hf: tensor %q has %d values, want %d", name, len(t.Data), len(dst))
	}
	copy(dst, t.Data)
	return nil
}

// Shapes returns the shape of every tensor by name, for CheckKeys.
func (c *Checkpoint) Shapes() map[string][]int {
	m := make(map[string][]int, len(c.Tensors))
	for _, t := range c.Tensors {
		m[t.Name] = t.Shape
	}
	return m
}

// ReadConfig reads dir/config.json into v (see DecodeJSON) and returns the
// file's bytes for MergeJSON.
func ReadConfig(dir string, v any) ([]byte, error) {
	return ReadJSON(filepath.Join(dir, ConfigFile), v)
}

// ReadCheckpoint loads the checkpoint directory dir: config.json (which
// must be a JSON object) and every tensor of model.safetensors or of its
// shards (see OpenWeights), converted to float32. F32 data is copied
// straight from the memory map; F16 and BF16 widen exactly.
func ReadCheckpoint(dir string) (*Checkpoint, error) {
	var obj map[string]json.RawMessage
	cfg, err := ReadConfig(dir, &obj)
	if err != nil {
		return nil, fmt.Errorf("hf: %w", err)
	}
	w, err := OpenWeights(dir)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	tensors, err := w.ReadAll()
	if err != nil {
		return nil, err
	}
	return &Checkpoint{Config: cfg, Tensors: tensors}, nil
}

// ReadAll converts every tensor to float32, in name order. Tensors are
// converted in parallel (each by one goroutine, so results do not depend
// on scheduling).
func (w *Weights) ReadAll() ([]Tensor, error) {
	out := make([]Tensor, len(w.infos))
	errs := make([]error, len(w.infos))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(w.infos))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				info := w.infos[i]
				t := Tensor{Name: info.Name, DType: info.DType, Shape: slices.Clone(info.Shape), Data: make([]float32, info.NumElements())}
				errs[i] = w.Float32sInto(info.Name, t.Data)
				out[i] = t
			}
		}()
	}
	for i := range w.infos {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// isJSONObject reports whether data is one valid JSON object.
func isJSONObject(data []byte) bool {
	t := bytes.TrimSpace(data)
	return len(t) > 0 && t[0] == '{' && json.Valid(t)
}
