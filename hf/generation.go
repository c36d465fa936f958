package hf

import (
	"encoding/json"
	"path/filepath"
	"reflect"
)

// GenerationConfigFile is the name of a model's default decoding settings.
const GenerationConfigFile = "generation_config.json"

// TokenIDs is a token id field that the file may spell as one integer or as
// a list (eos_token_id: [128001, 128009]); MarshalJSON keeps the spelling.
type TokenIDs struct {
	IDs  []int
	List bool // spelled as a list
}

func (*TokenIDs) jsonExpected() string { return "an integer or an array of integers" }

// UnmarshalJSON accepts an integer or an array of integers.
func (t *TokenIDs) UnmarshalJSON(data []byte) error {
	var one int
	if err := json.Unmarshal(data, &one); err == nil {
		*t = TokenIDs{IDs: []int{one}}
		return nil
	}
	var many []int
	if err := json.Unmarshal(data, &many); err != nil {
		return &json.UnmarshalTypeError{Value: abbrevJSON(data), Type: reflect.TypeOf(TokenIDs{})}
	}
	*t = TokenIDs{IDs: many, List: true}
	return nil
}

// MarshalJSON writes an integer or a list, as read.
func (t TokenIDs) MarshalJSON() ([]byte, error) {
	if !t.List && len(t.IDs) == 1 {
		return json.Marshal(t.IDs[0])
	}
	if t.IDs == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(t.IDs)
}

// Contains reports whether id is one of the ids.
func (t *TokenIDs) Contains(id int) bool {
	if t == nil {
		return false
	}
	for _, x := range t.IDs {
		if x == id {
			return true
		}
	}
	return false
}

// GenerationConfig holds the common fields of generation_config.json. A
// nil pointer means the key is absent. Other keys stay in the file's bytes
// (see MergeJSON).
type GenerationConfig struct {
	BOSTokenID          *int      `json:"bos_token_id,omitempty"`
	EOSTokenID          *TokenIDs `json:"eos_token_id,omitempty"`
	PadTokenID          *int      `json:"pad_token_id,omitempty"`
	DecoderStartTokenID *int      `json:"decoder_start_token_id,omitempty"`
	MaxLength           *int      `json:"max_length,omitempty"`
	MaxNewTokens        *int      `json:"max_new_tokens,omitempty"`
	MinLength           *int      `json:"min_length,omitempty"`
	DoSample            *bool     `json:"do_sample,omitempty"`
	NumBeams            *int      `json:"num_beams,omitempty"`
	Temperature         *float64  `json:"temperature,omitempty"`
	TopK                *int      `json:"top_k,omitempty"`
	TopP                *float64  `json:"top_p,omitempty"`
	RepetitionPenalty   *float64  `json:"repetition_penalty,omitempty"`
}

// ReadGenerationConfig reads dir/generation_config.json and returns it with
// the file's bytes (for MergeJSON).
func ReadGenerationConfig(dir string) (*GenerationConfig, []byte, error) {
	var c GenerationConfig
	raw, err := ReadJSON(filepath.Join(dir, GenerationConfigFile), &c)
	if err != nil {
		return nil, nil, err
	}
	return &c, raw, nil
}
