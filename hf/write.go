package hf

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/vlmtune/vlmtune/hf/internal/atomicfile"
	"github.com/vlmtune/vlmtune/hf/safetensors"
)

// WriteOptions controls WriteCheckpoint.
type WriteOptions struct {
	// MaxShardSize, when positive, splits the weights into shards of at
	// most this many bytes of tensor data (a bigger tensor gets a shard of
	// its own), as transformers' save_pretrained(max_shard_size=...) does,
	// plus model.safetensors.index.json. Weights that fit in one shard are
	// written as model.safetensors.
	MaxShardSize int64
	// DType, when set (F32, F16 or BF16), is the dtype of every
	// floating-point tensor; when empty each tensor keeps its own DType.
	// Integer tensors always keep theirs.
	DType safetensors.DType
	// Metadata is the safetensors "__metadata__" map; nil means
	// {"format": "pt"}, which transformers expects.
	Metadata map[string]string
	// ExtraFiles are copied into the directory under their base names:
	// tokenizer, preprocessor and generation config files (see AuxFiles).
	ExtraFiles []string
}

// shardPattern matches shard file names that WriteCheckpoint produces.
var shardPattern = regexp.MustCompile(`^model-\d{5}-of-\d{5}\.safetensors$`)

// WriteCheckpoint writes ck into dir (created if needed): config.json,
// the weights (model.safetensors, or shards and an index, see
// WriteOptions), and opts.ExtraFiles. Each file is replaced atomically;
// weight files of an earlier layout that the new one does not use (stale
// shards, or model.safetensors when sharding) are removed afterwards, so
// the directory never mixes two checkpoints.
func WriteCheckpoint(dir string, ck *Checkpoint, opts WriteOptions) error {
	if !isJSONObject(ck.Config) {
		return fmt.Errorf("hf: writing %s: the checkpoint's config is not a JSON object", dir)
	}
	switch opts.DType {
	case "", safetensors.F32, safetensors.F16, safetensors.BF16:
	default:
		return fmt.Errorf("hf: writing %s: dtype %q is not F32, F16 or BF16", dir, opts.DType)
	}
	for _, p := range opts.ExtraFiles {
		switch filepath.Base(p) {
		case ConfigFile, WeightsFile, WeightsIndex:
			return fmt.Errorf("hf: writing %s: extra file %s would replace the checkpoint's own %s", dir, p, filepath.Base(p))
		}
		if shardPattern.MatchString(filepath.Base(p)) {
			return fmt.Errorf("hf: writing %s: extra file %s would replace a weight shard", dir, p)
		}
	}
	st, sizes, err := toSafetensors(ck.Tensors, opts.DType)
	if err != nil {
		return fmt.Errorf("hf: writing %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("hf: %w", err)
	}
	meta := opts.Metadata
	if meta == nil {
		meta = map[string]string{"format": "pt"}
	}
	groups := planShards(sizes, opts.MaxShardSize)
	var keep []string
	if len(groups) <= 1 {
		if err := safetensors.Write(filepath.Join(dir, WeightsFile), st, meta); err != nil {
			return err
		}
		keep = []string{WeightsFile}
	} else {
		ix := &Index{WeightMap: map[string]string{}}
		for gi, g := range groups {
			name := fmt.Sprintf(shardNameFormat, gi+1, len(groups))
			shard := make([]safetensors.Tensor, len(g))
			for j, ti := range g {
				shard[j] = st[ti]
				ix.WeightMap[st[ti].Name] = name
				ix.Metadata.TotalSize += sizes[ti]
			}
			if err := safetensors.Write(filepath.Join(dir, name), shard, meta); err != nil {
				return err
			}
			keep = append(keep, name)
		}
		data, err := indexJSON(ix)
		if err != nil {
			return fmt.Errorf("hf: writing %s: %w", dir, err)
		}
		if err := atomicfile.WriteBytes(filepath.Join(dir, WeightsIndex), data); err != nil {
			return fmt.Errorf("hf: %w", err)
		}
		keep = append(keep, WeightsIndex)
	}
	if err := removeStale(dir, keep); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, ConfigFile), ck.Config); err != nil {
		return fmt.Errorf("hf: %w", err)
	}
	return CopyFiles(dir, opts.ExtraFiles)
}

