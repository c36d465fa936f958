package imageproc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// ProcessorConfig is the content of a Hugging Face preprocessor_config.json
// for an image processor. Absent fields (nil) take the processor class's
// defaults. Size and CropSize accept the forms transformers accepts: an
// integer, {"shortest_edge": n} or {"height": h, "width": w}; ImageMean and
// ImageStd a number or a list of three.
type ProcessorConfig struct {
	ImageProcessorType   string          `json:"image_processor_type,omitempty"`
	FeatureExtractorType string          `json:"feature_extractor_type,omitempty"`
	DoResize             *bool           `json:"do_resize,omitempty"`
	Size                 json.RawMessage `json:"size,omitempty"`
	Resample             *int            `json:"resample,omitempty"`
	DoCenterCrop         *bool           `json:"do_center_crop,omitempty"`
	CropSize             json.RawMessage `json:"crop_size,omitempty"`
	DoRescale            *bool           `json:"do_rescale,omitempty"`
	RescaleFactor        *float64        `json:"rescale_factor,omitempty"`
	DoNormalize          *bool           `json:"do_normalize,omitempty"`
	ImageMean            json.RawMessage `json:"image_mean,omitempty"`
	ImageStd             json.RawMessage `json:"image_std,omitempty"`
	DoConvertRGB         *bool           `json:"do_convert_rgb,omitempty"`
}

// Normalization constants of transformers' image_utils.
var (
	OpenAICLIPMean       = [3]float64{0.48145466, 0.4578275, 0.40821073}
	OpenAICLIPStd        = [3]float64{0.26862954, 0.26130258, 0.27577711}
	ImageNetStandardMean = [3]float64{0.5, 0.5, 0.5}
	ImageNetStandardStd  = [3]float64{0.5, 0.5, 0.5}
)

// processorDefaults are the constructor defaults of one transformers
// image-processor class.
type processorDefaults struct {
	name          string
	shortestEdge  int // > 0: resize the shortest edge (CLIP)
	height, width int // fixed resize size otherwise
	resample      Filter
	centerCrop    bool
	cropH, cropW  int
	mean, std     [3]float64
}

var (
	clipDefaults   = processorDefaults{name: "CLIPImageProcessor", shortestEdge: 224, resample: Bicubic, centerCrop: true, cropH: 224, cropW: 224, mean: OpenAICLIPMean, std: OpenAICLIPStd}
	siglipDefaults = processorDefaults{name: "SiglipImageProcessor", height: 224, width: 224, resample: Bicubic, mean: ImageNetStandardMean, std: ImageNetStandardStd}
	blipDefaults   = processorDefaults{name: "BlipImageProcessor", height: 384, width: 384, resample: Bicubic, mean: OpenAICLIPMean, std: OpenAICLIPStd}
	vitDefaults    = processorDefaults{name: "ViTImageProcessor", height: 224, width: 224, resample: Bilinear, mean: ImageNetStandardMean, std: ImageNetStandardStd}
)

// LoadProcessor reads a preprocessor_config.json and builds the processor
// its image_processor_type (or legacy feature_extractor_type) names:
// CLIPImageProcessor, SiglipImageProcessor, BlipImageProcessor or
// ViTImageProcessor.
func LoadProcessor(path string) (*Processor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("imageproc: %w", err)
	}
	p, err := ParseProcessor(data)
	if err != nil {
		return nil, fmt.Errorf("imageproc: %s: %w", path, err)
	}
	return p, nil
}

// ParseProcessor is LoadProcessor on the file's bytes.
func ParseProcessor(data []byte) (*Processor, error) {
	var cfg ProcessorConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("invalid preprocessor config JSON: %w", err)
	}
	typ := cfg.ImageProcessorType
	if typ == "" {
		typ = strings.Replace(cfg.FeatureExtractorType, "FeatureExtractor", "ImageProcessor", 1)
	}
	switch typ {
	case "CLIPImageProcessor":
		return NewCLIPProcessor(cfg)
	case "SiglipImageProcessor":
		return NewSiglipProcessor(cfg)
	case "BlipImageProcessor":
		return newProcessor(cfg, blipDefaults)
	case "ViTImageProcessor":
		return newProcessor(cfg, vitDefaults)
	case "":
		return nil, fmt.Errorf("no image_processor_type: set it to CLIPImageProcessor, SiglipImageProcessor, BlipImageProcessor or ViTImageProcessor")
	}
	return nil, fmt.Errorf("image_processor_type %q is not supported (supported: CLIPImageProcessor, SiglipImageProcessor, BlipImageProcessor, ViTImageProcessor)", typ)
}

// NewCLIPProcessor builds transformers' CLIPImageProcessor: resize the
// shortest edge (default 224, bicubic), center crop (default 224×224),
// rescale by 1/255 and normalize with the OpenAI CLIP mean and std.
func NewCLIPProcessor(cfg ProcessorConfig) (*Processor, error) {
	return newProcessor(cfg, clipDefaults)
}

