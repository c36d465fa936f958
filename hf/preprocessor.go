package hf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
)

// PreprocessorConfigFile is the name of an image processor's config file.
const PreprocessorConfigFile = "preprocessor_config.json"

// ImageSize is the "size" or "crop_size" of an image processor config. The
// file spells it as a plain integer (a square), as {"shortest_edge": N}
// (optionally with "longest_edge"), or as {"height": H, "width": W};
// MarshalJSON writes it back in the spelling it was read in.
type ImageSize struct {
	Height       int // 0 when the size is given by its shortest edge
	Width        int
	ShortestEdge int // 0 when the size is given as height and width
	LongestEdge  int // 0 when absent
	Scalar       bool
}

func (*ImageSize) jsonExpected() string {
	return `an integer, {"shortest_edge": N} or {"height": H, "width": W}`
}

// UnmarshalJSON accepts the three spellings described on ImageSize.
func (s *ImageSize) UnmarshalJSON(data []byte) error {
	bad := func(what string) error {
		return &json.UnmarshalTypeError{Value: what, Type: reflect.TypeOf(ImageSize{})}
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		var n int
		if err := json.Unmarshal(data, &n); err != nil {
			return bad(abbrevJSON(data))
		}
		*s = ImageSize{Height: n, Width: n, Scalar: true}
		return nil
	}
	var m map[string]int
	if err := json.Unmarshal(data, &m); err != nil {
		return bad("an object with non-integer values " + abbrevJSON(data))
	}
	*s = ImageSize{Height: m["height"], Width: m["width"], ShortestEdge: m["shortest_edge"], LongestEdge: m["longest_edge"]}
	_, hasH := m["height"]
	_, hasW := m["width"]
	_, hasS := m["shortest_edge"]
	_, hasL := m["longest_edge"]
	switch {
	case hasH && hasW && !hasS && !hasL, hasS && !hasH && !hasW, hasL && !hasH && !hasW:
		return nil
	}
	return bad("object " + abbrevJSON(data))
}

// MarshalJSON writes the size in the spelling it was read in.
func (s ImageSize) MarshalJSON() ([]byte, error) {
	switch {
	case s.Scalar:
		return json.Marshal(s.Height)
	case s.ShortestEdge != 0 || s.LongestEdge != 0:
		m := map[string]int{}
		if s.ShortestEdge != 0 {
			m["shortest_edge"] = s.ShortestEdge
		}
		if s.LongestEdge != 0 {
			m["longest_edge"] = s.LongestEdge
		}
		return json.Marshal(m)
	}
	return json.Marshal(map[string]int{"height": s.Height, "width": s.Width})
}

// validate checks that the size's numbers are positive.
func (s *ImageSize) validate(key string) error {
	if s == nil {
		return nil
	}
	for _, v := range []int{s.Height, s.Width, s.ShortestEdge, s.LongestEdge} {
		if v < 0 {
			return fmt.Errorf("%s: negative size %d", key, v)
		}
	}
	if s.Height == 0 && s.Width == 0 && s.ShortestEdge == 0 && s.LongestEdge == 0 {
		return fmt.Errorf("%s: size is zero", key)
	}
	return nil
}

// FloatList is a list of floats that the file may spell as a single number
// (image_mean: 0.5 means the same value for every channel). A list of one
// value is written back as a single number, which means the same.
type FloatList []float64

// MarshalJSON writes one value as a number and several as an array.
func (l FloatList) MarshalJSON() ([]byte, error) {
	if len(l) == 1 {
		return json.Marshal(l[0])
	}
	return json.Marshal([]float64(l))
}

func (*FloatList) jsonExpected() string { return "a number or an array of numbers" }

// UnmarshalJSON accepts a number or an array of numbers.
func (l *FloatList) UnmarshalJSON(data []byte) error {
	var one float64
	if err := json.Unmarshal(data, &one); err == nil {
		*l = FloatList{one}
		return nil
	}
	var many []float64
	if err := json.Unmarshal(data, &many); err != nil {
		return &json.UnmarshalTypeError{Value: abbrevJSON(data), Type: reflect.TypeOf(FloatList{})}
	}
	*l = many
	return nil
}

// PreprocessorConfig holds the fields that Hugging Face image processors
// (CLIPImageProcessor, SiglipImageProcessor, BlipImageProcessor, ...) share.
// A nil pointer means the key is absent, and the processor class's default
// applies. Other keys stay in the file's bytes (see MergeJSON).
type PreprocessorConfig struct {
	ImageProcessorType string     `json:"image_processor_type,omitempty"`
	DoConvertRGB       *bool      `json:"do_convert_rgb,omitempty"`
	DoResize           *bool      `json:"do_resize,omitempty"`
	Size               *ImageSize `json:"size,omitempty"`
	// Resample is a PIL filter: 0 nearest, 1 Lanczos, 2 bilinear,
	// 3 bicubic, 4 box, 5 Hamming.
	Resample      *int       `json:"resample,omitempty"`
	DoCenterCrop  *bool      `json:"do_center_crop,omitempty"`
	CropSize      *ImageSize `json:"crop_size,omitempty"`
	DoRescale     *bool      `json:"do_rescale,omitempty"`
	RescaleFactor *float64   `json:"rescale_factor,omitempty"`
	DoNormalize   *bool      `json:"do_normalize,omitempty"`
	ImageMean     FloatList  `json:"image_mean,omitempty"`
	ImageStd      FloatList  `json:"image_std,omitempty"`
}

// Validate checks the values that a preprocessing pipeline relies on.
func (c *PreprocessorConfig) Validate() error {
	var errs []error
	if err := c.Size.validate("size"); err != nil {
		errs = append(errs, err)
	}
	if err := c.CropSize.validate("crop_size"); err != nil {
		errs = append(errs, err)
	}
	if c.Resample != nil && (*c.Resample < 0 || *c.Resample > 5) {
		errs = append(errs, fmt.Errorf("resample: %d is not a PIL filter (0-5)", *c.Resample))
	}
	if c.RescaleFactor != nil && *c.RescaleFactor <= 0 {
		errs = append(errs, fmt.Errorf("rescale_factor: %g is not positive", *c.RescaleFactor))
	}
	for _, l := range []struct {
		key string
		v   FloatList
	}{{"image_mean", c.ImageMean}, {"image_std", c.ImageStd}} {
		if l.v != nil && len(l.v) != 1 && len(l.v) != 3 {
			errs = append(errs, fmt.Errorf("%s: %d values, want 1 or 3", l.key, len(l.v)))
		}
	}
	for _, s := range c.ImageStd {
		if s == 0 {
			errs = append(errs, errors.New("image_std: a standard deviation is zero"))
			break
		}
	}
	return errors.Join(errs...)
}

// ReadPreprocessorConfig reads dir/preprocessor_config.json and returns it
// with the file's bytes (for MergeJSON).
func ReadPreprocessorConfig(dir string) (*PreprocessorConfig, []byte, error) {
	var c PreprocessorConfig
	raw, err := ReadJSON(filepath.Join(dir, PreprocessorConfigFile), &c)
	if err != nil {
		return nil, nil, err
	}
	return &c, raw, nil
}

// abbrevJSON shortens a JSON value for an error message.
func abbrevJSON(data []byte) string {
	s := string(bytes.TrimSpace(data))
	if r := []rune(s); len(r) > 40 {
		s = string(r[:37]) + "..."
	}
	return s
}
