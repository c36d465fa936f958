package hf

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/internal/testutil"
)

// fixtureModels are the fixture folders holding a config.json and a
// model.safetensors.
var fixtureModels = []string{"blip_tiny", "clip_tiny", "llava_tiny", "siglip_tiny", "lora_llama_tiny/base"}

func TestReadFixtureCheckpoints(t *testing.T) {
	root := testutil.Fixture(t, "hf-parity")
	for _, name := range fixtureModels {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, name)
			ck, err := ReadCheckpoint(dir)
			if err != nil {
				t.Fatal(err)
			}
			f, err := safetensors.Open(filepath.Join(dir, WeightsFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if len(ck.Tensors) != len(f.Tensors()) {
				t.Fatalf("%d tensors, file has %d", len(ck.Tensors), len(f.Tensors()))
			}
			if !slices.IsSortedFunc(ck.Tensors, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) }) {
				t.Error("tensors are not sorted by name")
			}
			for _, tt := range ck.Tensors {
				want, err := f.Float32s(tt.Name)
				if err != nil {
					t.Fatal(err)
				}
				if tt.DType != safetensors.F32 || !bitsEqual(tt.Data, want) {
					t.Fatalf("%s differs from the file", tt.Name)
				}
			}
			if !bytes.HasPrefix(ck.Config, []byte("{")) {
				t.Errorf("config %q", ck.Config)
			}
		})
	}
}

// TestFixtureGradsMatchModelKeys uses CheckKeys on real data: the fixtures'
// grads.safetensors hold d(loss)/d(param) for every parameter, except
// llava_tiny, whose manifest says vision layer 1 and post_layernorm get no
// gradient.
func TestFixtureGradsMatchModelKeys(t *testing.T) {
	root := testutil.Fixture(t, "hf-parity")
	for _, name := range []string{"blip_tiny", "clip_tiny", "siglip_tiny", "llava_tiny"} {
		w, err := OpenWeights(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		g, err := safetensors.Open(filepath.Join(root, name, "grads.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]int{}
		for _, ti := range g.Tensors() {
			got[ti.Name] = ti.Shape
		}
		err = CheckKeys(w.Shapes(), got)
		if name != "llava_tiny" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		} else {
			var ke *KeyError
			if !errors.As(err, &ke) || len(ke.Unexpected) != 0 || len(ke.Mismatched) != 0 || len(ke.Missing) == 0 {
				t.Fatalf("llava_tiny: %v", err)
			}
			for _, m := range ke.Missing {
				if !strings.Contains(m, "vision_tower.vision_model.encoder.layers.1.") && !strings.Contains(m, "vision_tower.vision_model.post_layernorm.") {
					t.Errorf("llava_tiny: unexpectedly missing gradient for %s", m)
				}
			}
		}
		w.Close()
		g.Close()
	}
	// The merged LoRA models have the base models' keys and shapes.
	for _, c := range [][2]string{{"lora_clip_tiny/merged_model.safetensors", "clip_tiny"}, {"lora_llama_tiny/merged_model.safetensors", "lora_llama_tiny/base"}} {
		m, err := safetensors.Open(filepath.Join(root, c[0]))
		if err != nil {
			t.Fatal(err)
		}
		w, err := OpenWeights(filepath.Join(root, c[1]))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]int{}
		for _, ti := range m.Tensors() {
			got[ti.Name] = ti.Shape
		}
		if err := CheckKeys(w.Shapes(), got); err != nil {
			t.Errorf("%s vs %s: %v", c[0], c[1], err)
		}
		m.Close()
		w.Close()
	}
}

func bitsEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestWriteFixtureCheckpointIdentical writes each fixture checkpoint back:
// model.safetensors and config.json come out byte-identical to the
// originals, and the auxiliary files are copied.
func TestWriteFixtureCheckpointIdentical(t *testing.T) {
	root := testutil.Fixture(t, "hf-parity")
	for _, name := range fixtureModels {
		src := filepath.Join(root, name)
		ck, err := ReadCheckpoint(src)
		if err != nil {
			t.Fatal(err)
		}
		aux, err := AuxFiles(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(t.TempDir(), "out")
		if err := WriteCheckpoint(dst, ck, WriteOptions{ExtraFiles: aux}); err != nil {
			t.Fatal(err)
		}
		for _, f := range append([]string{WeightsFile, ConfigFile}, baseNames(aux)...) {
			a, _ := os.ReadFile(filepath.Join(src, f))
			b, err := os.ReadFile(filepath.Join(dst, f))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("%s/%s: written copy differs (%v)", name, f, err)
			}
		}
		ents, _ := os.ReadDir(dst)
		if len(ents) != 2+len(aux) {
			t.Errorf("%s: %d files written, want %d", name, len(ents), 2+len(aux))
		}
	}
}

func baseNames(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, filepath.Base(p))
	}
	return out
}

