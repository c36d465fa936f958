package tokenizer

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

func loadTestdata(t testing.TB, name string) *Tokenizer {
	t.Helper()
	tk, err := Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestEncodeBatchOptions(t *testing.T) {
	tk := loadTestdata(t, "hf/bert.json")
	texts := []string{"a photo of a cat", "two dogs playing in the snow on a sunny day", ""}
	single := make([]Encoding, len(texts))
	for i, s := range texts {
		single[i] = tk.Encode(s)
	}
	cases := []struct {
		name string
		opts EncodeOptions
		lens []int
	}{
		{"plain", EncodeOptions{AddSpecialTokens: true}, []int{len(single[0].IDs), len(single[1].IDs), 2}},
		{"no specials", EncodeOptions{}, []int{len(single[0].IDs) - 2, len(single[1].IDs) - 2, 0}},
		{"longest", EncodeOptions{AddSpecialTokens: true, Padding: PadLongest}, []int{len(single[1].IDs), len(single[1].IDs), len(single[1].IDs)}},
		{"max_length", EncodeOptions{AddSpecialTokens: true, Padding: PadMaxLength, Truncation: true, MaxLength: 8}, []int{8, 8, 8}},
		{"truncate only", EncodeOptions{AddSpecialTokens: true, Truncation: true, MaxLength: 5}, []int{5, 5, 2}},
	}
	for _, c := range cases {
		encs := tk.EncodeBatch(texts, c.opts)
		for i, e := range encs {
			if len(e.IDs) != c.lens[i] || len(e.AttentionMask) != c.lens[i] || len(e.Tokens) != c.lens[i] {
				t.Errorf("%s: text %d has %d ids (mask %d, tokens %d), want %d", c.name, i, len(e.IDs), len(e.AttentionMask), len(e.Tokens), c.lens[i])
			}
			if c.opts.AddSpecialTokens && len(e.IDs) > 0 && (e.IDs[0] != 2 || !slices.Contains(e.IDs, 3)) {
				t.Errorf("%s: text %d lacks [CLS]/[SEP]: %v", c.name, i, e.IDs)
			}
			real := 0
			for k, m := range e.AttentionMask {
				real += m
				if m == 0 && e.IDs[k] != tk.PadID() {
					t.Errorf("%s: padding id %d, want %d", c.name, e.IDs[k], tk.PadID())
				}
			}
			if c.name == "truncate only" && i == 1 {
				if !slices.Equal(e.IDs[:4], single[1].IDs[:4]) || e.IDs[4] != 3 {
					t.Errorf("truncation: got %v from %v", e.IDs, single[1].IDs)
				}
			}
			if c.opts.Padding == PadNone && real != len(e.IDs) {
				t.Errorf("%s: mask %v without padding", c.name, e.AttentionMask)
			}
		}
	}
	if tk.SpecialIDs().PAD != 0 || tk.SpecialIDs().CLS != 2 || tk.SpecialIDs().SEP != 3 || tk.SpecialIDs().MASK != 4 || tk.SpecialIDs().BOS != -1 {
		t.Errorf("SpecialIDs %+v", tk.SpecialIDs())
	}
}

func TestPaddingAndTruncationSides(t *testing.T) {
	tk := loadTestdata(t, "hf/gpt2.json")
	tk.padLeft, tk.truncateLeft, tk.padID = true, true, 7
	full := tk.EncodeBatch([]string{"one two three four five"}, EncodeOptions{})[0].IDs
	e := tk.EncodeBatch([]string{"one two three four five", "x"}, EncodeOptions{Truncation: true, MaxLength: 3, Padding: PadMaxLength})
	if !slices.Equal(e[0].IDs, full[len(full)-3:]) {
		t.Errorf("left truncation: %v from %v", e[0].IDs, full)
	}
	if e[1].IDs[0] != 7 || e[1].AttentionMask[0] != 0 || e[1].AttentionMask[2] != 1 {
		t.Errorf("left padding: ids %v mask %v", e[1].IDs, e[1].AttentionMask)
	}
}

// TestEncodeBatchDeterministic: the batch result does not depend on the
// number of goroutines and equals encoding the texts one by one.
func TestEncodeBatchDeterministic(t *testing.T) {
	tk := loadTestdata(t, "hf/llama3.json")
	texts := captions(500, 3)
	opts := EncodeOptions{AddSpecialTokens: true, Padding: PadLongest}
	want := tk.EncodeBatch(texts, opts)
	prev := runtime.GOMAXPROCS(1)
	one := tk.EncodeBatch(texts, opts)
	runtime.GOMAXPROCS(prev)
	for i := range texts {
		if !slices.Equal(one[i].IDs, want[i].IDs) {
			t.Fatalf("text %d differs between 1 and %d goroutines", i, prev)
		}
		e := tk.Encode(texts[i])
		if !slices.Equal(e.IDs, want[i].IDs[:len(e.IDs)]) {
			t.Fatalf("text %d: batch %v, single %v", i, want[i].IDs, e.IDs)
		}
	}
}

func TestTokenLookups(t *testing.T) {
	tk := loadTestdata(t, "hf/qwen2.json")
	id, ok := tk.TokenToID("<|im_start|>")
	if !ok || !tk.IsSpecial(id) {
		t.Fatalf("<|im_start|>: %d %v", id, ok)
	}
	if s, ok := tk.IDToToken(id); !ok || s != "<|im_start|>" {
		t.Errorf("IDToToken(%d) = %q", id, s)
	}
	call, _ := tk.TokenToID("<tool_call>")
	if tk.IsSpecial(call) {
		t.Error("<tool_call> is not special")
	}
	if _, ok := tk.TokenToID("no such token"); ok {
		t.Error("unknown token found")
	}
	if tk.VocabSize() != id+3 {
		t.Errorf("VocabSize %d", tk.VocabSize())
	}
	if got := tk.Decode([]int{id, -1, 1 << 30}, false); got != "<|im_start|>" {
		t.Errorf("Decode with unknown ids: %q", got)
	}
	if len(tk.AddedTokens()) != 4 {
		t.Errorf("AddedTokens: %v", tk.AddedTokens())
	}
}

// captions makes n deterministic image captions of 10 to 20 words.
func captions(n int, seed uint64) []string {
	subjects := []string{"a man", "a woman", "two dogs", "a black cat", "children", "an old car", "a red bus",
		"a group of people", "a tall giraffe", "a plate of food", "a skateboarder", "three horses", "a small boat",
		"an airplane", "a bowl of fruit", "a young girl", "a brown bear", "a pizza", "a laptop", "a surfer"}
	verbs := []string{"sitting on", "standing next to", "riding", "playing with", "looking at", "walking along",
		"parked near", "flying over", "lying on", "eating", "holding", "jumping over", "resting under"}
	objects := []string{"a wooden bench", "the beach", "a busy street", "a snowy mountain", "the kitchen table",
		"a green field", "the river", "a city park", "a brick wall", "the ocean waves", "a wet road", "tall trees",
		"a colorful umbrella", "the old bridge", "a frisbee", "a computer desk", "the train station"}
	extras := []string{"at sunset", "in the rain", "during the day", "on a sunny afternoon", "while smiling",
		"in front of a building", "with a blue sky", "near the water", "in 2019", "at night!", "(black and white)",
		"with 3 friends", "on a cloudy morning", "in New York City", "by the Eiffel Tower"}
	rng := rand.New(rand.NewPCG(seed, 99))
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		b.WriteString(subjects[rng.IntN(len(subjects))])
		for len(strings.Fields(b.String())) < 10+rng.IntN(8) {
			fmt.Fprintf(&b, " %s %s %s", verbs[rng.IntN(len(verbs))], objects[rng.IntN(len(objects))], extras[rng.IntN(len(extras))])
		}
		if rng.IntN(2) == 0 {
			b.WriteString(".")
		}
		out[i] = b.String()
	}
	return out
}

