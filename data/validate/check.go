// Package validate checks examples read by package data: images that open
// and decode, non-empty captions within the tokenizer's limit, <image> tags
// that match the image, well-formed conversations, and duplicates. The same
// Checker serves `vlmtune data validate` (Run) and training (CheckErr with a
// skip-or-fail policy in package data/loader).
package validate

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/imagecheck"
)

// Options configure a Checker.
type Options struct {
	// Decode decodes whole images instead of reading their headers.
	Decode bool
	// Tokens, when set, counts caption tokens; texts over its MaxTokens are
	// reported (as warnings) with the number of tokens that would be cut.
	Tokens data.TokenCounter
	// SkipImages leaves images unchecked (text-only checks).
	SkipImages bool
	// Duplicates reports records with the same image and text as an earlier
	// one (as warnings). It keeps about 100 bytes per record.
	Duplicates bool
	// ImageCache is the number of image results cached (0: default).
	ImageCache int
}

// Checker checks examples. It is safe for concurrent use; duplicate
// detection depends on the order in which examples are checked.
type Checker struct {
	opts   Options
	images *imagecheck.Checker
	mu     sync.Mutex
	seen   map[[16]byte]data.Origin
}

// New returns a Checker.
func New(opts Options) *Checker {
	c := &Checker{opts: opts, images: imagecheck.New(opts.Decode, opts.ImageCache)}
	if opts.Duplicates {
		c.seen = make(map[[16]byte]data.Origin)
	}
	return c
}

// Result is what Check found out about one example.
type Result struct {
	// Problems lists errors and warnings, in a fixed order.
	Problems []*data.RecordError
	// Image describes the image when it decoded.
	Image imagecheck.Info
	// HasImage tells whether Image is set.
	HasImage bool
}

// HasError tells whether any problem is an error (not a warning).
func (r *Result) HasError() bool {
	for _, p := range r.Problems {
		if !p.Warning {
			return true
		}
	}
	return false
}

// Check runs every check on ex.
func (c *Checker) Check(ex *data.Example) Result {
	var res Result
	add := func(kind string, warning bool, format string, args ...any) {
		res.Problems = append(res.Problems, &data.RecordError{Origin: ex.Origin, Kind: kind, Msg: fmt.Sprintf(format, args...), Warning: warning})
	}
	if ex.Image != nil && !c.opts.SkipImages {
		info, err := c.images.Check(ex.Image)
		if err != nil {
			ie := err.(*imagecheck.Error)
			add(ie.Kind, false, "%s", ie.Msg)
		} else {
			res.Image, res.HasImage = info, true
		}
	}
	switch ex.Kind {
	case data.Pair:
		if len(ex.Captions) == 0 {
			add(data.KindEmptyCaption, false, "record has no caption")
		}
		for i, cap := range ex.Captions {
			name := "caption"
			if len(ex.Captions) > 1 {
				name = fmt.Sprintf("caption %d of %d", i+1, len(ex.Captions))
			}
			if strings.TrimSpace(cap) == "" {
				add(data.KindEmptyCaption, false, "%s is empty", name)
				continue
			}
			c.checkTokens(cap, name, add)
		}
	case data.Conversation:
		c.checkConversation(ex, add)
	}
	if c.seen != nil {
		key := dupKey(ex)
		c.mu.Lock()
		first, dup := c.seen[key]
		if !dup {
			c.seen[key] = ex.Origin
		}
		c.mu.Unlock()
		if dup {
			add(data.KindDuplicate, true, "same image and text as %s", first)
		}
	}
	return res
}

// CheckErr returns the first error (not warning) found in ex, or nil. It is
// the check used during training.
func (c *Checker) CheckErr(ex *data.Example) error {
	res := c.Check(ex)
	for _, p := range res.Problems {
		if !p.Warning {
			return p
		}
	}
	return nil
}

func (c *Checker) checkTokens(text, name string, add func(string, bool, string, ...any)) {
	tc := c.opts.Tokens
	if tc == nil || tc.MaxTokens() <= 0 {
		return
	}
	n, max := tc.CountTokens(text), tc.MaxTokens()
	if n > max {
		add(data.KindTooManyTokens, true, "%s has %d tokens, the limit is %d: %d would be truncated", name, n, max, n-max)
	}
}

// Roles accepted in conversations.
var (
	humanRoles = map[string]bool{"human": true, "user": true}
	gptRoles   = map[string]bool{"gpt": true, "assistant": true}
)

func (c *Checker) checkConversation(ex *data.Example, add func(string, bool, string, ...any)) {
	if len(ex.Turns) == 0 {
		add(data.KindBadTurns, false, "conversation has no turns")
		return
	}
	tags := 0
	want := "human"
	for i, t := range ex.Turns {
		switch {
		case t.From == "system" && i == 0:
		case humanRoles[t.From] && want == "human":
			want = "gpt"
		case gptRoles[t.From] && want == "gpt":
			want = "human"
		default:
			add(data.KindBadTurns, false, "conversations[%d] is from %q, expected a %s turn (turns alternate human, gpt)", i, t.From, want)
			return
		}
		if strings.TrimSpace(t.Value) == "" {
			add(data.KindEmptyCaption, false, "conversations[%d] (%s) is empty", i, t.From)
		}
		tags += strings.Count(t.Value, data.ImageTag)
	}
	if want != "human" {
		add(data.KindBadTurns, false, "conversation ends with a human turn that has no answer")
	}
	switch {
	case ex.Image != nil && tags == 0:
		add(data.KindMissingTag, false, "record has an image but no %s tag; put %q at the start of the first human turn", data.ImageTag, data.ImageTag+"\n")
	case ex.Image == nil && tags > 0:
		add(data.KindTagNoImage, false, "conversation has %d %s tag(s) but the record has no \"image\"", tags, data.ImageTag)
	case ex.Image != nil && tags > 1:
		add(data.KindTagNoImage, false, "conversation has %d %s tags but the record has one image", tags, data.ImageTag)
	}
	c.checkTokens(ex.Text(), "conversation", add)
}

// dupKey hashes what makes two records the same: the image (its resolved
// path, or its bytes) and the text.
func dupKey(ex *data.Example) [16]byte {
	h := fnv.New128a()
	var num [8]byte
	writeStr := func(s string) {
		binary.LittleEndian.PutUint64(num[:], uint64(len(s)))
		h.Write(num[:])
		h.Write([]byte(s))
	}
	if ex.Image != nil {
		switch {
		case ex.Image.IsFile():
			writeStr("p")
			writeStr(ex.Image.Path)
		case ex.Image.Bytes != nil:
			writeStr("b")
			h.Write(ex.Image.Bytes)
		default:
			writeStr("a")
			writeStr(ex.Image.Path)
			writeStr(ex.Image.Name)
			binary.LittleEndian.PutUint64(num[:], uint64(ex.Image.Offset))
			h.Write(num[:])
		}
	}
	if ex.Kind == data.Conversation {
		for _, t := range ex.Turns {
			writeStr(t.From)
			writeStr(t.Value)
		}
	} else {
		for _, s := range ex.Captions {
			writeStr(s)
		}
	}
	var k [16]byte
	h.Sum(k[:0])
	return k
}