func randomCheckpoint(seed uint64) *Checkpoint {
	r := rand.New(rand.NewPCG(seed, 7))
	ck := &Checkpoint{Config: []byte("{\n  \"model_type\": \"test\"\n}\n")}
	shapes := [][]int{{64, 32}, {32}, {7, 3, 5}, {}, {1000}, {0, 5}, {128, 16}, {9}}
	for i, s := range shapes {
		t := Tensor{Name: "layer." + string(rune('a'+i)) + ".weight", Shape: s}
		t.Data = make([]float32, t.NumElements())
		for j := range t.Data {
			t.Data[j] = float32(r.NormFloat64())
		}
		ck.Tensors = append(ck.Tensors, t)
	}
	ck.Tensors = append(ck.Tensors, Tensor{Name: "position_ids", DType: safetensors.I64, Shape: []int{1, 4}, Data: []float32{0, 1, 2, 3}})
	return ck
}

func TestShardedWriteReadsLikeUnsharded(t *testing.T) {
	ck := randomCheckpoint(1)
	single := filepath.Join(t.TempDir(), "single")
	sharded := filepath.Join(t.TempDir(), "sharded")
	if err := WriteCheckpoint(single, ck, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	const max = 9000
	if err := WriteCheckpoint(sharded, ck, WriteOptions{MaxShardSize: max}); err != nil {
		t.Fatal(err)
	}
	a, err := ReadCheckpoint(single)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadCheckpoint(sharded)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Tensors) != len(ck.Tensors) || len(b.Tensors) != len(a.Tensors) {
		t.Fatalf("%d and %d tensors, want %d", len(a.Tensors), len(b.Tensors), len(ck.Tensors))
	}
	for i := range a.Tensors {
		ta, tb := a.Tensors[i], b.Tensors[i]
		orig, _ := ck.Lookup(ta.Name)
		if ta.Name != tb.Name || !slices.Equal(ta.Shape, tb.Shape) || !bitsEqual(ta.Data, tb.Data) || !bitsEqual(ta.Data, orig.Data) || ta.DType != tb.DType {
			t.Errorf("tensor %s differs between single, sharded and original", ta.Name)
		}
	}
	// The index: sorted keys, two-space indent, total_size = data bytes,
	// every shard within the limit unless it holds one bigger tensor.
	raw, err := os.ReadFile(filepath.Join(sharded, WeightsIndex))
	if err != nil {
		t.Fatal(err)
	}
	var ix Index
	if err := json.Unmarshal(raw, &ix); err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	json.Indent(&indented, raw, "", "  ")
	if !bytes.HasPrefix(raw, []byte("{\n  \"metadata\": {\n    \"total_size\": ")) || !bytes.HasSuffix(raw, []byte("}\n")) {
		t.Errorf("index layout:\n%s", raw)
	}
	var total int64
	shardBytes := map[string]int64{}
	for _, tt := range ck.Tensors {
		size := int64(len(tt.Data)) * 4
		if tt.DType == safetensors.I64 {
			size *= 2
		}
		total += size
		shardBytes[ix.WeightMap[tt.Name]] += size
	}
	if ix.Metadata.TotalSize != total {
		t.Errorf("total_size %d, want %d", ix.Metadata.TotalSize, total)
	}
	shards := ix.Shards()
	if len(shards) != 3 { // [a b c d] [e f] [g h position_ids]
		t.Errorf("shards %v, want 3", shards)
	}
	for i, s := range shards {
		if want := "model-0000" + string(rune('1'+i)) + "-of-00003.safetensors"; s != want {
			t.Errorf("shard %d is %s, want %s", i, s, want)
		}
		if shardBytes[s] > max && len(shardTensors(ix, s)) > 1 {
			t.Errorf("shard %s holds %d bytes in %d tensors, over the %d limit", s, shardBytes[s], len(shardTensors(ix, s)), max)
		}
	}
	// Rewriting as one file removes the shards and the index, and back.
	if err := WriteCheckpoint(sharded, ck, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, sharded); !slices.Equal(names, []string{ConfigFile, WeightsFile}) {
		t.Errorf("after rewriting unsharded: %v", names)
	}
	if err := WriteCheckpoint(sharded, ck, WriteOptions{MaxShardSize: 20000}); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, sharded); !slices.Equal(names, []string{ConfigFile, "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", WeightsIndex}) {
		t.Errorf("after rewriting sharded: %v", names)
	}
}

