package lora

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
)

// Config selects and shapes the LoRA adapters. Its JSON form is PEFT's
// adapter_config.json (LoraConfig); fields vlmtune does not use are kept
// in Extra and written back unchanged.
type Config struct {
	// R is the rank of the update B·A.
	R int
	// Alpha scales the update by Alpha/R (Alpha/sqrt(R) with RSLoRA).
	Alpha float64
	// Dropout is applied to the adapter's input during training.
	Dropout float64
	// RSLoRA selects rank-stabilised scaling.
	RSLoRA bool
	// TargetModules lists module names matched like PEFT: a module is
	// adapted when its full name equals an entry or ends with "." + entry.
	TargetModules []string
	// TargetRegex, when set instead, must match a module's full name
	// entirely (PEFT's string form of target_modules).
	TargetRegex string
	// BaseModel is recorded as base_model_name_or_path.
	BaseModel string
	// Extra holds the other adapter_config.json fields.
	Extra map[string]json.RawMessage
}

// Scaling returns the factor applied to B·A·x.
func (c Config) Scaling() float32 {
	if c.RSLoRA {
		return float32(c.Alpha / math.Sqrt(float64(c.R)))
	}
	return float32(c.Alpha / float64(c.R))
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.R <= 0 {
		return fmt.Errorf("lora: r must be positive, got %d", c.R)
	}
	if c.Alpha <= 0 {
		return fmt.Errorf("lora: lora_alpha must be positive, got %g", c.Alpha)
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		return fmt.Errorf("lora: lora_dropout must be in [0, 1), got %g", c.Dropout)
	}
	if len(c.TargetModules) == 0 && c.TargetRegex == "" {
		return fmt.Errorf("lora: target_modules is empty; name the linear layers to adapt (for example [\"q_proj\", \"v_proj\"])")
	}
	if c.TargetRegex != "" {
		if _, err := regexp.Compile(c.TargetRegex); err != nil {
			return fmt.Errorf("lora: target_modules regex %q: %v", c.TargetRegex, err)
		}
	}
	return nil
}

// AllLinear is PEFT's target_modules shorthand for every linear layer but
// the output layer (lm_head).
const AllLinear = "all-linear"

// IsAllLinear reports whether the configuration targets all-linear
// (written as the string or as a one-entry list).
func (c Config) IsAllLinear() bool {
	return c.TargetRegex == AllLinear || (len(c.TargetModules) == 1 && c.TargetModules[0] == AllLinear)
}

// Matches reports whether a module name is targeted (PEFT's
// check_target_module_exists); with all-linear every name matches, and
// Apply keeps the linear layers but the output layer.
func (c Config) Matches(name string) bool {
	if c.IsAllLinear() {
		return true
	}
	if c.TargetRegex != "" {
		re := regexp.MustCompile(`^(?:` + c.TargetRegex + `)$`)
		return re.MatchString(name)
	}
	for _, t := range c.TargetModules {
		if name == t || strings.HasSuffix(name, "."+t) {
			return true
		}
	}
	return false
}

// peftJSON is the subset of adapter_config.json vlmtune reads and writes.
type peftJSON struct {
	PeftType      string          `json:"peft_type"`
	R             int             `json:"r"`
	LoraAlpha     float64         `json:"lora_alpha"`
	LoraDropout   float64         `json:"lora_dropout"`
	UseRSLoRA     bool            `json:"use_rslora"`
	TargetModules json.RawMessage `json:"target_modules"`
	BaseModel     *string         `json:"base_model_name_or_path"`
	Bias          string          `json:"bias"`
	FanInFanOut   bool            `json:"fan_in_fan_out"`
	UseDora       bool            `json:"use_dora"`
}

// ParseConfig reads adapter_config.json. name is used in errors.
func ParseConfig(name string, data []byte) (Config, error) {
	var p peftJSON
	if err := json.Unmarshal(data, &p); err != nil {
		return Config{}, fmt.Errorf("%s: %v", name, err)
	}
	var extra map[string]json.RawMessage
	if err := json.Unmarshal(data, &extra); err != nil {
		return Config{}, fmt.Errorf("%s: %v", name, err)
	}
	if p.PeftType != "LORA" {
		return Config{}, fmt.Errorf("%s: peft_type %q is not supported (want \"LORA\")", name, p.PeftType)
	}
	if p.Bias != "" && p.Bias != "none" {
		return Config{}, fmt.Errorf("%s: bias %q is not supported (only \"none\")", name, p.Bias)
	}
	if p.FanInFanOut {
		return Config{}, fmt.Errorf("%s: fan_in_fan_out adapters (GPT-2 Conv1D) are not supported", name)
	}
	if p.UseDora {
		return Config{}, fmt.Errorf("%s: DoRA adapters (use_dora) are not supported", name)
	}
	c := Config{R: p.R, Alpha: p.LoraAlpha, Dropout: p.LoraDropout, RSLoRA: p.UseRSLoRA, Extra: extra}
	if p.BaseModel != nil {
		c.BaseModel = *p.BaseModel
	}
	if len(p.TargetModules) > 0 && string(p.TargetModules) != "null" {
		if err := json.Unmarshal(p.TargetModules, &c.TargetModules); err != nil {
			if err := json.Unmarshal(p.TargetModules, &c.TargetRegex); err != nil {
				return Config{}, fmt.Errorf("%s: target_modules must be a list of names or a regex string", name)
			}
		}
	}
	for _, k := range []string{"peft_type", "r", "lora_alpha", "lora_dropout", "use_rslora", "target_modules", "base_model_name_or_path"} {
		delete(c.Extra, k)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

// MarshalPEFT renders the configuration as PEFT's adapter_config.json,
// with PEFT's defaults for fields vlmtune does not set.
func (c Config) MarshalPEFT() ([]byte, error) {
	out := map[string]any{
		"alpha_pattern": map[string]any{}, "bias": "none", "fan_in_fan_out": false, "inference_mode": true,
		"init_lora_weights": true, "layer_replication": nil, "layers_pattern": nil, "layers_to_transform": nil,
		"loftq_config": map[string]any{}, "megatron_config": nil, "megatron_core": "megatron.core",
		"modules_to_save": nil, "rank_pattern": map[string]any{}, "revision": nil, "task_type": nil, "use_dora": false,
	}
	for k, v := range c.Extra {
		out[k] = v
	}
	out["peft_type"] = "LORA"
	out["r"] = c.R
	out["lora_alpha"] = c.Alpha
	out["lora_dropout"] = c.Dropout
	out["use_rslora"] = c.RSLoRA
	if c.IsAllLinear() {
		out["target_modules"] = AllLinear
	} else if c.TargetRegex != "" {
		out["target_modules"] = c.TargetRegex
	} else {
		out["target_modules"] = c.TargetModules
	}
	if c.BaseModel != "" {
		out["base_model_name_or_path"] = c.BaseModel
	} else {
		out["base_model_name_or_path"] = nil
	}
	return json.MarshalIndent(out, "", "  ")
}
