package hf

import (
	"bytes"
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

// Summary describes a checkpoint directory or a single safetensors file:
// its config's main sizes and every tensor's dtype and shape, read from the
// headers alone (no tensor data is touched).
type Summary struct {
	Path     string            `json:"path"`
	Sharded  bool              `json:"sharded"`
	Files    []string          `json:"files"`
	Metadata map[string]string `json:"metadata,omitempty"`
	Config   *ConfigSummary    `json:"config,omitempty"`
	Tensors  []TensorSummary   `json:"tensors"`
	Totals   Totals            `json:"totals"`
}

// ConfigSummary holds the identifying fields of a config.json and, per
// section (the top level, then each nested *_config object), the values of
// the keys that size a model.
type ConfigSummary struct {
	ModelType     string          `json:"model_type,omitempty"`
	Architectures []string        `json:"architectures,omitempty"`
	TorchDType    string          `json:"torch_dtype,omitempty"`
	Sections      []ConfigSection `json:"sections"`
}

// ConfigSection is the summary of one object of a config ("" for the top
// level, "text_config", "vision_config", ...).
type ConfigSection struct {
	Name   string        `json:"name"`
	Fields []ConfigField `json:"fields"`
}

// ConfigField is one key of a config section with its JSON value.
type ConfigField struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// TensorSummary describes one tensor.
type TensorSummary struct {
	Name   string `json:"name"`
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"`
	Params int64  `json:"params"`
	Bytes  int64  `json:"bytes"`
	File   string `json:"file,omitempty"`
}

// Totals sums the tensors, overall and per dtype.
type Totals struct {
	Tensors int          `json:"tensors"`
	Params  int64        `json:"params"`
	Bytes   int64        `json:"bytes"`
	ByDType []DTypeTotal `json:"by_dtype"`
}

// DTypeTotal sums the tensors of one dtype.
type DTypeTotal struct {
	DType   string `json:"dtype"`
	Tensors int    `json:"tensors"`
	Params  int64  `json:"params"`
	Bytes   int64  `json:"bytes"`
}

// summaryKeys are the config keys a summary shows, in this order.
var summaryKeys = []string{
	"model_type", "hidden_size", "intermediate_size", "num_hidden_layers",
	"num_attention_heads", "num_key_value_heads", "vocab_size",
	"max_position_embeddings", "image_size", "patch_size", "projection_dim",
	"hidden_act", "layer_norm_eps", "rms_norm_eps", "rope_theta",
	"tie_word_embeddings", "image_token_index", "vision_feature_layer",
	"vision_feature_select_strategy", "projector_hidden_act",
}

// Inspect summarizes path: a checkpoint directory (config.json, if
// present, and its weights, validated as OpenWeights does) or a single
// .safetensors file. A path to a directory's config.json or
// model.safetensors.index.json stands for the directory.
func Inspect(path string) (*Summary, error) {
	if b := filepath.Base(path); b == ConfigFile || b == WeightsIndex {
		path = filepath.Dir(path)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("hf: %w", err)
	}
	s := &Summary{Path: path}
	var tensors []WeightInfo
	if st.IsDir() {
		w, err := OpenWeights(path)
		if err != nil {
			return nil, err
		}
		defer w.Close()
		s.Sharded, s.Files, s.Metadata, tensors = w.Sharded(), w.Files(), w.Metadata(), w.Tensors()
		raw, err := os.ReadFile(filepath.Join(path, ConfigFile))
		switch {
		case err == nil:
			if s.Config, err = summarizeConfig(filepath.Join(path, ConfigFile), raw); err != nil {
				return nil, err
			}
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("hf: %w", err)
		}
	} else {
		f, err := safetensors.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		s.Files, s.Metadata = []string{filepath.Base(path)}, f.Metadata()
		for _, t := range f.Tensors() {
			tensors = append(tensors, WeightInfo{TensorInfo: t, File: filepath.Base(path)})
		}
		slices.SortFunc(tensors, func(a, b WeightInfo) int { return strings.Compare(a.Name, b.Name) })
	}
	byDType := map[string]*DTypeTotal{}
	for _, t := range tensors {
		ts := TensorSummary{Name: t.Name, DType: string(t.DType), Shape: t.Shape, Params: t.NumElements(), Bytes: t.NumBytes()}
		if s.Sharded {
			ts.File = t.File
		}
		s.Tensors = append(s.Tensors, ts)
		s.Totals.Tensors++
		s.Totals.Params += ts.Params
		s.Totals.Bytes += ts.Bytes
		d := byDType[ts.DType]
		if d == nil {
			d = &DTypeTotal{DType: ts.DType}
			byDType[ts.DType] = d
		}
		d.Tensors++
		d.Params += ts.Params
		d.Bytes += ts.Bytes
	}
	for _, dt := range safetensors.DTypes() {
		if d := byDType[string(dt)]; d != nil {
			s.Totals.ByDType = append(s.Totals.ByDType, *d)
		}
	}
	return s, nil
}

func summarizeConfig(path string, raw []byte) (*ConfigSummary, error) {
	var top map[string]json.RawMessage
	if err := DecodeJSON(path, raw, &top); err != nil {
		return nil, fmt.Errorf("hf: %w", err)
	}
	var c ConfigSummary
	json.Unmarshal(top["model_type"], &c.ModelType)
	json.Unmarshal(top["architectures"], &c.Architectures)
	json.Unmarshal(top["torch_dtype"], &c.TorchDType)
	c.Sections = append(c.Sections, section("", top, true))
	var nested []string
	for k, v := range top {
		if strings.HasSuffix(k, "_config") && isObject(v) {
			nested = append(nested, k)
		}
	}
	slices.Sort(nested)
	for _, k := range nested {
		var obj map[string]json.RawMessage
		if json.Unmarshal(top[k], &obj) == nil {
			c.Sections = append(c.Sections, section(k, obj, false))
		}
	}
	return &c, nil
}

func section(name string, obj map[string]json.RawMessage, top bool) ConfigSection {
	s := ConfigSection{Name: name, Fields: []ConfigField{}}
	for _, k := range summaryKeys {
		if top && k == "model_type" {
			continue
		}
		if v, ok := obj[k]; ok {
			var buf bytes.Buffer
			json.Compact(&buf, v)
			s.Fields = append(s.Fields, ConfigField{Key: k, Value: buf.Bytes()})
		}
	}
	return s
}
