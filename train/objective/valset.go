package objective

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/prep"
	"github.com/vlmtune/vlmtune/tensor"
)

// ValSet is a prepared validation set: every image once, every distinct
// caption string once (Match lists the captions of each image), and
// optionally a class per image with tokenized class prompts for zero-shot
// accuracy.
type ValSet struct {
	// Pixels holds the processed images [N, 3, H, W].
	Pixels *tensor.Tensor
	// Captions are token rows [M, T] with masks; Match[i] lists the
	// captions of image i and First[i] is its first (used for the loss).
	CaptionIDs, CaptionMask []int32
	T                       int
	Match                   [][]int
	First                   []int
	// Labels[i] is image i's class (−1: unknown) when zero-shot is
	// evaluated; PromptIDs[c] holds class c's prompt token rows [P, T]
	// (one per template) and PromptMask their masks.
	Labels     []int
	PromptIDs  [][]int32
	PromptMask [][]int32
	ClassNames []string
}

// BuildValSet prepares a validation set from examples: every image
// processed once without augmentation, every caption tokenized, and, when
// classes are given, each image's class from its metadata field and the
// class prompts.
func BuildValSet(p *prep.Prep, examples []*data.Example, classes []string, field string, templates []string) (*ValSet, error) {
	n := len(examples)
	v := &ValSet{Pixels: tensor.Zeros(n, 3, p.Size, p.Size), ClassNames: classes}
	per := 3 * p.Size * p.Size
	// Identical caption strings are one text that describes every image
	// it belongs to (the synthetic data repeats short captions).
	var texts []string
	textIndex := map[string]int{}
	for i, ex := range examples {
		if err := p.Image(ex, v.Pixels.Data()[i*per:(i+1)*per], nil); err != nil {
			return nil, err
		}
		if len(ex.Captions) == 0 {
			return nil, fmt.Errorf("%s: no caption", ex.Origin)
		}
		var match []int
		for _, c := range ex.Captions {
			t, ok := textIndex[c]
			if !ok {
				t = len(texts)
				textIndex[c] = t
				texts = append(texts, c)
			}
			if !slices.Contains(match, t) {
				match = append(match, t)
			}
		}
		v.First = append(v.First, match[0])
		v.Match = append(v.Match, match)
	}
	nCaptions := len(texts)
	var labels []int
	if len(classes) > 0 {
		index := map[string]int{}
		for i, c := range classes {
			index[c] = i
		}
		labels = make([]int, n)
		known := 0
		for i, ex := range examples {
			labels[i] = -1
			if val, ok := ex.Meta.Field(field); ok {
				if c, ok := index[val]; ok {
					labels[i] = c
					known++
				}
			}
		}
		if known == 0 {
			return nil, fmt.Errorf("no validation example has a metadata field %q naming one of the %d classes", field, len(classes))
		}
		// Class prompts are tokenized with the captions so that all rows
		// share one length.
		for _, c := range classes {
			for _, tpl := range templates {
				texts = append(texts, strings.ReplaceAll(tpl, "{}", c))
			}
		}
	}
	ids, mask, t := p.EncodeTexts(texts)
	v.T = t
	v.CaptionIDs, v.CaptionMask = ids[:nCaptions*t], mask[:nCaptions*t]
	v.Labels = labels
	k := len(templates)
	for c := range classes {
		lo := (nCaptions + c*k) * t
		v.PromptIDs = append(v.PromptIDs, ids[lo:lo+k*t])
		v.PromptMask = append(v.PromptMask, mask[lo:lo+k*t])
	}
	return v, nil
}
