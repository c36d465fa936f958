package hf

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/hf/safetensors"
)

// shardedDir writes a three-shard checkpoint (see
// TestShardedWriteReadsLikeUnsharded) and returns its directory and index.
func shardedDir(t *testing.T) (string, *Index) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ck")
	if err := WriteCheckpoint(dir, randomCheckpoint(4), WriteOptions{MaxShardSize: 9000}); err != nil {
		t.Fatal(err)
	}
	var ix Index
	if _, err := ReadJSON(filepath.Join(dir, WeightsIndex), &ix); err != nil {
		t.Fatal(err)
	}
	return dir, &ix
}

func writeIndex(t *testing.T, dir string, ix *Index) {
	t.Helper()
	b, err := json.Marshal(ix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, WeightsIndex), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBadCheckpointDirs(t *testing.T) {
	const s1, s2, s3 = "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors"
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string, ix *Index)
		want  []string
	}{
		{"missing shard", func(t *testing.T, dir string, ix *Index) {
			os.Remove(filepath.Join(dir, s2))
		}, []string{WeightsIndex, "names 1 shard files that do not exist", s2}},
		{"index entry not in its shard", func(t *testing.T, dir string, ix *Index) {
			ix.WeightMap["ghost.weight"] = s1
			writeIndex(t, dir, ix)
		}, []string{"1 index entries are missing from their shard: ghost.weight (in " + s1 + ")"}},
		{"shard tensor not in the index", func(t *testing.T, dir string, ix *Index) {
			delete(ix.WeightMap, "layer.b.weight")
			delete(ix.WeightMap, "layer.h.weight")
			writeIndex(t, dir, ix)
		}, []string{"2 shard tensors are not mapped", "layer.b.weight (in " + s1 + ", not in the index)", "layer.h.weight (in " + s3 + ", not in the index)"}},
		{"index maps to the wrong shard", func(t *testing.T, dir string, ix *Index) {
			ix.WeightMap["layer.e.weight"] = s1
			writeIndex(t, dir, ix)
		}, []string{"layer.e.weight (in " + s1 + ")", "layer.e.weight (in " + s2 + ", index says " + s1 + ")"}},
		{"shard outside the directory", func(t *testing.T, dir string, ix *Index) {
			ix.WeightMap["layer.a.weight"] = "../other/" + s1
			writeIndex(t, dir, ix)
		}, []string{"shard names must be plain file names", `"../other/` + s1 + `" (tensor "layer.a.weight")`}},
		{"malformed index", func(t *testing.T, dir string, ix *Index) {
			os.WriteFile(filepath.Join(dir, WeightsIndex), []byte("{\n  \"weight_map\": {\n    \"a\": \"x\"\n  \n"), 0o644)
		}, []string{WeightsIndex + ":5:1: unexpected end of file"}},
		{"index without weight_map", func(t *testing.T, dir string, ix *Index) {
			os.WriteFile(filepath.Join(dir, WeightsIndex), []byte(`{"metadata": {"total_size": 4}}`), 0o644)
		}, []string{WeightsIndex + ": missing required keys: weight_map"}},
		{"empty weight_map", func(t *testing.T, dir string, ix *Index) {
			os.WriteFile(filepath.Join(dir, WeightsIndex), []byte(`{"weight_map": {}}`), 0o644)
		}, []string{"weight_map: empty"}},
		{"no weights", func(t *testing.T, dir string, ix *Index) {
			os.Remove(filepath.Join(dir, WeightsIndex))
		}, []string{"has neither model.safetensors nor model.safetensors.index.json"}},
		{"pickle only", func(t *testing.T, dir string, ix *Index) {
			os.Remove(filepath.Join(dir, WeightsIndex))
			os.WriteFile(filepath.Join(dir, "pytorch_model.bin"), []byte("PK"), 0o644)
		}, []string{"pytorch_model.bin (PyTorch pickle)", "convert it to safetensors"}},
		{"config missing", func(t *testing.T, dir string, ix *Index) {
			os.Remove(filepath.Join(dir, ConfigFile))
		}, []string{ConfigFile, "no such file"}},
		{"config malformed", func(t *testing.T, dir string, ix *Index) {
			os.WriteFile(filepath.Join(dir, ConfigFile), []byte("{\n  \"model_type\": llama\n}\n"), 0o644)
		}, []string{ConfigFile + ":2:17: malformed JSON: invalid character 'l'"}},
		{"config not an object", func(t *testing.T, dir string, ix *Index) {
			os.WriteFile(filepath.Join(dir, ConfigFile), []byte("[]"), 0o644)
		}, []string{ConfigFile + ":1:1: got array, want an object"}},
		{"truncated shard", func(t *testing.T, dir string, ix *Index) {
			p := filepath.Join(dir, s3)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-10], 0o644)
		}, []string{s3, "run past the end", "truncated"}},
		{"shard header lies about a size", func(t *testing.T, dir string, ix *Index) {
			p := filepath.Join(dir, s1)
			b, _ := os.ReadFile(p)
			b = []byte(strings.Replace(string(b), `"shape":[32]`, `"shape":[31]`, 1))
			os.WriteFile(p, b, 0o644)
		}, []string{s1, `tensor "layer.b.weight": data_offsets`, "span 128 bytes but F32 × shape [31] needs 124"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, ix := shardedDir(t)
			c.setup(t, dir, ix)
			ck, err := ReadCheckpoint(dir)
			if err == nil {
				t.Fatalf("ReadCheckpoint succeeded with %d tensors", len(ck.Tensors))
			}
			t.Log(err)
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the directory", err)
			}
		})
	}
}

