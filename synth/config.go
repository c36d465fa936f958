// Package synth generates the synthetic "shapes" data set: small images of
// coloured shapes with several paraphrased captions, question–answer
// conversations and metadata. It is the data behind vlmtune's built-in
// default run, its tests and its benchmarks.
//
// The data is learnable by a very small model (one dominant object on a
// plain background by default, 64×64 pixels) and allows a domain shift:
// domain "a" draws from one set of shapes, colours, textures and
// backgrounds; domain "b" from a disjoint set (shapes, colours, textures and
// dark backgrounds that never occur in "a"); "ab" mixes both. A model
// trained on "a" cannot name what it sees in "b" zero-shot, and fine-tuning
// on "b" fixes that.
//
// Everything is a function of (seed, domain, split, example index): the
// same parameters give byte-identical files, whatever the number of workers.
package synth

import (
	"fmt"
	"slices"
	"strings"
)

// Config holds the generator's parameters.
type Config struct {
	// Kind is the kind of data set; "shapes" is the one there is.
	Kind string `json:"kind"`
	// N is the number of examples.
	N int `json:"n"`
	// Seed seeds every random choice.
	Seed uint64 `json:"seed"`
	// Size is the side of the square images in pixels (default 64).
	Size int `json:"size"`
	// Domain selects the shapes, colours, textures and backgrounds: "a"
	// (default), "b" or "ab".
	Domain string `json:"domain"`
	// Split names the split ("train" by default); it is recorded in the
	// metadata and mixed into the seed, so train and val drawn with the
	// same seed differ.
	Split string `json:"split"`
	// MaxObjects is the largest number of objects in an image (default 1);
	// with more than one, images hold 1..MaxObjects copies of one shape and
	// captions and questions mention the count.
	MaxObjects int `json:"max_objects"`
	// LabelNoise is the fraction of examples whose captions and answers
	// describe the wrong shape or colour; they get a low quality score
	// (below 0.45, clean ones 0.6 or more), so quality filtering can be
	// tested.
	LabelNoise float64 `json:"label_noise"`
}

// Kinds lists the supported data set kinds.
var Kinds = []string{"shapes"}

// Domain vocabularies. Colours are sRGB centres; each image jitters them.
var (
	shapesA   = []string{"circle", "square", "triangle", "cross"}
	shapesB   = []string{"star", "hexagon", "diamond", "heart"}
	texturesA = []string{"solid", "striped"}
	texturesB = []string{"dotted", "checkered"}
)

type namedColor struct {
	name string
	rgb  [3]uint8
}

var (
	colorsA = []namedColor{{"red", [3]uint8{220, 40, 40}}, {"green", [3]uint8{40, 170, 60}}, {"blue", [3]uint8{40, 80, 220}}, {"yellow", [3]uint8{235, 205, 40}}}
	colorsB = []namedColor{{"purple", [3]uint8{140, 60, 190}}, {"orange", [3]uint8{245, 135, 30}}, {"cyan", [3]uint8{40, 200, 210}}, {"pink", [3]uint8{240, 120, 180}}}
)

// vocabulary is what one domain draws from.
type vocabulary struct {
	shapes, textures []string
	colors           []namedColor
	darkBackground   []bool // choices for the background brightness
}

func domainVocabulary(domain string) vocabulary {
	switch domain {
	case "b":
		return vocabulary{shapesB, texturesB, colorsB, []bool{true}}
	case "ab":
		return vocabulary{concat(shapesA, shapesB), concat(texturesA, texturesB), concat(colorsA, colorsB), []bool{false, true}}
	}
	return vocabulary{shapesA, texturesA, colorsA, []bool{false}}
}

func concat[T any](a, b []T) []T { return append(slices.Clone(a), b...) }

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.Kind == "" {
		c.Kind = "shapes"
	}
	if c.Size == 0 {
		c.Size = 64
	}
	if c.Domain == "" {
		c.Domain = "a"
	}
	if c.Split == "" {
		c.Split = "train"
	}
	if c.MaxObjects == 0 {
		c.MaxObjects = 1
	}
	return c
}

// Validate checks the parameters (after defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case !slices.Contains(Kinds, c.Kind):
		return fmt.Errorf("synth: kind %q is not supported (supported: %s)", c.Kind, strings.Join(Kinds, ", "))
	case c.N <= 0:
		return fmt.Errorf("synth: n must be positive, got %d", c.N)
	case c.Size < 16 || c.Size > 1024:
		return fmt.Errorf("synth: size must be 16..1024 pixels, got %d", c.Size)
	case c.Domain != "a" && c.Domain != "b" && c.Domain != "ab":
		return fmt.Errorf("synth: domain %q is not a, b or ab", c.Domain)
	case c.MaxObjects < 1 || c.MaxObjects > 9:
		return fmt.Errorf("synth: max objects must be 1..9, got %d", c.MaxObjects)
	case !(c.LabelNoise >= 0 && c.LabelNoise <= 1):
		return fmt.Errorf("synth: label noise is a fraction in [0, 1], got %v", c.LabelNoise)
	case strings.ContainsAny(c.Split, "/\\\n") || strings.TrimSpace(c.Split) != c.Split:
		return fmt.Errorf("synth: split %q must be a plain name", c.Split)
	}
	return nil
}

// Labels returns the zero-shot class names of a domain, "<colour> <shape>"
// for every colour and shape, in the order of labels.txt.
func Labels(domain string) []string {
	v := domainVocabulary(domain)
	var out []string
	for _, c := range v.colors {
		for _, s := range v.shapes {
			out = append(out, c.name+" "+s)
		}
	}
	return out
}
