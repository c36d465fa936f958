package train

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Keys lists every configuration key as a dotted path ("optimizer.lr"),
// in schema order, with the field's Go kind for help texts.
func Keys() []KeyInfo {
	var out []KeyInfo
	walkKeys(reflect.TypeOf(Config{}), "", &out)
	return out
}

// KeyInfo describes one configuration key.
type KeyInfo struct {
	Path string
	Kind string // "string", "int", "float", "bool", "list"
}

func walkKeys(t reflect.Type, prefix string, out *[]KeyInfo) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		path := tag
		if prefix != "" {
			path = prefix + "." + tag
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.Struct:
			walkKeys(ft, path, out)
		case reflect.Slice, reflect.Array:
			*out = append(*out, KeyInfo{Path: path, Kind: "list"})
		case reflect.Float32, reflect.Float64:
			*out = append(*out, KeyInfo{Path: path, Kind: "float"})
		case reflect.Int, reflect.Int64, reflect.Uint64:
			*out = append(*out, KeyInfo{Path: path, Kind: "int"})
		default:
			*out = append(*out, KeyInfo{Path: path, Kind: f.Type.Kind().String()})
		}
	}
}

// field finds the settable value of a dotted key.
func (c *Config) field(path string) (reflect.Value, error) {
	v := reflect.ValueOf(c).Elem()
	parts := strings.Split(path, ".")
	for i, p := range parts {
		t := v.Type()
		found := false
		for j := 0; j < t.NumField(); j++ {
			if strings.Split(t.Field(j).Tag.Get("yaml"), ",")[0] == p {
				v = v.Field(j)
				if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct && i < len(parts)-1 {
					if v.IsNil() {
						v.Set(reflect.New(v.Type().Elem()))
					}
					v = v.Elem()
				}
				found = true
				break
			}
		}
		if !found {
			return reflect.Value{}, fmt.Errorf("unknown configuration key %q (at %q)", path, strings.Join(parts[:i+1], "."))
		}
		if i < len(parts)-1 && v.Kind() != reflect.Struct {
			return reflect.Value{}, fmt.Errorf("configuration key %q: %q is not a section", path, strings.Join(parts[:i+1], "."))
		}
	}
	if v.Kind() == reflect.Struct {
		return reflect.Value{}, fmt.Errorf("configuration key %q is a section; set one of its keys", path)
	}
	return v, nil
}

// Set assigns one key from its command-line text. Lists accept
// comma-separated values ("q_proj,v_proj") or YAML flow syntax
// ("[q_proj, v_proj]").
func (c *Config) Set(path, value string) error {
	v, err := c.field(path)
	if err != nil {
		return err
	}
	if v.Kind() == reflect.String {
		v.SetString(value)
		return nil
	}
	text := value
	if (v.Kind() == reflect.Slice || v.Kind() == reflect.Array) && !strings.HasPrefix(strings.TrimSpace(value), "[") {
		parts := strings.Split(value, ",")
		if strings.TrimSpace(value) == "" {
			parts = nil
		}
		if v.Type().Elem().Kind() == reflect.String {
			// Quote each item so that YAML syntax inside it ({}, :) stays
			// text.
			for i, p := range parts {
				q, _ := json.Marshal(strings.TrimSpace(p))
				parts[i] = string(q)
			}
		}
		text = "[" + strings.Join(parts, ",") + "]"
	}
	ptr := reflect.New(v.Type())
	if err := yaml.Unmarshal([]byte(text), ptr.Interface()); err != nil {
		return fmt.Errorf("--%s=%s: %s", path, value, describeYAMLError(err))
	}
	v.Set(ptr.Elem())
	return nil
}

// ApplyOverrides sets every key of overrides (path → text), in sorted
// order.
func (c *Config) ApplyOverrides(overrides map[string]string) error {
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := c.Set(k, overrides[k]); err != nil {
			return err
		}
	}
	return nil
}