// NewSiglipProcessor builds transformers' SiglipImageProcessor: resize to a
// fixed size (default 224×224, bicubic), rescale by 1/255 and normalize
// with mean and std 0.5.
func NewSiglipProcessor(cfg ProcessorConfig) (*Processor, error) {
	return newProcessor(cfg, siglipDefaults)
}

func newProcessor(cfg ProcessorConfig, d processorDefaults) (*Processor, error) {
	p := &Processor{
		Type: d.name, DoResize: true, ShortestEdge: d.shortestEdge, Height: d.height, Width: d.width,
		Resample: d.resample, DoCenterCrop: d.centerCrop, CropHeight: d.cropH, CropWidth: d.cropW,
		DoRescale: true, RescaleFactor: 1.0 / 255, DoNormalize: true, Mean: d.mean, Std: d.std,
	}
	boolOr := func(b *bool, dflt bool) bool {
		if b == nil {
			return dflt
		}
		return *b
	}
	p.DoResize = boolOr(cfg.DoResize, p.DoResize)
	p.DoCenterCrop = boolOr(cfg.DoCenterCrop, p.DoCenterCrop)
	p.DoRescale = boolOr(cfg.DoRescale, p.DoRescale)
	p.DoNormalize = boolOr(cfg.DoNormalize, p.DoNormalize)
	if present(cfg.Size) {
		// CLIP reads an integer size as the shortest edge, the fixed-size
		// processors as a square.
		se, h, w, err := parseSize(cfg.Size, "size", d.shortestEdge > 0)
		if err != nil {
			return nil, err
		}
		p.ShortestEdge, p.Height, p.Width = se, h, w
	}
	if d.shortestEdge == 0 && p.ShortestEdge > 0 {
		return nil, fmt.Errorf("size: %s needs {\"height\": h, \"width\": w}, not shortest_edge", d.name)
	}
	if present(cfg.CropSize) {
		se, h, w, err := parseSize(cfg.CropSize, "crop_size", false)
		if err != nil {
			return nil, err
		}
		if se > 0 {
			h, w = se, se
		}
		p.CropHeight, p.CropWidth = h, w
	}
	if cfg.Resample != nil {
		p.Resample = Filter(*cfg.Resample)
	}
	if cfg.RescaleFactor != nil {
		p.RescaleFactor = *cfg.RescaleFactor
	}
	var err error
	if p.Mean, err = parseTriple(cfg.ImageMean, "image_mean", p.Mean); err != nil {
		return nil, err
	}
	if p.Std, err = parseTriple(cfg.ImageStd, "image_std", p.Std); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.buildLUT()
	return p, nil
}

// parseSize reads a size field: an integer (shortest edge when intShortest,
// else a square), {"shortest_edge": n} or {"height": h, "width": w}.
func parseSize(raw json.RawMessage, key string, intShortest bool) (shortest, h, w int, err error) {
	var n int
	if json.Unmarshal(raw, &n) == nil {
		if intShortest {
			return n, 0, 0, nil
		}
		return 0, n, n, nil
	}
	var m map[string]int
	if err := json.Unmarshal(raw, &m); err != nil {
		return 0, 0, 0, fmt.Errorf("%s: want an integer or an object of integers, got %s", key, raw)
	}
	for k := range m {
		if k != "shortest_edge" && k != "height" && k != "width" {
			return 0, 0, 0, fmt.Errorf("%s: key %q is not supported (use shortest_edge, or height and width)", key, k)
		}
	}
	if se, ok := m["shortest_edge"]; ok {
		if len(m) != 1 {
			return 0, 0, 0, fmt.Errorf("%s: shortest_edge cannot be combined with height/width", key)
		}
		return se, 0, 0, nil
	}
	h, okH := m["height"]
	w, okW := m["width"]
	if !okH || !okW {
		return 0, 0, 0, fmt.Errorf("%s: needs both height and width, got %s", key, raw)
	}
	return 0, h, w, nil
}

// parseTriple reads a number or a list of three numbers.
func parseTriple(raw json.RawMessage, key string, dflt [3]float64) ([3]float64, error) {
	if !present(raw) {
		return dflt, nil
	}
	var x float64
	if json.Unmarshal(raw, &x) == nil {
		return [3]float64{x, x, x}, nil
	}
	var l []float64
	if err := json.Unmarshal(raw, &l); err != nil || len(l) != 3 {
		return dflt, fmt.Errorf("%s: want a number or a list of 3 numbers (one per RGB channel), got %s", key, raw)
	}
	return [3]float64{l[0], l[1], l[2]}, nil
}

// present reports whether a JSON field was given a non-null value.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(bytes.TrimSpace(raw)) != "null"
}
