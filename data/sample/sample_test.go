package sample

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/data"
)

func examples(n int) []*data.Example {
	var out []*data.Example
	for i := 0; i < n; i++ {
		ex := &data.Example{ID: fmt.Sprintf("e%d", i), Index: i, Captions: []string{strings.Repeat("w ", i%7+1)}}
		ex.Meta.Source = []string{"a", "a", "a", "a", "a", "a", "b", "b", "c", "a"}[i%10]
		ex.Meta.Language = []string{"en", "de"}[i%2]
		if i%5 != 4 {
			ex.Meta.QualityScore, ex.Meta.HasQuality = float64(i%10)/10, true
		}
		out = append(out, ex)
	}
	return out
}

func TestFilter(t *testing.T) {
	exs := examples(20)
	got := Select(exs, Filter{MinQuality: 0.5, Languages: []string{"en"}})
	// quality i%10/10 >= 0.5 and even i, scored (i%5 != 4): 6, 8, 16, 18.
	if !reflect.DeepEqual(got, []int{6, 8, 16, 18}) {
		t.Errorf("filter = %v", got)
	}
	got = Select(exs, Filter{MinQuality: 0.85, KeepUnscored: true})
	if !reflect.DeepEqual(got, []int{4, 9, 14, 19}) { // 9 and 19 score 0.9; 4 and 14 are unscored
		t.Errorf("keep unscored = %v", got)
	}
	if len(Select(exs, Filter{})) != 20 {
		t.Error("empty filter dropped examples")
	}
}

func TestShuffle(t *testing.T) {
	s := Shuffle{Indices: All(50), Seed: 3}
	o0, o1 := s.Order(0), s.Order(1)
	if reflect.DeepEqual(o0, o1) || !reflect.DeepEqual(o0, s.Order(0)) {
		t.Error("epochs must differ and repeat")
	}
	sorted := slices.Clone(o0)
	sort.Ints(sorted)
	if !reflect.DeepEqual(sorted, All(50)) {
		t.Error("not a permutation")
	}
	if !reflect.DeepEqual(Shuffle{Indices: []int{3, 1, 2}, Sequential: true}.Order(5), []int{3, 1, 2}) {
		t.Error("sequential order changed")
	}
}

