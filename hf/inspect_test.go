package hf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

func TestInspectFixture(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	s, err := Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Config
	if c == nil || c.ModelType != "clip" || c.Architectures[0] != "CLIPModel" || c.TorchDType != "float32" || len(c.Sections) != 3 {
		t.Fatalf("config summary %+v", c)
	}
	var text []string
	for _, f := range c.Sections[1].Fields {
		text = append(text, f.Key+"="+string(f.Value))
	}
	// clip_tiny/config.json text_config, in summaryKeys order.
	want := `model_type="clip_text_model" hidden_size=64 intermediate_size=128 num_hidden_layers=2 num_attention_heads=4 vocab_size=1000 max_position_embeddings=16`
	if c.Sections[1].Name != "text_config" || strings.Join(text, " ") != want {
		t.Errorf("text_config section %s: %s", c.Sections[1].Name, strings.Join(text, " "))
	}
	w, err := OpenWeights(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var params, bytes int64
	for _, ti := range w.Tensors() {
		params += ti.NumElements()
		bytes += ti.NumBytes()
	}
	if s.Totals.Tensors != 78 || s.Totals.Params != params || s.Totals.Bytes != bytes || len(s.Totals.ByDType) != 1 || s.Totals.ByDType[0].Params != params {
		t.Errorf("totals %+v, want 78 tensors, %d params, %d bytes", s.Totals, params, bytes)
	}
	if s.Sharded || s.Files[0] != WeightsFile || s.Metadata["format"] != "pt" || s.Tensors[0].Name != "logit_scale" || s.Tensors[0].File != "" {
		t.Errorf("summary %+v", s)
	}
}

func TestInspectShardedAndFile(t *testing.T) {
	dir, ix := shardedDir(t)
	s, err := Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Sharded || len(s.Files) != 3 || len(s.Tensors) != len(ix.WeightMap) || s.Config.ModelType != "test" {
		t.Fatalf("summary %+v", s)
	}
	for _, ts := range s.Tensors {
		if ts.File != ix.WeightMap[ts.Name] {
			t.Errorf("%s in %s, index says %s", ts.Name, ts.File, ix.WeightMap[ts.Name])
		}
	}
	if len(s.Totals.ByDType) != 2 || s.Totals.ByDType[0].DType != "F32" || s.Totals.ByDType[1].DType != "I64" || s.Totals.ByDType[1].Tensors != 1 {
		t.Errorf("by dtype %+v", s.Totals.ByDType)
	}
	if viaIndex, err := Inspect(filepath.Join(dir, WeightsIndex)); err != nil || viaIndex.Path != dir || len(viaIndex.Tensors) != len(s.Tensors) {
		t.Errorf("inspecting the index file: %v", err)
	}
	one := filepath.Join(dir, s.Files[0])
	fs, err := Inspect(one)
	if err != nil || fs.Config != nil || fs.Sharded || len(fs.Tensors) == 0 || fs.Files[0] != filepath.Base(one) {
		t.Errorf("single file: %+v, %v", fs, err)
	}
	if _, err := Inspect(filepath.Join(dir, "nope")); err == nil {
		t.Error("inspecting a missing path succeeded")
	}
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("{\"a\": }"), 0o644)
	if _, err := Inspect(dir); err == nil || !strings.Contains(err.Error(), "config.json:1:7: malformed JSON") {
		t.Errorf("malformed config: %v", err)
	}
	os.Remove(filepath.Join(dir, ConfigFile))
	if s, err := Inspect(dir); err != nil || s.Config != nil {
		t.Errorf("without config: %+v, %v", s, err)
	}
}
