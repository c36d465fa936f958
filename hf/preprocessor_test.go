package hf

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

func TestFixturePreprocessorConfig(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	c, raw, err := ReadPreprocessorConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Values from clip_tiny/preprocessor_config.json (CLIPImageProcessor,
	// OpenAI CLIP mean/std, bicubic).
	if c.ImageProcessorType != "CLIPImageProcessor" || !*c.DoResize || c.Size.ShortestEdge != 32 || c.Size.Scalar ||
		!*c.DoCenterCrop || c.CropSize.Height != 32 || c.CropSize.Width != 32 || *c.Resample != 3 ||
		!*c.DoRescale || *c.RescaleFactor != 1.0/255 || !*c.DoNormalize || !*c.DoConvertRGB ||
		!slices.Equal(c.ImageMean, FloatList{0.48145466, 0.4578275, 0.40821073}) ||
		!slices.Equal(c.ImageStd, FloatList{0.26862954, 0.26130258, 0.27577711}) {
		t.Errorf("decoded %+v", c)
	}
	out, err := MergeJSON(raw, c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, raw) {
		t.Errorf("round trip changed the file:\n%s", out)
	}
}

func TestPreprocessorSizeSpellings(t *testing.T) {
	cases := []struct {
		json string
		want ImageSize
	}{
		{`224`, ImageSize{Height: 224, Width: 224, Scalar: true}},
		{`{"shortest_edge": 336}`, ImageSize{ShortestEdge: 336}},
		{`{"shortest_edge": 800, "longest_edge": 1333}`, ImageSize{ShortestEdge: 800, LongestEdge: 1333}},
		{`{"height": 384, "width": 512}`, ImageSize{Height: 384, Width: 512}},
	}
	for _, c := range cases {
		data := []byte(`{"size": ` + c.json + `, "crop_size": ` + c.json + `, "image_mean": 0.5, "image_std": [0.5], "custom_key": {"kept": true}}`)
		var p PreprocessorConfig
		if err := DecodeJSON(PreprocessorConfigFile, data, &p); err != nil {
			t.Fatalf("%s: %v", c.json, err)
		}
		if *p.Size != c.want || *p.CropSize != c.want || !slices.Equal(p.ImageMean, FloatList{0.5}) {
			t.Errorf("%s: size %+v, crop %+v, mean %v", c.json, *p.Size, *p.CropSize, p.ImageMean)
		}
		out, err := MergeJSON(data, &p)
		if err != nil {
			t.Fatal(err)
		}
		var back PreprocessorConfig
		if err := DecodeJSON("out", out, &back); err != nil || *back.Size != c.want {
			t.Errorf("%s: re-read %+v, %v", c.json, back.Size, err)
		}
		if !strings.Contains(string(out), `"custom_key": {`) || !strings.Contains(string(out), `"image_mean": 0.5`) {
			t.Errorf("%s: unknown key or spelling lost:\n%s", c.json, out)
		}
	}
	// A changed size is written in the same spelling.
	var p PreprocessorConfig
	orig := []byte(`{"size": {"shortest_edge": 224}}`)
	DecodeJSON("p.json", orig, &p)
	p.Size.ShortestEdge = 336
	out, _ := MergeJSON(orig, &p)
	if !strings.Contains(string(out), "\"shortest_edge\": 336") {
		t.Errorf("changed size:\n%s", out)
	}
}

func TestPreprocessorErrors(t *testing.T) {
	cases := []struct{ json, want string }{
		{`{"size": "big"}`, `p.json:1:10: size: got "big", want an integer, {"shortest_edge": N} or {"height": H, "width": W}`},
		{`{"size": {"height": 3}}`, `p.json:1:10: size: got object {"height": 3}, want an integer`},
		{`{"crop_size": {"height": "3", "width": 4}}`, `p.json:1:15: crop_size: got an object with non-integer values`},
		{`{"image_mean": [0.5, "x"]}`, `p.json:1:16: image_mean: got [0.5, "x"], want a number or an array of numbers`},
		{`{"do_resize": "yes"}`, `p.json:1:15: do_resize: got string, want true or false`},
		{`{"image_std": [0.5, 0, 0.5], "image_mean": [1, 2], "resample": 9, "size": -3}`,
			"p.json: size: negative size -3\nresample: 9 is not a PIL filter (0-5)\nimage_mean: 2 values, want 1 or 3\nimage_std: a standard deviation is zero"},
		{`{"rescale_factor": 0, "crop_size": {"height": 0, "width": 0}}`, "p.json: crop_size: size is zero\nrescale_factor: 0 is not positive"},
	}
	for _, c := range cases {
		var p PreprocessorConfig
		err := DecodeJSON("p.json", []byte(c.json), &p)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %s", c.json, err, c.want)
		}
	}
}

func TestGenerationConfig(t *testing.T) {
	for _, p := range fixtureFiles(t, GenerationConfigFile) {
		c, raw, err := ReadGenerationConfig(filepath.Dir(p))
		if err != nil {
			t.Fatal(err)
		}
		// The token ids decode to what a plain JSON decoder reads (the
		// fixtures hold single integers; qwen2 has no bos_token_id).
		var plain map[string]any
		if err := json.Unmarshal(raw, &plain); err != nil {
			t.Fatal(err)
		}
		for key, got := range map[string]*int{"bos_token_id": c.BOSTokenID, "pad_token_id": c.PadTokenID} {
			want, ok := plain[key].(float64)
			if ok != (got != nil) || (ok && *got != int(want)) {
				t.Errorf("%s: %s decoded as %v, file has %v", p, key, got, plain[key])
			}
		}
		if eos, ok := plain["eos_token_id"].(float64); !ok || !c.EOSTokenID.Contains(int(eos)) || c.EOSTokenID.List {
			t.Errorf("%s: eos_token_id decoded as %+v, file has %v", p, c.EOSTokenID, plain["eos_token_id"])
		}
		out, err := MergeJSON(raw, c)
		if err != nil || !bytes.Equal(out, raw) {
			t.Errorf("%s: round trip changed the file (%v):\n%s", p, err, out)
		}
	}
	var g GenerationConfig
	data := []byte(`{"eos_token_id": [128001, 128009], "temperature": 0.6, "do_sample": true}`)
	if err := DecodeJSON("g.json", data, &g); err != nil {
		t.Fatal(err)
	}
	if !g.EOSTokenID.List || !g.EOSTokenID.Contains(128009) || g.EOSTokenID.Contains(2) || *g.Temperature != 0.6 {
		t.Errorf("decoded %+v", g)
	}
	out, _ := MergeJSON(nil, &g)
	if !strings.Contains(string(out), "\"eos_token_id\": [\n    128001,\n    128009\n  ]") {
		t.Errorf("list spelling lost:\n%s", out)
	}
	if err := DecodeJSON("g.json", []byte(`{"eos_token_id": "2"}`), &g); err == nil || !strings.Contains(err.Error(), "g.json:1:18: eos_token_id: got \"2\", want an integer or an array of integers") {
		t.Errorf("bad eos: %v", err)
	}
	if _, _, err := ReadGenerationConfig(t.TempDir()); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}
