package synth

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vlmtune/vlmtune/internal/streamrng"
	"image"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Pair is one line of pairs.jsonl (vlmtune's image–text pair format).
type Pair struct {
	ImagePath string   `json:"image_path"`
	Caption   string   `json:"caption"`
	Captions  []string `json:"captions"`
	Metadata  Metadata `json:"metadata"`
}

// Metadata describes what an image shows. Shape, Color and Label are what
// was drawn; under label noise the captions say something else and
// NoisyLabel is true.
type Metadata struct {
	Source       string  `json:"source"`
	QualityScore float64 `json:"quality_score"`
	Language     string  `json:"language"`
	Label        string  `json:"label"`
	LabelID      int     `json:"label_id"`
	Shape        string  `json:"shape"`
	Color        string  `json:"color"`
	Count        int     `json:"count"`
	Size         string  `json:"size"`
	Texture      string  `json:"texture"`
	Position     string  `json:"position,omitempty"`
	Background   string  `json:"background"`
	Domain       string  `json:"domain"`
	Split        string  `json:"split"`
	NoisyLabel   bool    `json:"noisy_label"`
}

// Conversation is one entry of conversations.json (LLaVA's format).
type Conversation struct {
	ID            string `json:"id"`
	Image         string `json:"image"`
	Conversations []Turn `json:"conversations"`
}

// Example is one generated example in memory.
type Example struct {
	Image        *image.RGBA
	Pair         Pair
	Conversation Conversation
}

// Generator draws examples of one configuration; it is safe for
// concurrent use.
type Generator struct {
	cfg    Config
	vocab  vocabulary
	labels []string
}

// NewGenerator validates cfg (after defaults) and returns its generator.
func NewGenerator(cfg Config) (*Generator, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Generator{cfg: cfg, vocab: domainVocabulary(cfg.Domain), labels: Labels(cfg.Domain)}, nil
}

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Labels returns the class names of labels.txt.
func (g *Generator) Labels() []string { return slices.Clone(g.labels) }

// rng returns example i's random stream.
func (g *Generator) rng(i int) *rand.Rand {
	stream := "synth/" + g.cfg.Kind + "/" + g.cfg.Domain + "/" + g.cfg.Split
	return streamrng.New(g.cfg.Seed, stream, uint64(i))
}

// ImageName returns the relative path of example i's image.
func ImageName(i int) string { return fmt.Sprintf("images/%06d.png", i) }

// Example draws example i (0 ≤ i < N).
func (g *Generator) Example(i int) Example {
	rng := g.rng(i)
	ex := drawExample(g.cfg, g.vocab, rng)
	img := ex.scene.render(g.cfg.Size, rng)
	caps := captions(&ex)
	label := ex.scene.color.name + " " + ex.scene.shape
	name := ImageName(i)
	return Example{
		Image: img,
		Pair: Pair{
			ImagePath: name,
			Caption:   caps[rng.IntN(len(caps))],
			Captions:  caps,
			Metadata: Metadata{
				Source: "synth-shapes", QualityScore: ex.quality, Language: "en",
				Label: label, LabelID: slices.Index(g.labels, label),
				Shape: ex.scene.shape, Color: ex.scene.color.name, Count: len(ex.scene.objects),
				Size: ex.scene.size, Texture: ex.scene.texture, Position: ex.position,
				Background: ex.scene.bgName, Domain: g.cfg.Domain, Split: g.cfg.Split, NoisyLabel: ex.noisy,
			},
		},
		Conversation: Conversation{ID: fmt.Sprintf("%06d", i), Image: name, Conversations: questions(&ex, g.vocab.colors, rng)},
	}
}

// Summary reports what Generate wrote.
type Summary struct {
	Dir      string
	Examples int
	Labels   int
}

// managed matches the files Generate writes, which --force may replace.
var managed = regexp.MustCompile(`^(pairs\.jsonl|conversations\.json|labels\.txt|synth\.json|images)$`)

// Generate writes the data set into dir: images/NNNNNN.png, pairs.jsonl,
// conversations.json, labels.txt and synth.json (the parameters). dir must
// be empty or absent unless force is set, in which case the files and the
// images folder a previous run wrote are replaced (other files are left
// alone). workers ≤ 0 means one per CPU; the output does not depend on it.
func Generate(ctx context.Context, cfg Config, dir string, workers int, force bool) (*Summary, error) {
	g, err := NewGenerator(cfg)
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir, force); err != nil {
		return nil, err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	n := g.cfg.N
	pairs := make([]Pair, n)
	convs := make([]Conversation, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			enc := newPNGWriter()
			for i := range next {
				ex := g.Example(i)
				data, err := enc.encode(ex.Image)
				if err == nil {
					err = os.WriteFile(filepath.Join(dir, filepath.FromSlash(ex.Pair.ImagePath)), data, 0o644)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("synth: writing image %d: %w", i, err)
					}
					mu.Unlock()
					cancel()
					continue
				}
				pairs[i], convs[i] = ex.Pair, ex.Conversation
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("synth: interrupted after writing some images into %s: %w", dir, err)
	}
	if err := writeMeta(dir, g, pairs, convs); err != nil {
		return nil, err
	}
	return &Summary{Dir: dir, Examples: n, Labels: len(g.labels)}, nil
}

// prepareDir creates dir and its images folder, refusing a non-empty dir
// unless force is set.
func prepareDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("synth: %w", err)
	case len(entries) > 0 && !force:
		return fmt.Errorf("synth: %s is not empty; choose another folder or pass --force to replace a previous data set there", dir)
	case len(entries) > 0:
		for _, e := range entries {
			if managed.MatchString(e.Name()) {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					return fmt.Errorf("synth: %w", err)
				}
			}
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "images"), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// writeMeta writes pairs.jsonl, conversations.json, labels.txt and
// synth.json.
func writeMeta(dir string, g *Generator, pairs []Pair, convs []Conversation) error {
	write := func(name string, fill func(w *bufio.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		err = fill(w)
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("synth: writing %s: %w", filepath.Join(dir, name), err)
		}
		return nil
	}
	err := write("pairs.jsonl", func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, p := range pairs {
			if err := enc.Encode(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = write("conversations.json", func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		return enc.Encode(convs)
	})
	if err != nil {
		return err
	}
	err = write("labels.txt", func(w *bufio.Writer) error {
		_, err := w.WriteString(strings.Join(g.labels, "\n") + "\n")
		return err
	})
	if err != nil {
		return err
	}
	return write("synth.json", func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(struct {
			Generator string   `json:"generator"`
			Format    int      `json:"format"`
			Config    Config   `json:"config"`
			Files     []string `json:"files"`
			Labels    []string `json:"labels"`
		}{"vlmtune data synth", 1, g.cfg, []string{"images/NNNNNN.png", "pairs.jsonl", "conversations.json", "labels.txt"}, g.labels})
	})
}