func TestSingleFilePreferredAndCorrupt(t *testing.T) {
	dir, _ := shardedDir(t)
	// A model.safetensors next to an index wins, as in transformers.
	if err := safetensors.Write(filepath.Join(dir, WeightsFile), []safetensors.Tensor{{Name: "only", DType: safetensors.F32, Shape: []int{1}, F32: []float32{7}}}, nil); err != nil {
		t.Fatal(err)
	}
	w, err := OpenWeights(dir)
	if err != nil {
		t.Fatal(err)
	}
	if w.Sharded() || len(w.Tensors()) != 1 || w.Files()[0] != WeightsFile {
		t.Errorf("opened %v (sharded %v)", w.Files(), w.Sharded())
	}
	if v, err := w.Float32s("only"); err != nil || v[0] != 7 {
		t.Errorf("Float32s = %v, %v", v, err)
	}
	if _, err := w.Float32s("layer.a.weight"); !errors.Is(err, safetensors.ErrNotFound) {
		t.Errorf("missing tensor: %v", err)
	}
	w.Close()
	os.WriteFile(filepath.Join(dir, WeightsFile), []byte{1, 2, 3}, 0o644)
	_, err = OpenWeights(dir)
	if !errors.Is(err, safetensors.ErrFormat) || !strings.Contains(err.Error(), filepath.Join(dir, WeightsFile)) {
		t.Errorf("corrupt model.safetensors: %v", err)
	}
}

func TestWeightsAccessors(t *testing.T) {
	dir, ix := shardedDir(t)
	w, err := OpenWeights(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if !w.Sharded() || len(w.Files()) != 3 || w.Dir() != dir || w.Metadata()["format"] != "pt" {
		t.Errorf("files %v, metadata %v", w.Files(), w.Metadata())
	}
	for name, shard := range ix.WeightMap {
		info, ok := w.Info(name)
		if !ok || info.File != shard {
			t.Errorf("%s: info %+v, want file %s", name, info, shard)
		}
	}
	dst := make([]float32, 32)
	if err := w.Float32sInto("layer.b.weight", dst); err != nil {
		t.Fatal(err)
	}
	if err := w.Float32sInto("layer.b.weight", dst[:3]); err == nil {
		t.Error("short destination accepted")
	}
	shapes := w.Shapes()
	if len(shapes) != len(ix.WeightMap) || len(shapes["layer.c.weight"]) != 3 {
		t.Errorf("shapes %v", shapes)
	}
}
