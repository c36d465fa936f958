package models_test

import (
	"strings"
	"testing"

	. "github.com/vlmtune/vlmtune/models"
	_ "github.com/vlmtune/vlmtune/models/all"
)

func TestRegistryLookup(t *testing.T) {
	var types []string
	for _, f := range Families() {
		types = append(types, f.ModelType)
	}
	if strings.Join(types, ",") != "clip,llama,mistral,opt,qwen2,siglip" {
		t.Fatalf("families %v", types)
	}
	clipCfg := `"projection_dim": 8, "text_config": {"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "max_position_embeddings": 6, "num_attention_heads": 2, "num_hidden_layers": 1, "eos_token_id": 9}, "vision_config": {"hidden_size": 8, "intermediate_size": 16, "image_size": 8, "patch_size": 4, "num_attention_heads": 2, "num_hidden_layers": 1}`
	for _, c := range []struct{ json, family, err string }{
		{`{"model_type": "clip", "architectures": ["CLIPModel"], ` + clipCfg + `}`, "clip", ""},
		// Without model_type, the error says what to add.
		{`{"architectures": ["SiglipModel"]}`, "", `missing key model_type; architectures [SiglipModel] is a siglip model: add "model_type": "siglip"`},
		{`{"model_type": "clip", "architectures": ["CLIPVisionModelWithProjection"]}`, "", `architectures [CLIPVisionModelWithProjection] are not supported for model_type "clip" (supported: CLIPModel)`},
		{`{"model_type": "gpt2"}`, "", `model_type "gpt2" is not supported here (supported: clip (CLIP dual encoder), llama (Llama causal language model), mistral (Mistral causal language model), opt (OPT causal language model), qwen2 (Qwen2 causal language model), siglip (SigLIP dual encoder))`},
		{`{}`, "", "missing key model_type"},
		{`[1]`, "", "cfg.json"},
	} {
		m, err := New("cfg.json", []byte(c.json))
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.json, err)
		case c.err == "" && m.Family() != c.family:
			t.Errorf("%s: family %s, want %s", c.json, m.Family(), c.family)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !strings.HasPrefix(err.Error(), "cfg.json")):
			t.Errorf("%s: error %v, want %q", c.json, err, c.err)
		}
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "registered twice") {
			t.Fatalf("recovered %v", r)
		}
	}()
	Register(Family{ModelType: "clip", Kind: KindDualEncoder, New: func(string, []byte) (Model, error) { return nil, nil }})
}