// BenchmarkEncodeBatchCLIP10k encodes 10,000 captions with the real CLIP
// tokenizer as a CLIP training batch is prepared (77 tokens, truncation,
// padding). The word cache is warm after the first iteration; see
// BenchmarkEncodeBatchCLIP10kCold for a fresh tokenizer each time.
func BenchmarkEncodeBatchCLIP10k(b *testing.B) {
	dir := testutil.Fixture(b, "tokenizers", "clip")
	tk, err := Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	texts := captions(10000, 1)
	opts := EncodeOptions{MaxLength: 77, Truncation: true, Padding: PadMaxLength, AddSpecialTokens: true}
	cpu := processCPU()
	for b.Loop() {
		tk.EncodeBatch(texts, opts)
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// processCPU is the CPU time (user + system) this process has used, a
// fairer measure than wall time on a machine shared with other jobs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkEncodeBatchCLIP10kCold(b *testing.B) {
	dir := testutil.Fixture(b, "tokenizers", "clip")
	texts := captions(10000, 1)
	opts := EncodeOptions{MaxLength: 77, Truncation: true, Padding: PadMaxLength, AddSpecialTokens: true}
	for b.Loop() {
		b.StopTimer()
		tk, err := Load(filepath.Join(dir, "tokenizer.json"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		tk.EncodeBatch(texts, opts)
	}
}

func BenchmarkLoadCLIP(b *testing.B) {
	dir := testutil.Fixture(b, "tokenizers", "clip")
	for b.Loop() {
		if _, err := Load(filepath.Join(dir, "tokenizer.json")); err != nil {
			b.Fatal(err)
		}
	}
}
