package textaug

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Config configures text augmentation. Zero values turn each operation
// off. The word operations follow EDA (Wei and Zou, 2019): with n words,
// synonym replacement changes max(1, int(SynonymProb·n)) words that have
// synonyms, random insertion inserts max(1, int(InsertProb·n)) synonyms of
// random words at random places, random swap exchanges two random words
// max(1, int(SwapProb·n)) times and random deletion drops each word with
// probability DeleteProb (keeping one random word if all would go).
type Config struct {
	// Thesaurus is the synonym file (see Thesaurus for the formats); needed
	// by SynonymProb and InsertProb.
	Thesaurus   string  `json:"thesaurus,omitempty" yaml:"thesaurus,omitempty"`
	SynonymProb float64 `json:"synonym_prob,omitempty" yaml:"synonym_prob,omitempty"`
	InsertProb  float64 `json:"insert_prob,omitempty" yaml:"insert_prob,omitempty"`
	SwapProb    float64 `json:"swap_prob,omitempty" yaml:"swap_prob,omitempty"`
	DeleteProb  float64 `json:"delete_prob,omitempty" yaml:"delete_prob,omitempty"`
	// Templates build a caption from the example's metadata; with
	// probability TemplateProb (1 when Templates are given and it is 0) the
	// caption is replaced by one of them, chosen at random, before the word
	// operations run.
	Templates    []string `json:"templates,omitempty" yaml:"templates,omitempty"`
	TemplateProb float64  `json:"template_prob,omitempty" yaml:"template_prob,omitempty"`
}

// Validate checks the probabilities, that a thesaurus is named when it is
// needed and that the templates parse.
func (c *Config) Validate() error { return c.validate(false) }

