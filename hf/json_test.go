package hf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

// clipLike is a CLIP-style config with nested towers, used to test the
// decode/merge mechanism the model packages build on.
type clipLike struct {
	ModelType           string      `json:"model_type" hf:"required"`
	ProjectionDim       int         `json:"projection_dim"`
	LogitScaleInitValue float64     `json:"logit_scale_init_value"`
	TextConfig          clipText    `json:"text_config" hf:"required"`
	VisionConfig        *clipVision `json:"vision_config" hf:"required"`
}

type clipTower struct {
	HiddenSize        int `json:"hidden_size" hf:"required"`
	NumHiddenLayers   int `json:"num_hidden_layers" hf:"required"`
	NumAttentionHeads int `json:"num_attention_heads" hf:"required"`
	IntermediateSize  int `json:"intermediate_size"`
}

type clipText struct {
	clipTower
	VocabSize             int     `json:"vocab_size" hf:"required"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	LayerNormEps          float64 `json:"layer_norm_eps,omitempty"`
	EOSTokenID            *int    `json:"eos_token_id,omitempty"`
}

type clipVision struct {
	clipTower
	ImageSize int `json:"image_size" hf:"required"`
	PatchSize int `json:"patch_size" hf:"required"`
}

func (c *clipLike) Validate() error {
	for _, t := range []struct {
		name string
		tw   clipTower
	}{{"text_config", c.TextConfig.clipTower}, {"vision_config", c.VisionConfig.clipTower}} {
		if t.tw.NumAttentionHeads <= 0 || t.tw.HiddenSize%t.tw.NumAttentionHeads != 0 {
			return fmt.Errorf("%s: hidden_size %d is not divisible by num_attention_heads %d", t.name, t.tw.HiddenSize, t.tw.NumAttentionHeads)
		}
	}
	return nil
}

// looseConfig decodes the fields every fixture config shares.
type looseConfig struct {
	ModelType     string   `json:"model_type" hf:"required"`
	Architectures []string `json:"architectures"`
	TorchDType    string   `json:"torch_dtype,omitempty"`
	TextConfig    *struct {
		HiddenSize int `json:"hidden_size"`
	} `json:"text_config,omitempty"`
	HiddenSize int `json:"hidden_size,omitempty"`
}

func fixtureFiles(t *testing.T, name string) []string {
	root := testutil.Fixture(t, "hf-parity")
	var out []string
	for _, pattern := range []string{"*/" + name, "*/*/" + name} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatalf("no %s under %s", name, root)
	}
	return out
}

// TestFixtureConfigsRoundTrip decodes every fixture config.json and writes
// it back unchanged: transformers writes sorted keys with a two-space
// indent, so the result must be byte-identical, every field kept.
func TestFixtureConfigsRoundTrip(t *testing.T) {
	for _, p := range fixtureFiles(t, "config.json") {
		var c looseConfig
		raw, err := ReadJSON(p, &c)
		if err != nil {
			t.Fatal(err)
		}
		if c.ModelType == "" || len(c.Architectures) != 1 {
			t.Errorf("%s: model_type %q, architectures %v", p, c.ModelType, c.Architectures)
		}
		out, err := MergeJSON(raw, &c)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, raw) {
			t.Errorf("%s: round trip changed the file:\n%s", p, out)
		}
	}
}

func TestClipLikeConfig(t *testing.T) {
	path := testutil.Fixture(t, "hf-parity", "clip_tiny", "config.json")
	var c clipLike
	raw, err := ReadJSON(path, &c)
	if err != nil {
		t.Fatal(err)
	}
	if c.TextConfig.VocabSize != 1000 || c.TextConfig.HiddenSize != 64 || c.VisionConfig.PatchSize != 8 ||
		c.ProjectionDim != 32 || c.LogitScaleInitValue != 2.6592 || *c.TextConfig.EOSTokenID != 999 {
		t.Fatalf("decoded %+v", c)
	}
	if out, _ := MergeJSON(raw, &c); !bytes.Equal(out, raw) {
		t.Errorf("unchanged round trip differs:\n%s", out)
	}
	// Change typed fields, add one that was absent, keep unknown ones.
	c.TextConfig.HiddenSize = 128
	c.VisionConfig.ImageSize = 224
	c.TextConfig.LayerNormEps = 1e-5
	c.ProjectionDim = 0 // no omitempty: written as 0
	out, err := MergeJSON(raw, &c)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := DecodeJSON("out", out, &back); err != nil {
		t.Fatal(err)
	}
	text := back["text_config"].(map[string]any)
	vision := back["vision_config"].(map[string]any)
	checks := []struct {
		what      string
		got, want any
	}{
		{"text hidden_size", text["hidden_size"], 128.0},
		{"vision image_size", vision["image_size"], 224.0},
		{"text layer_norm_eps (added)", text["layer_norm_eps"], 1e-5},
		{"projection_dim", back["projection_dim"], 0.0},
		{"unknown top-level key", back["initializer_factor"], 1.0},
		{"unknown nested key", text["bos_token_id"], 998.0},
		{"unknown nested string", vision["model_type"], "clip_vision_model"},
		{"unknown array", fmt.Sprint(back["architectures"]), "[CLIPModel]"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.what, ch.got, ch.want)
		}
	}
	if len(back) != 9 || len(text) != 11 || len(vision) != 7 {
		t.Errorf("key counts %d/%d/%d, want 9/11/7 (original 9/10/7, one key added):\n%s", len(back), len(text), len(vision), out)
	}
	// WriteJSON writes the same bytes atomically.
	dst := filepath.Join(t.TempDir(), "config.json")
	if err := WriteJSON(dst, raw, &c); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, out) {
		t.Error("WriteJSON wrote different bytes than MergeJSON returned")
	}
}

func TestMergeKeepsOriginalSpelling(t *testing.T) {
	orig := []byte(`{"rope_theta": 10000.0, "rms_norm_eps": 1e-06, "a": {"b": 1, "c": [1, 2]}, "s": "<x> & y"}`)
	var v struct {
		RopeTheta float64 `json:"rope_theta"`
		Eps       float64 `json:"rms_norm_eps"`
		S         string  `json:"s"`
		A         struct {
			C []int `json:"c"`
		} `json:"a"`
	}
	if err := DecodeJSON("x.json", orig, &v); err != nil {
		t.Fatal(err)
	}
	out, err := MergeJSON(orig, &v)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": {\n    \"b\": 1,\n    \"c\": [\n      1,\n      2\n    ]\n  },\n  \"rms_norm_eps\": 1e-06,\n  \"rope_theta\": 10000.0,\n  \"s\": \"<x> & y\"\n}\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	v.A.C = []int{3}
	v.Eps = 1e-5
	out, _ = MergeJSON(orig, &v)
	if !strings.Contains(string(out), `"rms_norm_eps": 0.00001`) || !strings.Contains(string(out), "\"c\": [\n      3\n    ]") {
		t.Errorf("changed values not written:\n%s", out)
	}
	if out, _ := MergeJSON(nil, &v); !strings.HasPrefix(string(out), "{\n  \"rope_theta\": 10000,") {
		t.Errorf("merge over nothing:\n%s", out)
	}
	if _, err := MergeJSON([]byte("{bad"), &v); err == nil {
		t.Error("merging over malformed JSON succeeded")
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	good := `{
  "model_type": "clip",
  "text_config": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 10},
  "vision_config": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "image_size": 32, "patch_size": 8}
}`
	var ok clipLike
	if err := DecodeJSON("config.json", []byte(good), &ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	cases := []struct {
		name      string
		data      string
		want      string // the whole message
		line, col int
	}{
		{"empty", "", "config.json: file is empty, want a JSON object", 0, 0},
		{"truncated", "{\n  \"model_type\": \"clip\",\n", "config.json:3:1: unexpected end of file: the JSON is truncated", 3, 1},
		{"syntax", "{\n  \"model_type\": \"clip\",\n  \"x\": 1,,\n}", "config.json:3:10: malformed JSON: invalid character ',' looking for beginning of object key string", 3, 10},
		{"top-level array", "  [1, 2]", "config.json:1:3: got array, want an object", 1, 3},
		{"wrong type nested", strings.Replace(good, `"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size"`, `"hidden_size": "64", "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size"`, 1),
			"config.json:3:34: text_config.hidden_size: got string, want an integer (int)", 3, 34},
		{"float for int", strings.Replace(good, `"patch_size": 8`, `"patch_size": 8.5`, 1),
			"config.json:4:122: vision_config.patch_size: got number 8.5, want an integer (int)", 4, 122},
		{"missing keys", `{"model_type": "clip", "text_config": {"hidden_size": 64, "num_attention_heads": 4}, "vision_config": {}}`,
			"config.json: missing required keys: text_config.num_hidden_layers, text_config.vocab_size, vision_config.hidden_size, vision_config.num_hidden_layers, vision_config.num_attention_heads, vision_config.image_size, vision_config.patch_size", 0, 0},
		{"missing nested object", `{"model_type": "clip", "text_config": {"hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 3}}`,
			"config.json: missing required keys: vision_config", 0, 0},
		{"validate", strings.Replace(good, `"num_attention_heads": 4, "image_size"`, `"num_attention_heads": 5, "image_size"`, 1),
			"config.json: vision_config: hidden_size 64 is not divisible by num_attention_heads 5", 0, 0},
		{"trailing data", good + "\n{}", "config.json:6:1: unexpected data after the JSON value", 6, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var cfg clipLike
			err := DecodeJSON("config.json", []byte(c.data), &cfg)
			var je *JSONError
			if !errors.As(err, &je) {
				t.Fatalf("error %v (%T), want *JSONError", err, err)
			}
			if err.Error() != c.want {
				t.Errorf("error\n %q\nwant\n %q", err.Error(), c.want)
			}
			if je.Line != c.line || je.Column != c.col {
				t.Errorf("position %d:%d, want %d:%d", je.Line, je.Column, c.line, c.col)
			}
		})
	}
}

func TestReadJSONMissingFile(t *testing.T) {
	_, err := ReadJSON(filepath.Join(t.TempDir(), "config.json"), &clipLike{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
}
