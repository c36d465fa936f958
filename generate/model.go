package generate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/vlmtune/vlmtune/hf"
)

// ForModel returns the generation defaults of the model in dir: the
// end-of-sequence and padding ids of its config.json (configJSON, the
// file's bytes), then its generation_config.json when it has one, as
// transformers' generate starts from model.generation_config.
func ForModel(dir string, configJSON []byte) (Config, error) {
	var mc struct {
		EOS *hf.TokenIDs `json:"eos_token_id"`
		Pad *int         `json:"pad_token_id"`
	}
	if len(configJSON) > 0 {
		if err := json.Unmarshal(configJSON, &mc); err != nil {
			return Config{}, fmt.Errorf("%s: %w", filepath.Join(dir, hf.ConfigFile), err)
		}
	}
	var eos []int32
	if mc.EOS != nil {
		for _, id := range mc.EOS.IDs {
			eos = append(eos, int32(id))
		}
	}
	var pad *int32
	if mc.Pad != nil {
		p := int32(*mc.Pad)
		pad = &p
	}
	gc, _, err := hf.ReadGenerationConfig(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return FromHF(nil, eos, pad), nil
	}
	if err != nil {
		return Config{}, err
	}
	return FromHF(gc, eos, pad), nil
}
