package hf

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
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
	BOSTokenID          *int           `json:"bos_token_id,omitempty"`
	EOSTokenID          *TokenIDs      `json:"eos_token_id,omitempty"`
	PadTokenID          *int           `json:"pad_token_id,omitempty"`
	DecoderStartTokenID *int           `json:"decoder_start_token_id,omitempty"`
	MaxLength           *int           `json:"max_length,omitempty"`
	MaxNewTokens        *int           `json:"max_new_tokens,omitempty"`
	MinLength           *int           `json:"min_length,omitempty"`
	DoSample            *bool          `json:"do_sample,omitempty"`
	NumBeams            *int           `json:"num_beams,omitempty"`
	Temperature         *float64       `json:"temperature,omitempty"`
	TopK                *int           `json:"top_k,omitempty"`
	TopP                *float64       `json:"top_p,omitempty"`
	RepetitionPenalty   *float64       `json:"repetition_penalty,omitempty"`
	MinNewTokens        *int           `json:"min_new_tokens,omitempty"`
	MinP                *float64       `json:"min_p,omitempty"`
	NumReturnSequences  *int           `json:"num_return_sequences,omitempty"`
	LengthPenalty       *float64       `json:"length_penalty,omitempty"`
	EarlyStopping       *EarlyStopping `json:"early_stopping,omitempty"`
	NoRepeatNgramSize   *int           `json:"no_repeat_ngram_size,omitempty"`
	BadWordsIDs         [][]int        `json:"bad_words_ids,omitempty"`
	StopStrings         *Strings       `json:"stop_strings,omitempty"`
}

// EarlyStopping is generation_config.json's early_stopping: true, false or
// "never", kept as that text.
type EarlyStopping string

// UnmarshalJSON accepts a boolean or the string "never".
func (e *EarlyStopping) UnmarshalJSON(data []byte) error {
	var b bool
	if json.Unmarshal(data, &b) == nil {
		*e = EarlyStopping(strconv.FormatBool(b))
		return nil
	}
	var s string
	if json.Unmarshal(data, &s) == nil && s == "never" {
		*e = "never"
		return nil
	}
	return fmt.Errorf("early_stopping: expected true, false or \"never\", got %s", abbrevJSON(data))
}

// MarshalJSON writes a boolean, or "never".
func (e EarlyStopping) MarshalJSON() ([]byte, error) {
	if e == "never" {
		return []byte(`"never"`), nil
	}
	return []byte(strconv.FormatBool(e == "true")), nil
}

// Strings is a field the file may spell as one string or a list of them
// (stop_strings).
type Strings struct {
	Values []string
	List   bool
}

// UnmarshalJSON accepts a string or an array of strings.
func (s *Strings) UnmarshalJSON(data []byte) error {
	var one string
	if json.Unmarshal(data, &one) == nil {
		*s = Strings{Values: []string{one}}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return fmt.Errorf("expected a string or an array of strings, got %s", abbrevJSON(data))
	}
	*s = Strings{Values: many, List: true}
	return nil
}

// MarshalJSON writes the spelling the file used.
func (s Strings) MarshalJSON() ([]byte, error) {
	if !s.List && len(s.Values) == 1 {
		return json.Marshal(s.Values[0])
	}
	return json.Marshal(s.Values)
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
