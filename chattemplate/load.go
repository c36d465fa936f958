package chattemplate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ardanlabs/jinja"
)

// SpecialTokenNames are the tokenizer attributes transformers passes to a
// chat template as variables (its special_tokens_map).
var SpecialTokenNames = []string{"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token", "additional_special_tokens"}

// LoadOptions choose among a tokenizer's named templates.
type LoadOptions struct {
	// Name picks a named template ("default", "tool_use", "rag", ...) when
	// the tokenizer has several.
	Name string
	// Tools prefers the "tool_use" template when no Name is given, as
	// transformers does when tools are passed.
	Tools bool
}

// Load reads the chat template of a model or tokenizer directory, looking
// where transformers does: chat_template.jinja, chat_template.json
// ({"chat_template": ...}), then the "chat_template" of
// tokenizer_config.json (a string, or a list of {name, template}) and of
// processor_config.json. The special tokens come from tokenizer_config.json
// and special_tokens_map.json. A path to one of those files reads that
// file.
func Load(path string, o LoadOptions) (*Template, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("chat template: %w", err)
	}
	dir := path
	var candidates []string
	if st.IsDir() {
		candidates = []string{"chat_template.jinja", "chat_template.json", "tokenizer_config.json", "processor_config.json"}
	} else {
		dir = filepath.Dir(path)
		candidates = []string{filepath.Base(path)}
	}
	var t *Template
	for _, name := range candidates {
		file := filepath.Join(dir, name)
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("chat template: %w", err)
		}
		source, origin, found, err := templateFrom(file, data, o)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		if t, err = Parse(source, origin); err != nil {
			return nil, err
		}
		break
	}
	if t == nil {
		if st.IsDir() {
			return nil, fmt.Errorf("%s has no chat template (looked for chat_template.jinja, chat_template.json and a chat_template in tokenizer_config.json and processor_config.json); pass one with --template FILE", path)
		}
		return nil, fmt.Errorf("%s has no chat_template", path)
	}
	special, err := readSpecialTokens(dir)
	if err != nil {
		return nil, err
	}
	t.Special = special
	return t, nil
}

// templateFrom extracts the template text of one file.
func templateFrom(file string, data []byte, o LoadOptions) (source, origin string, found bool, err error) {
	if !strings.HasSuffix(file, ".json") {
		return string(data), file, true, nil
	}
	var cfg struct {
		ChatTemplate json.RawMessage `json:"chat_template"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", "", false, fmt.Errorf("%s: %w", file, err)
	}
	if len(cfg.ChatTemplate) == 0 || string(cfg.ChatTemplate) == "null" {
		return "", "", false, nil
	}
	origin = file + " chat_template"
	var s string
	if json.Unmarshal(cfg.ChatTemplate, &s) == nil {
		return s, origin, true, nil
	}
	var named []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(cfg.ChatTemplate, &named); err != nil {
		return "", "", false, fmt.Errorf("%s: chat_template must be a string or a list of {name, template}: %w", file, err)
	}
	byName := map[string]string{}
	var names []string
	for _, n := range named {
		byName[n.Name] = n.Template
		names = append(names, n.Name)
	}
	sort.Strings(names)
	pick := o.Name
	if pick == "" {
		switch {
		case o.Tools && byName["tool_use"] != "":
			pick = "tool_use"
		case byName["default"] != "":
			pick = "default"
		default:
			return "", "", false, fmt.Errorf("%s: the tokenizer has several chat templates and none named default; choose one of %s", file, strings.Join(names, ", "))
		}
	}
	src, ok := byName[pick]
	if !ok {
		return "", "", false, fmt.Errorf("%s: no chat template named %q; the tokenizer has %s", file, pick, strings.Join(names, ", "))
	}
	return src, fmt.Sprintf("%s chat_template %q", file, pick), true, nil
}

// readSpecialTokens reads the special tokens of tokenizer_config.json, then
// those special_tokens_map.json adds. Each is a string or an AddedToken
// object ({"content": ...}).
func readSpecialTokens(dir string) (map[string]jinja.Value, error) {
	out := map[string]jinja.Value{}
	for _, name := range []string{"tokenizer_config.json", "special_tokens_map.json"} {
		file := filepath.Join(dir, name)
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var cfg map[string]json.RawMessage
		if err := json.Unmarshal(data, &cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, key := range SpecialTokenNames {
			raw, ok := cfg[key]
			if _, have := out[key]; have || !ok {
				continue
			}
			v, err := specialValue(raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", file, key, err)
			}
			if !v.IsNone() {
				out[key] = v
			}
		}
	}
	return out, nil
}

func specialValue(raw json.RawMessage) (jinja.Value, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return jinja.None(), nil
		}
		return jinja.NewString(s), nil
	}
	if string(raw) == "null" {
		return jinja.None(), nil
	}
	var obj struct {
		Content *string `json:"content"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Content != nil {
		return jinja.NewString(*obj.Content), nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return jinja.None(), fmt.Errorf("expected a string, an AddedToken object or a list of them")
	}
	if len(list) == 0 {
		return jinja.None(), nil
	}
	items := make([]jinja.Value, 0, len(list))
	for _, r := range list {
		v, err := specialValue(r)
		if err != nil {
			return jinja.None(), err
		}
		items = append(items, v)
	}
	return jinja.NewList(items), nil
}