// toSafetensors converts tensors for writing and returns each one's size
// in bytes. Names must be unique and data must match shapes.
func toSafetensors(tensors []Tensor, dtype safetensors.DType) ([]safetensors.Tensor, []int64, error) {
	out := make([]safetensors.Tensor, len(tensors))
	sizes := make([]int64, len(tensors))
	seen := make(map[string]bool, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		if seen[t.Name] {
			return nil, nil, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		seen[t.Name] = true
		if slices.ContainsFunc(t.Shape, func(d int) bool { return d < 0 }) {
			return nil, nil, fmt.Errorf("tensor %q: shape %v has a negative dimension", t.Name, t.Shape)
		}
		if n := t.NumElements(); n != len(t.Data) {
			return nil, nil, fmt.Errorf("tensor %q: shape %v has %d elements but Data has %d", t.Name, t.Shape, n, len(t.Data))
		}
		dt := t.DType
		switch {
		case dt == "":
			dt = safetensors.F32
		case dt.IsInteger():
			raw, err := integerBytes(t, dt)
			if err != nil {
				return nil, nil, err
			}
			out[i] = safetensors.Tensor{Name: t.Name, Shape: t.Shape, DType: dt, Raw: raw}
			sizes[i] = int64(len(raw))
			continue
		case !dt.IsFloat():
			return nil, nil, fmt.Errorf("tensor %q: cannot write dtype %s", t.Name, dt)
		}
		if dtype != "" {
			dt = dtype
		}
		out[i] = safetensors.Tensor{Name: t.Name, Shape: t.Shape, DType: dt, F32: t.Data}
		sizes[i] = int64(len(t.Data)) * int64(dt.Size())
	}
	return out, sizes, nil
}

// integerBytes encodes float32 values that hold integers as dtype dt.
func integerBytes(t *Tensor, dt safetensors.DType) ([]byte, error) {
	size := dt.Size()
	raw := make([]byte, len(t.Data)*size)
	lo, end := intRange(dt)
	for i, v := range t.Data {
		f := float64(v)
		if f != math.Trunc(f) || f < lo || f >= end {
			return nil, fmt.Errorf("tensor %q: element %d (%g) is not a %s value", t.Name, i, v, dt)
		}
		var u uint64
		if f < 0 {
			u = uint64(int64(f))
		} else {
			u = uint64(f)
		}
		for b := range size {
			raw[i*size+b] = byte(u >> (8 * b))
		}
	}
	return raw, nil
}

// intRange returns the smallest value of an integer dtype and one past its
// largest.
func intRange(dt safetensors.DType) (lo, end float64) {
	switch dt {
	case safetensors.BOOL:
		return 0, 2
	case safetensors.U8:
		return 0, 1 << 8
	case safetensors.I8:
		return -(1 << 7), 1 << 7
	case safetensors.I16:
		return -(1 << 15), 1 << 15
	case safetensors.U16:
		return 0, 1 << 16
	case safetensors.I32:
		return -(1 << 31), 1 << 31
	case safetensors.U32:
		return 0, 1 << 32
	case safetensors.U64:
		return 0, 1 << 64
	}
	return -(1 << 63), 1 << 63
}

// planShards groups tensor indices into shards as huggingface_hub's
// split_torch_state_dict_into_shards does: in the given order, a tensor
// bigger than max gets a shard of its own, and a shard is closed when the
// next tensor would take it over max. max <= 0 means one shard.
func planShards(sizes []int64, max int64) [][]int {
	if max <= 0 {
		all := make([]int, len(sizes))
		for i := range all {
			all[i] = i
		}
		return [][]int{all}
	}
	var groups [][]int
	var cur []int
	var curSize int64
	for i, s := range sizes {
		if s > max {
			groups = append(groups, []int{i})
			continue
		}
		if curSize+s > max {
			groups = append(groups, cur)
			cur, curSize = nil, 0
		}
		cur = append(cur, i)
		curSize += s
	}
	if len(cur) > 0 || len(groups) == 0 {
		groups = append(groups, cur)
	}
	return groups
}

// removeStale deletes weight files in dir that are not in keep.
func removeStale(dir string, keep []string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("hf: %w", err)
	}
	var errs []error
	for _, e := range ents {
		name := e.Name()
		if slices.Contains(keep, name) || e.IsDir() {
			continue
		}
		if name == WeightsFile || name == WeightsIndex || shardPattern.MatchString(name) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("hf: removing stale weight files: %w", err)
	}
	return nil
}