func TestBalanced(t *testing.T) {
	exs := examples(100) // sources: a 70, b 20, c 10
	b, err := NewBalanced(exs, All(100), BalancedOptions{Field: "source", PerEpoch: 30000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	names, sizes := b.Groups()
	if !reflect.DeepEqual(names, []string{"a", "b", "c"}) || !reflect.DeepEqual(sizes, []int{70, 20, 10}) {
		t.Fatalf("groups %v %v", names, sizes)
	}
	count := map[string]int{}
	for _, i := range b.Order(0) {
		count[exs[i].Meta.Source]++
	}
	// Uniform over groups: 10000 each; binomial sd ≈ 82, allow 5 sd.
	for _, g := range names {
		if math.Abs(float64(count[g])-10000) > 410 {
			t.Errorf("group %s drawn %d times, want about 10000", g, count[g])
		}
	}
	if !reflect.DeepEqual(b.Order(2), b.Order(2)) || reflect.DeepEqual(b.Order(2), b.Order(3)) {
		t.Error("balanced order not deterministic per epoch")
	}
	nat, _ := NewBalanced(exs, All(100), BalancedOptions{Field: "source", Alpha: 1, PerEpoch: 30000, Seed: 1})
	count = map[string]int{}
	for _, i := range nat.Order(0) {
		count[exs[i].Meta.Source]++
	}
	if math.Abs(float64(count["a"])-21000) > 400 || math.Abs(float64(count["c"])-3000) > 260 {
		t.Errorf("alpha 1 counts %v, want about 21000/6000/3000", count)
	}
}

func TestPacing(t *testing.T) {
	cases := []struct {
		p    Pacing
		t    int
		want float64
	}{
		{Pacing{Shape: "linear", Start: 0.2, Duration: 4}, 0, 0.2},
		{Pacing{Shape: "linear", Start: 0.2, Duration: 4}, 1, 0.4},
		{Pacing{Shape: "linear", Start: 0.2, Duration: 4}, 4, 1},
		{Pacing{Shape: "linear", Start: 0.2, Duration: 4}, 9, 1},
		{Pacing{Shape: "root", Start: 0.2, Duration: 4}, 2, math.Sqrt(0.04 + 0.96*0.5)},
		{Pacing{Shape: "step", Start: 0.2, Duration: 8, Stages: 4}, 1, 0.2},
		{Pacing{Shape: "step", Start: 0.2, Duration: 8, Stages: 4}, 2, 0.4},
		{Pacing{Shape: "step", Start: 0.2, Duration: 8, Stages: 4}, 7, 0.8},
	}
	for _, c := range cases {
		if got := c.p.Fraction(c.t); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%+v at %d = %v, want %v", c.p, c.t, got, c.want)
		}
	}
	for _, bad := range []Pacing{{Shape: "cubic", Start: 0.5, Duration: 1}, {Shape: "linear", Start: 0, Duration: 1}, {Shape: "root", Start: 0.5}} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestCurriculum(t *testing.T) {
	exs := examples(10)
	diff := ByQuality(exs) // easiest: highest score; 4 and 9 unscored are hardest
	c, err := NewCurriculum(All(10), diff, CurriculumOptions{Pacing: Pacing{Shape: "linear", Start: 0.3, Duration: 2}, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Sorted easiest first: 8 (0.8), 7, 6, 5, 3, 2, 1, 0, then 4, 9.
	e0 := c.Order(0)
	sort.Ints(e0)
	if !reflect.DeepEqual(e0, []int{6, 7, 8}) {
		t.Errorf("epoch 0 = %v, want the 3 easiest", e0)
	}
	if e1 := c.Order(1); len(e1) != 7 { // ceil(0.65 * 10)
		t.Errorf("epoch 1 has %d examples, want 7", len(e1))
	}
	if e2 := c.Order(2); len(e2) != 10 {
		t.Errorf("epoch 2 has %d examples", len(e2))
	}
	byLen := ByLength(exs, nil)
	if byLen[3] != 4 {
		t.Errorf("length difficulty %v", byLen)
	}
	// By step: 2 steps of batch 4 per epoch; step 0 draws from the easiest 3.
	cs, err := NewCurriculum(All(10), diff, CurriculumOptions{Pacing: Pacing{Shape: "linear", Start: 0.3, Duration: 4}, Seed: 5, StepsPerEpoch: 2, BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	o := cs.Order(0)
	if len(o) != 8 {
		t.Fatalf("by-step order length %d", len(o))
	}
	for _, i := range o[:4] {
		if i != 6 && i != 7 && i != 8 {
			t.Errorf("step 0 drew %d, not among the 3 easiest", i)
		}
	}
	if _, err := NewCurriculum(All(10), diff[:5], CurriculumOptions{Pacing: Pacing{Shape: "linear", Start: 0.3, Duration: 2}}); err == nil {
		t.Error("missing difficulty accepted")
	}
}

func TestLoadDifficulty(t *testing.T) {
	exs := examples(4)
	p := filepath.Join(t.TempDir(), "diff.jsonl")
	os.WriteFile(p, []byte(`{"id": "e0", "difficulty": 3}
{"index": 1, "difficulty": 0.5}

{"id": "e2", "difficulty": -1}
{"id": "unknown", "difficulty": 9}
`), 0o644)
	d, err := LoadDifficulty(p, exs)
	if err != nil {
		t.Fatal(err)
	}
	if d[0] != 3 || d[1] != 0.5 || d[2] != -1 || !math.IsNaN(d[3]) {
		t.Errorf("difficulties %v", d)
	}
	if _, err := NewCurriculum(All(4), d, CurriculumOptions{Pacing: Pacing{Shape: "root", Start: 0.5, Duration: 1}}); err == nil || !strings.Contains(err.Error(), "example 3 has no difficulty") {
		t.Errorf("uncovered example: %v", err)
	}
	os.WriteFile(p, []byte(`{"id": "e0"}`), 0o644)
	if _, err := LoadDifficulty(p, exs); err == nil || !strings.Contains(err.Error(), ":1: no \"difficulty\"") {
		t.Errorf("missing difficulty: %v", err)
	}
}

// clustered returns 16 embeddings in 4 tight clusters (members i, i+4,
// i+8, i+12 share cluster i), in dimension 4.
func clustered() [][]float32 {
	var out [][]float32
	for i := 0; i < 16; i++ {
		v := make([]float32, 4)
		v[i%4] = 1
		v[(i%4+1)%4] = 0.05 * float32(i/4)
		out = append(out, v)
	}
	return out
}

func TestHardNegatives(t *testing.T) {
	vecs := clustered()
	for _, pool := range []int{0, 8} {
		h, err := NewHardNegatives(All(16), vecs, HardNegativeOptions{BatchSize: 4, Seed: 9, Pool: pool})
		if err != nil {
			t.Fatal(err)
		}
		bs := h.Batches(0)
		if len(bs) != 4 {
			t.Fatalf("pool %d: %d batches", pool, len(bs))
		}
		if pool == 0 {
			for _, b := range bs {
				for _, i := range b {
					if i%4 != b[0]%4 {
						t.Errorf("batch %v mixes clusters", b)
					}
				}
			}
		}
		if !reflect.DeepEqual(h.Order(1), h.Order(1)) {
			t.Error("not deterministic")
		}
		all := h.Order(3)
		sort.Ints(all)
		if !reflect.DeepEqual(all, All(16)) {
			t.Errorf("pool %d: not every example placed once: %v", pool, all)
		}
	}
	h, _ := NewHardNegatives(All(10), vecs, HardNegativeOptions{BatchSize: 4, Seed: 1})
	bs := h.Batches(2)
	if len(bs) != 3 || len(bs[2]) != 2 {
		t.Errorf("partial batch not last: %v", bs)
	}
	if _, err := NewHardNegatives(All(3), [][]float32{{1, 0}, {0, 1}, {0, 0}}, HardNegativeOptions{BatchSize: 2}); err == nil {
		t.Error("zero embedding accepted")
	}
}

func TestLoadEmbeddings(t *testing.T) {
	dir := t.TempDir()
	exs := examples(3)
	exs[2].Index = 4 // a bad record was skipped before it: rows follow Index
	rows := [][]float32{{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}}

	// .npy version 1.0 per NEP 1: magic, version, header length, header
	// padded with spaces to a multiple of 64 and ended by '\n', then data.
	header := "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 2), }"
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	npy := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	npy = append(npy, header...)
	for _, r := range rows {
		for _, x := range r {
			npy = binary.LittleEndian.AppendUint32(npy, math.Float32bits(x))
		}
	}
	os.WriteFile(filepath.Join(dir, "e.npy"), npy, 0o644)

	// safetensors: u64 header length, JSON header, F64 data.
	var body []byte
	for _, r := range rows {
		for _, x := range r {
			body = binary.LittleEndian.AppendUint64(body, math.Float64bits(float64(x)))
		}
	}
	hdr, _ := json.Marshal(map[string]any{"__metadata__": map[string]string{"format": "pt"}, "emb": map[string]any{"dtype": "F64", "shape": []int{5, 2}, "data_offsets": []int{0, len(body)}}})
	st := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	st = append(append(st, hdr...), body...)
	os.WriteFile(filepath.Join(dir, "e.safetensors"), st, 0o644)

	os.WriteFile(filepath.Join(dir, "e.jsonl"), []byte(`{"id": "e0", "embedding": [1, 2]}
{"index": 1, "embedding": [3, 4]}
{"id": "e2", "embedding": [9, 10]}
`), 0o644)

	want := [][]float32{{1, 2}, {3, 4}, {9, 10}}
	for _, name := range []string{"e.npy", "e.safetensors", "e.jsonl"} {
		got, err := LoadEmbeddings(filepath.Join(dir, name), exs, "")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, %v", name, got, err)
		}
	}
	if _, err := LoadEmbeddings(filepath.Join(dir, "e.safetensors"), exs, "nope"); err == nil {
		t.Error("unknown tensor accepted")
	}
	if halfToFloat(0x3c00) != 1 || halfToFloat(0xc000) != -2 || halfToFloat(0x0001) != float32(math.Pow(2, -24)) {
		t.Error("half conversion")
	}
}
