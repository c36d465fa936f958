package tokenizer

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

type clipTinyExpected struct {
	Texts         []string `json:"texts"`
	InputIDs      [][]int  `json:"input_ids"`
	AttentionMask [][]int  `json:"attention_mask"`
}

// TestCLIPTinyMatchesTransformers loads the truncated 1000-token CLIP
// tokenizer of the clip_tiny fixture (vocab.json + merges.txt +
// tokenizer_config.json) and reproduces the input_ids and attention_mask
// that transformers stored in reference.safetensors, copied into
// testdata/clip_tiny_expected.json.
func TestCLIPTinyMatchesTransformers(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	var want clipTinyExpected
	data, err := os.ReadFile("testdata/clip_tiny_expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	checkSafetensorsInts(t, dir+"/reference.safetensors", "input_ids", want.InputIDs)
	checkSafetensorsInts(t, dir+"/reference.safetensors", "attention_mask", want.AttentionMask)

	tk, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tk.ModelMaxLength() != 16 || tk.PadID() != 999 {
		t.Errorf("ModelMaxLength %d, PadID %d; want 16 and 999 from tokenizer_config.json", tk.ModelMaxLength(), tk.PadID())
	}
	sp := tk.SpecialIDs()
	if sp.BOS != 998 || sp.EOS != 999 || sp.PAD != 999 || sp.UNK != 999 {
		t.Errorf("SpecialIDs %+v", sp)
	}
	encs := tk.EncodeBatch(want.Texts, EncodeOptions{MaxLength: 16, Truncation: true, Padding: PadMaxLength, AddSpecialTokens: true})
	for i, e := range encs {
		if !slices.Equal(e.IDs, want.InputIDs[i]) {
			t.Errorf("text %d ids\n got %v\nwant %v", i, e.IDs, want.InputIDs[i])
		}
		if !slices.Equal(e.AttentionMask, want.AttentionMask[i]) {
			t.Errorf("text %d mask\n got %v\nwant %v", i, e.AttentionMask, want.AttentionMask[i])
		}
	}
	// MaxLength 0 falls back to model_max_length.
	again := tk.EncodeBatch(want.Texts, EncodeOptions{Truncation: true, Padding: PadMaxLength, AddSpecialTokens: true})
	for i := range again {
		if !slices.Equal(again[i].IDs, encs[i].IDs) {
			t.Errorf("text %d: MaxLength 0 gave %v", i, again[i].IDs)
		}
	}
}

// checkSafetensorsInts reads an int64 tensor from a safetensors file (an
// 8-byte little-endian header length, a JSON header, raw data) and compares
// it with want, so that the testdata copy cannot drift from the fixture.
func checkSafetensorsInts(t *testing.T, path, name string, want [][]int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw)
	var header map[string]struct {
		Dtype   string `json:"dtype"`
		Shape   []int  `json:"shape"`
		Offsets [2]int `json:"data_offsets"`
	}
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	h, ok := header[name]
	if !ok || h.Dtype != "I64" || len(h.Shape) != 2 {
		t.Fatalf("%s: tensor %s missing or not a 2-D int64 tensor", path, name)
	}
	data := raw[8+int(n)+h.Offsets[0] : 8+int(n)+h.Offsets[1]]
	for i := 0; i < h.Shape[0]; i++ {
		for j := 0; j < h.Shape[1]; j++ {
			v := int(int64(binary.LittleEndian.Uint64(data[8*(i*h.Shape[1]+j):])))
			if i >= len(want) || j >= len(want[i]) || want[i][j] != v {
				t.Fatalf("testdata copy of %s differs from %s at [%d][%d]", name, path, i, j)
			}
		}
	}
}
