package hf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vlmtune/vlmtune/hf/safetensors"
)

// File names of a Hugging Face checkpoint directory.
const (
	ConfigFile      = "config.json"
	WeightsFile     = "model.safetensors"
	WeightsIndex    = "model.safetensors.index.json"
	shardNameFormat = "model-%05d-of-%05d.safetensors"
)

// Index is the content of model.safetensors.index.json: which shard file
// holds each tensor.
type Index struct {
	Metadata IndexMetadata `json:"metadata"`
	// WeightMap maps each tensor name to the base name of its shard file.
	WeightMap map[string]string `json:"weight_map" hf:"required"`
}

// IndexMetadata is the "metadata" object of an index; TotalSize is the sum
// of the tensors' data sizes in bytes.
type IndexMetadata struct {
	TotalSize int64 `json:"total_size"`
}

// Validate checks that the index names at least one tensor and only plain
// file names (no directories) as shards.
func (ix *Index) Validate() error {
	if len(ix.WeightMap) == 0 {
		return errors.New("weight_map: empty, want tensor name → shard file")
	}
	var bad []string
	for name, shard := range ix.WeightMap {
		if shard == "" || shard == "." || shard == ".." || strings.ContainsAny(shard, `/\`) {
			bad = append(bad, fmt.Sprintf("%q (tensor %q)", shard, name))
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return fmt.Errorf("weight_map: shard names must be plain file names in the same directory: %s", strings.Join(bad, ", "))
	}
	return nil
}

// Shards returns the distinct shard file names, sorted.
func (ix *Index) Shards() []string {
	var out []string
	for _, s := range ix.WeightMap {
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// WeightInfo describes one tensor of a checkpoint and the file holding it.
type WeightInfo struct {
	safetensors.TensorInfo
	// File is the base name of the safetensors file holding the tensor.
	File string
}

// Weights is the open set of safetensors files of a checkpoint directory
// (model.safetensors, or the shards listed by model.safetensors.index.json),
// validated against each other. Tensors are read on demand from read-only
// memory maps; Close releases them.
type Weights struct {
	dir     string
	files   []*safetensors.File
	names   []string     // base names, parallel to files
	infos   []WeightInfo // sorted by name
	byName  map[string]int
	sharded bool
}

// OpenWeights opens the weights of the checkpoint directory dir: its
// model.safetensors if present (as transformers prefers it), else the shards
// named by model.safetensors.index.json. For a sharded checkpoint every
// shard must exist, every index entry must be in its shard and every shard
// tensor in the index; one error lists every violation.
func OpenWeights(dir string) (*Weights, error) {
	single := filepath.Join(dir, WeightsFile)
	if _, err := os.Stat(single); err == nil {
		f, err := safetensors.Open(single)
		if err != nil {
			return nil, err
		}
		w := &Weights{dir: dir, files: []*safetensors.File{f}, names: []string{WeightsFile}}
		w.build(nil)
		return w, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("hf: %w", err)
	}
	indexPath := filepath.Join(dir, WeightsIndex)
	var ix Index
	if _, err := ReadJSON(indexPath, &ix); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, noWeightsError(dir)
		}
		return nil, fmt.Errorf("hf: %w", err)
	}
	return openShards(dir, &ix)
}

func noWeightsError(dir string) error {
	for _, pickle := range []string{"pytorch_model.bin", "pytorch_model.bin.index.json"} {
		if _, err := os.Stat(filepath.Join(dir, pickle)); err == nil {
			return fmt.Errorf("hf: %s holds %s (PyTorch pickle), which vlmtune does not read: convert it to safetensors first (transformers: model.save_pretrained(dir, safe_serialization=True))", dir, pickle)
		}
	}
	return fmt.Errorf("hf: %s has neither %s nor %s: not a Hugging Face checkpoint directory", dir, WeightsFile, WeightsIndex)
}

func openShards(dir string, ix *Index) (*Weights, error) {
	indexPath := filepath.Join(dir, WeightsIndex)
	shards := ix.Shards()
	var missing []string
	for _, s := range shards {
		if _, err := os.Stat(filepath.Join(dir, s)); err != nil {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("hf: %s names %d shard files that do not exist in %s: %s", indexPath, len(missing), dir, strings.Join(missing, ", "))
	}
	w := &Weights{dir: dir, sharded: true}
	for _, s := range shards {
		f, err := safetensors.Open(filepath.Join(dir, s))
		if err != nil {
			w.Close()
			return nil, err
		}
		w.files = append(w.files, f)
		w.names = append(w.names, s)
	}
	var problems []string
	// Index entries that are not in their shard.
	var notInShard []string
	for name, s := range ix.WeightMap {
		i := slices.Index(w.names, s)
		if _, err := w.files[i].Info(name); err != nil {
			notInShard = append(notInShard, fmt.Sprintf("%s (in %s)", name, s))
		}
	}
	if len(notInShard) > 0 {
		slices.Sort(notInShard)
		problems = append(problems, fmt.Sprintf("%d index entries are missing from their shard: %s", len(notInShard), strings.Join(notInShard, ", ")))
	}
	// Shard tensors the index does not assign to that shard.
	var unlisted []string
	for i, f := range w.files {
		for _, t := range f.Tensors() {
			switch s, ok := ix.WeightMap[t.Name]; {
			case !ok:
				unlisted = append(unlisted, fmt.Sprintf("%s (in %s, not in the index)", t.Name, w.names[i]))
			case s != w.names[i]:
				unlisted = append(unlisted, fmt.Sprintf("%s (in %s, index says %s)", t.Name, w.names[i], s))
			}
		}
	}
	if len(unlisted) > 0 {
		slices.Sort(unlisted)
		problems = append(problems, fmt.Sprintf("%d shard tensors are not mapped to their shard by the index: %s", len(unlisted), strings.Join(unlisted, ", ")))
	}
	if len(problems) > 0 {
		w.Close()
		return nil, fmt.Errorf("hf: %s does not match its shards: %s", indexPath, strings.Join(problems, "; "))
	}
	w.build(ix.WeightMap)
	return w, nil
}

// build fills infos and byName from the files.
func (w *Weights) build(weightMap map[string]string) {
	w.byName = map[string]int{}
	for i, f := range w.files {
		for _, t := range f.Tensors() {
			w.infos = append(w.infos, WeightInfo{TensorInfo: t, File: w.names[i]})
		}
	}
	slices.SortFunc(w.infos, func(a, b WeightInfo) int { return strings.Compare(a.Name, b.Name) })
	for i, t := range w.infos {
		w.byName[t.Name] = i
	}
}

// Dir returns the checkpoint directory.
func (w *Weights) Dir() string { return w.dir }

// Sharded reports whether the weights come from an index and shards.
func (w *Weights) Sharded() bool { return w.sharded }

// Files returns the base names of the safetensors files, sorted.
func (w *Weights) Files() []string { return slices.Clone(w.names) }

// Metadata returns the "__metadata__" map of the first file.
func (w *Weights) Metadata() map[string]string { return w.files[0].Metadata() }

// Tensors returns every tensor, sorted by name.
func (w *Weights) Tensors() []WeightInfo { return w.infos }

// Info returns the tensor called name.
func (w *Weights) Info(name string) (WeightInfo, bool) {
	i, ok := w.byName[name]
	if !ok {
		return WeightInfo{}, false
	}
	return w.infos[i], true
}

// Shapes returns the shape of every tensor by name, for CheckKeys.
func (w *Weights) Shapes() map[string][]int {
	m := make(map[string][]int, len(w.infos))
	for _, t := range w.infos {
		m[t.Name] = t.Shape
	}
	return m
}

func (w *Weights) file(name string) (*safetensors.File, error) {
	i, ok := w.byName[name]
	if !ok {
		return nil, fmt.Errorf("hf: %s: tensor %q: %w", w.dir, name, safetensors.ErrNotFound)
	}
	return w.files[slices.Index(w.names, w.infos[i].File)], nil
}

// Float32s returns the tensor called name converted to float32 (see
// safetensors.File.Float32s).
func (w *Weights) Float32s(name string) ([]float32, error) {
	f, err := w.file(name)
	if err != nil {
		return nil, err
	}
	return f.Float32s(name)
}

// Float32sInto converts the tensor called name into dst, which must have
// exactly as many elements.
func (w *Weights) Float32sInto(name string, dst []float32) error {
	f, err := w.file(name)
	if err != nil {
		return err
	}
	return f.Float32sInto(name, dst)
}

// Close releases every file's memory map.
func (w *Weights) Close() error {
	var errs []error
	for _, f := range w.files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// indexJSON encodes an index as transformers writes it: sorted keys, two
// spaces, final newline.
func indexJSON(ix *Index) ([]byte, error) {
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