func (c *Config) validate(haveThesaurus bool) error {
	var errs []error
	for _, p := range []struct {
		name string
		v    float64
	}{{"synonym_prob", c.SynonymProb}, {"insert_prob", c.InsertProb}, {"swap_prob", c.SwapProb}, {"delete_prob", c.DeleteProb}, {"template_prob", c.TemplateProb}} {
		if !(p.v >= 0 && p.v <= 1) {
			errs = append(errs, fmt.Errorf("text_augment.%s: a probability in [0, 1], got %v", p.name, p.v))
		}
	}
	if (c.SynonymProb > 0 || c.InsertProb > 0) && c.Thesaurus == "" && !haveThesaurus {
		errs = append(errs, errors.New("text_augment: synonym_prob and insert_prob need a thesaurus file (text_augment.thesaurus)"))
	}
	if c.TemplateProb > 0 && len(c.Templates) == 0 {
		errs = append(errs, errors.New("text_augment.template_prob is set but there are no templates"))
	}
	for i, s := range c.Templates {
		if _, err := ParseTemplate(s); err != nil {
			errs = append(errs, fmt.Errorf("text_augment.templates[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// Augmenter applies a Config; it is safe for concurrent use.
type Augmenter struct {
	cfg       Config
	thes      *Thesaurus
	templates []*Template
}

// New validates cfg and builds an Augmenter; thes may be nil when cfg does
// not use synonyms (when cfg names a thesaurus and thes is nil, the file is
// loaded).
func New(cfg Config, thes *Thesaurus) (*Augmenter, error) {
	if err := cfg.validate(thes != nil); err != nil {
		return nil, err
	}
	if thes == nil && cfg.Thesaurus != "" {
		var err error
		if thes, err = LoadThesaurus(cfg.Thesaurus); err != nil {
			return nil, err
		}
	}
	a := &Augmenter{cfg: cfg, thes: thes}
	for _, s := range cfg.Templates {
		t, _ := ParseTemplate(s) // validated above
		a.templates = append(a.templates, t)
	}
	return a, nil
}

// CheckFields reports the template fields a metadata record lacks, so that
// a data set can be checked before training.
func (a *Augmenter) CheckFields(meta map[string]any) error {
	for _, t := range a.templates {
		for _, f := range t.Fields() {
			if _, ok := meta[f]; !ok {
				return fmt.Errorf("textaug: template %q: unknown field %q (the metadata has: %s)", t.src, f, fieldList(meta))
			}
		}
	}
	return nil
}

// Apply augments one caption. meta is the example's metadata (for
// templates); rng comes from NewRNG(seed, epoch, index). The draws happen
// in a fixed order (template, synonyms, insertion, swap, deletion), each
// from its own sub-stream, so turning one operation off leaves the others'
// choices unchanged.
func (a *Augmenter) Apply(text string, meta map[string]any, rng *rand.Rand) (string, error) {
	var seeds [5]uint64
	for i := range seeds {
		seeds[i] = rng.Uint64()
	}
	sub := func(i int) *rand.Rand { return rand.New(rand.NewPCG(seeds[i], seeds[i]^0x5bd1e9955bd1e995)) }
	c := &a.cfg
	if len(a.templates) > 0 {
		r := sub(0)
		p := c.TemplateProb
		if p == 0 {
			p = 1
		}
		if r.Float64() < p {
			s, err := a.templates[r.IntN(len(a.templates))].Execute(meta)
			if err != nil {
				return "", err
			}
			text = s
		}
	}
	words := strings.Fields(text)
	if len(words) == 0 {
		return text, nil
	}
	if c.SynonymProb > 0 {
		words = a.replaceSynonyms(words, max(1, int(c.SynonymProb*float64(len(words)))), sub(1))
	}
	if c.InsertProb > 0 {
		words = a.insertSynonyms(words, max(1, int(c.InsertProb*float64(len(words)))), sub(2))
	}
	if c.SwapProb > 0 {
		words = swapWords(words, max(1, int(c.SwapProb*float64(len(words)))), sub(3))
	}
	if c.DeleteProb > 0 {
		words = deleteWords(words, c.DeleteProb, sub(4))
	}
	return strings.Join(words, " "), nil
}

// span is a run of words [i, j) that matches a thesaurus entry.
type span struct{ i, j int }

// matches finds the thesaurus entries in words, longest first at each
// position, ignoring case and surrounding punctuation.
func (a *Augmenter) matches(words []string) []span {
	var out []span
	for i := 0; i < len(words); {
		found := 0
		for n := min(a.thes.maxWords, len(words)-i); n >= 1; n-- {
			parts := make([]string, n)
			for k := range n {
				_, core, _ := splitPunct(words[i+k])
				parts[k] = core
			}
			if a.thes.Synonyms(strings.Join(parts, " ")) != nil {
				found = n
				break
			}
		}
		if found > 0 {
			out = append(out, span{i, i + found})
			i += found
		} else {
			i++
		}
	}
	return out
}

func (a *Augmenter) phrase(words []string, s span) string {
	parts := make([]string, 0, s.j-s.i)
	for _, w := range words[s.i:s.j] {
		_, core, _ := splitPunct(w)
		parts = append(parts, core)
	}
	return strings.Join(parts, " ")
}

// replaceSynonyms replaces up to n matched words or phrases (chosen at
// random) by a random synonym, keeping the original's punctuation and
// capitalisation.
func (a *Augmenter) replaceSynonyms(words []string, n int, rng *rand.Rand) []string {
	spans := a.matches(words)
	rng.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
	spans = spans[:min(n, len(spans))]
	repl := map[int]span{}
	for _, s := range spans {
		repl[s.i] = s
	}
	var out []string
	for i := 0; i < len(words); {
		s, ok := repl[i]
		if !ok {
			out = append(out, words[i])
			i++
			continue
		}
		syns := a.thes.Synonyms(a.phrase(words, s))
		pre, first, _ := splitPunct(words[s.i])
		_, _, post := splitPunct(words[s.j-1])
		rep := strings.Fields(matchCase(syns[rng.IntN(len(syns))], first))
		rep[0] = pre + rep[0]
		rep[len(rep)-1] += post
		out = append(out, rep...)
		i = s.j
	}
	return out
}

// insertSynonyms inserts n times a random synonym of a random matched word
// at a random position.
func (a *Augmenter) insertSynonyms(words []string, n int, rng *rand.Rand) []string {
	spans := a.matches(words)
	if len(spans) == 0 {
		return words
	}
	for range n {
		s := spans[rng.IntN(len(spans))]
		syns := a.thes.Synonyms(a.phrase(words, s))
		ins := strings.Fields(syns[rng.IntN(len(syns))])
		at := rng.IntN(len(words) + 1)
		words = append(words[:at:at], append(ins, words[at:]...)...)
		// Positions moved: only spans before the insertion point stay
		// valid, which is all the next draw needs to be a real match.
		spans = a.matches(words)
	}
	return words
}

// swapWords exchanges two random positions n times (EDA retries up to
// three times when both positions are the same).
func swapWords(words []string, n int, rng *rand.Rand) []string {
	if len(words) < 2 {
		return words
	}
	out := append([]string(nil), words...)
	for range n {
		i := rng.IntN(len(out))
		j := rng.IntN(len(out))
		for tries := 0; j == i && tries < 3; tries++ {
			j = rng.IntN(len(out))
		}
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// deleteWords drops each word with probability p, keeping one random word
// when all would be dropped.
func deleteWords(words []string, p float64, rng *rand.Rand) []string {
	if len(words) == 1 {
		return words
	}
	var out []string
	for _, w := range words {
		if rng.Float64() >= p {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return []string{words[rng.IntN(len(words))]}
	}
	return out
}

// splitPunct splits a token into leading punctuation, its core and
// trailing punctuation ("(Car," → "(", "Car", ",").
func splitPunct(tok string) (pre, core, post string) {
	start := strings.IndexFunc(tok, func(r rune) bool { return !unicode.IsPunct(r) })
	if start < 0 {
		return tok, "", ""
	}
	end := strings.LastIndexFunc(tok, func(r rune) bool { return !unicode.IsPunct(r) })
	_, size := utf8.DecodeRuneInString(tok[end:])
	return tok[:start], tok[start : end+size], tok[end+size:]
}

// matchCase gives repl the capitalisation of orig: all capitals when orig
// has several letters all upper case, a capital first letter when orig has
// one, else repl as the thesaurus spells it (lower case).
func matchCase(repl, orig string) string {
	letters, upper := 0, 0
	for _, r := range orig {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	first, _ := utf8.DecodeRuneInString(orig)
	switch {
	case letters > 1 && upper == letters:
		return strings.ToUpper(repl)
	case unicode.IsUpper(first):
		r, size := utf8.DecodeRuneInString(repl)
		return string(unicode.ToUpper(r)) + repl[size:]
	}
	return repl
}