func shardTensors(ix Index, shard string) []string {
	var out []string
	for n, s := range ix.WeightMap {
		if s == shard {
			out = append(out, n)
		}
	}
	return out
}

func dirNames(t *testing.T, dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestPlanShards(t *testing.T) {
	// Expected groups follow huggingface_hub v0.24.7
	// split_torch_state_dict_into_shards (serialization/_base.py).
	cases := []struct {
		sizes []int64
		max   int64
		want  [][]int
	}{
		{[]int64{1, 2, 3}, 0, [][]int{{0, 1, 2}}},
		{[]int64{4, 4, 4}, 8, [][]int{{0, 1}, {2}}},
		{[]int64{4, 20, 4}, 8, [][]int{{1}, {0, 2}}},
		{[]int64{8, 1}, 8, [][]int{{0}, {1}}},
		{[]int64{}, 8, [][]int{nil}},
	}
	for _, c := range cases {
		if got := planShards(c.sizes, c.max); !slices.EqualFunc(got, c.want, slices.Equal) {
			t.Errorf("planShards(%v, %d) = %v, want %v", c.sizes, c.max, got, c.want)
		}
	}
}

func TestHalfPrecisionCheckpoint(t *testing.T) {
	ck := randomCheckpoint(2)
	for _, dt := range []safetensors.DType{safetensors.F16, safetensors.BF16} {
		dir := filepath.Join(t.TempDir(), string(dt))
		if err := WriteCheckpoint(dir, ck, WriteOptions{DType: dt}); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCheckpoint(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range back.Tensors {
			orig, _ := ck.Lookup(tt.Name)
			if tt.Name == "position_ids" {
				if tt.DType != safetensors.I64 || !slices.Equal(tt.Data, orig.Data) {
					t.Errorf("%s: position_ids became %s %v", dt, tt.DType, tt.Data)
				}
				continue
			}
			if tt.DType != dt {
				t.Errorf("%s: %s read back as %s", dt, tt.Name, tt.DType)
			}
			for i, v := range orig.Data {
				want := safetensors.F16ToF32(safetensors.F32ToF16(v))
				if dt == safetensors.BF16 {
					want = safetensors.BF16ToF32(safetensors.F32ToBF16(v))
				}
				if tt.Data[i] != want {
					t.Fatalf("%s: %s[%d] = %g, want %g", dt, tt.Name, i, tt.Data[i], want)
				}
			}
		}
		// Writing what was read, keeping dtypes, reproduces the file.
		again := filepath.Join(t.TempDir(), "again")
		if err := WriteCheckpoint(again, back, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(filepath.Join(dir, WeightsFile))
		b, _ := os.ReadFile(filepath.Join(again, WeightsFile))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: rewrite is not bit-identical", dt)
		}
	}
}

func TestWriteCheckpointErrors(t *testing.T) {
	good := func() *Checkpoint { return randomCheckpoint(3) }
	dir := t.TempDir()
	extra := filepath.Join(dir, "src", ConfigFile)
	os.MkdirAll(filepath.Dir(extra), 0o755)
	os.WriteFile(extra, []byte("{}"), 0o644)
	cases := []struct {
		name string
		ck   *Checkpoint
		opts WriteOptions
		want string
	}{
		{"config not object", &Checkpoint{Config: []byte("[1]")}, WriteOptions{}, "config is not a JSON object"},
		{"config missing", &Checkpoint{}, WriteOptions{}, "config is not a JSON object"},
		{"bad dtype", good(), WriteOptions{DType: safetensors.I8}, `dtype "I8" is not F32, F16 or BF16`},
		{"duplicate", func() *Checkpoint { c := good(); c.Tensors = append(c.Tensors, c.Tensors[0]); return c }(), WriteOptions{}, `"layer.a.weight" appears twice`},
		{"data mismatch", func() *Checkpoint { c := good(); c.Tensors[1].Data = c.Tensors[1].Data[1:]; return c }(), WriteOptions{}, "shape [32] has 32 elements but Data has 31"},
		{"non-integer in I64", func() *Checkpoint { c := good(); c.Tensors[len(c.Tensors)-1].Data[2] = 2.5; return c }(), WriteOptions{}, "element 2 (2.5) is not a I64 value"},
		{"extra replaces config", good(), WriteOptions{ExtraFiles: []string{extra}}, "would replace the checkpoint's own config.json"},
		{"extra missing", good(), WriteOptions{ExtraFiles: []string{filepath.Join(dir, "nope.json")}}, "nope.json"},
	}
	for _, c := range cases {
		err := WriteCheckpoint(filepath.Join(dir, "out-"+strings.ReplaceAll(c.name, " ", "-")), c.ck, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}
