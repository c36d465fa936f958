// Package prep turns examples and texts into dual-encoder inputs: it
// tokenizes captions with the model's tokenizer and decodes, augments and
// normalises images as its preprocessor_config.json says. It does
// preprocessing only: training feeds its Transform to the data loader, and
// package infer/dual encodes what it prepares.
package prep

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/loader"
	"github.com/vlmtune/vlmtune/imageproc"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/textaug"
	"github.com/vlmtune/vlmtune/tokenizer"
)

// Prep turns examples into model inputs: it tokenizes captions and decodes,
// augments and normalises images, as the model's tokenizer and
// preprocessor_config.json say.
type Prep struct {
	Tok  *tokenizer.Tokenizer
	Proc *imageproc.Processor
	// Augment applies to training images only (nil: none).
	Augment *imageproc.Augment
	// Text augments training captions (nil: none).
	Text *textaug.Augmenter
	// MaxLen is the token limit (special tokens included); PadToMax pads
	// every row to it (SigLIP), otherwise rows pad to the batch's longest.
	MaxLen   int
	PadToMax bool
	Size     int // image side
}

// New loads the tokenizer (from tokDir) and image processor (from
// modelDir/preprocessor_config.json) for m.
func New(m models.DualEncoder, modelDir, tokDir string, aug *imageproc.Augment) (*Prep, error) {
	if tokDir == "" {
		tokDir = modelDir
	}
	tok, err := tokenizer.Load(tokDir)
	if err != nil {
		return nil, fmt.Errorf("loading the tokenizer: %w", err)
	}
	proc, err := imageproc.LoadProcessor(modelDir + "/preprocessor_config.json")
	if err != nil {
		return nil, fmt.Errorf("loading the image processor: %w", err)
	}
	w, h := proc.OutputSize(m.ImageSize(), m.ImageSize())
	if w != m.ImageSize() || h != m.ImageSize() {
		return nil, fmt.Errorf("%s/preprocessor_config.json produces %dx%d images but the model takes %dx%d", modelDir, w, h, m.ImageSize(), m.ImageSize())
	}
	return &Prep{Tok: tok, Proc: proc, Augment: aug, MaxLen: m.MaxTextLen(), PadToMax: !m.UsesTextMask(), Size: m.ImageSize()}, nil
}

// PadID is the id padding rows use.
func (p *Prep) PadID() int32 { return int32(p.Tok.PadID()) }

// encodeOne tokenizes one text with truncation to MaxLen.
func (p *Prep) encodeOne(text string) []int32 {
	enc := p.Tok.EncodeBatch([]string{text}, tokenizer.EncodeOptions{MaxLength: p.MaxLen, Truncation: true, AddSpecialTokens: true})[0]
	ids := make([]int32, len(enc.IDs))
	for i, v := range enc.IDs {
		ids[i] = int32(v)
	}
	return ids
}

// EncodeTexts tokenizes texts into padded rows [N, T] and masks.
func (p *Prep) EncodeTexts(texts []string) (ids, mask []int32, t int) {
	rows := make([][]int32, len(texts))
	for i, s := range texts {
		rows[i] = p.encodeOne(s)
		t = max(t, len(rows[i]))
	}
	if p.PadToMax {
		t = p.MaxLen
	}
	ids = make([]int32, len(texts)*t)
	mask = make([]int32, len(texts)*t)
	pad := p.PadID()
	for i, r := range rows {
		for j := 0; j < t; j++ {
			if j < len(r) {
				ids[i*t+j], mask[i*t+j] = r[j], 1
			} else {
				ids[i*t+j] = pad
			}
		}
	}
	return ids, mask, t
}

// Image decodes and processes an example's image into dst [3, S, S],
// augmenting when rng is not nil and Augment is set.
func (p *Prep) Image(ex *data.Example, dst []float32, rng *rand.Rand) error {
	if ex.Image == nil {
		return fmt.Errorf("%s: the example has no image", ex.Origin)
	}
	raw, err := ex.Image.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", ex.Origin, err)
	}
	if rng == nil || p.Augment == nil || !p.Augment.Enabled() {
		// Decoding, colour conversion and resizing in one pass.
		if err := p.Proc.ProcessBytes(dst, ex.Image.Name, raw); err != nil {
			return fmt.Errorf("%s: %w", ex.Origin, err)
		}
		return nil
	}
	img, err := imageproc.DecodeNamed(ex.Image.Name, raw)
	if err != nil {
		return fmt.Errorf("%s: %w", ex.Origin, err)
	}
	if err := p.Augment.ProcessInto(p.Proc, dst, img, rng); err != nil {
		return fmt.Errorf("%s: %w", ex.Origin, err)
	}
	return nil
}

// Transform is the training loader's transform: a random caption of the
// example (the first when rng is nil), tokenized, and its image.
func (p *Prep) Transform(augment bool) loader.Transform {
	return func(_ context.Context, ex *data.Example, rng *rand.Rand) (loader.Sample, error) {
		if len(ex.Captions) == 0 {
			return loader.Sample{}, fmt.Errorf("%s: no caption", ex.Origin)
		}
		caption := ex.Captions[0]
		if augment && len(ex.Captions) > 1 {
			caption = ex.Captions[rng.IntN(len(ex.Captions))]
		}
		if augment && p.Text != nil {
			var err error
			if caption, err = p.Text.Apply(caption, MetaMap(&ex.Meta), rng); err != nil {
				return loader.Sample{}, fmt.Errorf("%s: %w", ex.Origin, err)
			}
		}
		s := loader.Sample{C: 3, H: p.Size, W: p.Size, Pixels: make([]float32, 3*p.Size*p.Size), InputIDs: p.encodeOne(caption)}
		var r *rand.Rand
		if augment {
			r = rng
		}
		if err := p.Image(ex, s.Pixels, r); err != nil {
			return loader.Sample{}, err
		}
		return s, nil
	}
}

// ToBatch converts a loader batch to model inputs.
func ToBatch(b *loader.Batch) models.PairBatch {
	return models.PairBatch{IDs: b.InputIDs, Mask: b.AttentionMask, B: b.Size, T: b.T, Pixels: tensor.Wrap(b.Pixels, b.Size, b.C, b.H, b.W)}
}

// LoadLabels reads a class-name file (one name per line; blank lines and
// lines starting with # are skipped).
func LoadLabels(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var names []string
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if prev, ok := seen[s]; ok {
			return nil, fmt.Errorf("%s:%d: class %q repeats line %d", path, line, s, prev)
		}
		seen[s] = line
		names = append(names, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(names) < 2 {
		return nil, fmt.Errorf("%s: %d class names; zero-shot evaluation needs at least 2", path, len(names))
	}
	return names, nil
}

// MetaMap turns metadata into the map textaug's templates read: source,
// language, quality_score and every extra field, JSON-decoded.
func MetaMap(m *data.Metadata) map[string]any {
	out := map[string]any{}
	if m.Source != "" {
		out["source"] = m.Source
	}
	if m.Language != "" {
		out["language"] = m.Language
	}
	if m.HasQuality {
		out["quality_score"] = m.QualityScore
	}
	for k, raw := range m.Extra {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			out[k] = v
		}
	}
	return out
}

// CountTokens returns the number of tokens of text (special tokens
// included, truncated at MaxLen): data.TokenCounter for length curricula.
func (p *Prep) CountTokens(text string) int { return len(p.encodeOne(text)) }

// MaxTokens returns the token limit.
func (p *Prep) MaxTokens() int { return p.MaxLen }
