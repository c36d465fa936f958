package loader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/sample"
	"github.com/vlmtune/vlmtune/data/validate"
)

// testTransform decodes the image, samples it to 4×4 with a random flip and
// brightness from rng, and tokenizes the caption as bytes plus one random
// token. It is what a real pipeline does, in miniature.
func testTransform(ctx context.Context, ex *data.Example, rng *rand.Rand) (Sample, error) {
	var s Sample
	if ex.Image != nil {
		b, err := ex.Image.Read()
		if err != nil {
			return s, err
		}
		img, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			return s, fmt.Errorf("decode %s: %w", ex.Image.Name, err)
		}
		flip := rng.IntN(2) == 1
		gain := 0.8 + 0.4*rng.Float32()
		s.C, s.H, s.W = 3, 4, 4
		s.Pixels = make([]float32, 48)
		bd := img.Bounds()
		for y := 0; y < 4; y++ {
			for x := 0; x < 4; x++ {
				sx := x
				if flip {
					sx = 3 - x
				}
				r, g, bl, _ := img.At(bd.Min.X+sx*bd.Dx()/4, bd.Min.Y+y*bd.Dy()/4).RGBA()
				for c, v := range []uint32{r, g, bl} {
					s.Pixels[c*16+y*4+x] = gain * float32(v) / 65535
				}
			}
		}
	}
	text := ex.Text()
	for i := 0; i < len(text) && i < 8; i++ {
		s.InputIDs = append(s.InputIDs, int32(text[i]))
	}
	s.InputIDs = append(s.InputIDs, int32(1000+rng.IntN(1000)))
	return s, nil
}

func pngFile(t testing.TB, path string, w, h int, shade uint8) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{shade, uint8(x * 30), uint8(y * 30), 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// goodData writes n pair records over 3 shared images and reads them.
func goodData(t testing.TB, n int) []*data.Example {
	dir := t.TempDir()
	for i := 0; i < 3; i++ {
		pngFile(t, filepath.Join(dir, fmt.Sprintf("%d.png", i)), 8+i, 8, uint8(60*i))
	}
	var lines []string
	for i := 0; i < n; i++ {
		lines = append(lines, fmt.Sprintf(`{"id": "r%03d", "image_path": "%d.png", "caption": "caption number %d"}`, i, i%3, i))
	}
	p := filepath.Join(dir, "d.jsonl")
	os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644)
	exs, err := data.ReadAll(context.Background(), []string{p}, data.Options{}, func(re *data.RecordError) error { return re })
	if err != nil {
		t.Fatal(err)
	}
	return exs
}

func collect(t testing.TB, l *Loader, from Position) []*Batch {
	t.Helper()
	it, err := l.Iterate(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []*Batch
	for {
		b, err := it.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
}

// sameBatches compares batches bit for bit.
func sameBatches(t *testing.T, what string, a, b []*Batch) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d vs %d batches", what, len(a), len(b))
	}
	for i := range a {
		x, y := *a[i], *b[i]
		xp, yp := x.Pixels, y.Pixels
		x.Pixels, y.Pixels = nil, nil
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("%s: batch %d differs:\n%+v\n%+v", what, i, x, y)
		}
		if len(xp) != len(yp) {
			t.Fatalf("%s: batch %d pixel counts differ", what, i)
		}
		for j := range xp {
			if math.Float32bits(xp[j]) != math.Float32bits(yp[j]) {
				t.Fatalf("%s: batch %d pixel %d: %v vs %v", what, i, j, xp[j], yp[j])
			}
		}
	}
}

func TestWorkersBitIdenticalAndResume(t *testing.T) {
	exs := goodData(t, 37)
	run := func(workers int, from Position) []*Batch {
		l, err := New(exs, testTransform, Config{BatchSize: 5, Epochs: 3, Workers: workers, Prefetch: 1, Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		return collect(t, l, from)
	}
	one, four := run(1, Position{}), run(4, Position{})
	// 37 examples in batches of 5: 8 batches per epoch (the last one of 2).
	if len(one) != 24 || one[7].Size != 2 || one[7].Next != (Position{1, 0}) || one[3].Next != (Position{0, 20}) {
		t.Fatalf("%d batches; batch 7 size %d next %+v", len(one), one[7].Size, one[7].Next)
	}
	sameBatches(t, "1 vs 4 workers", one, four)
	if reflect.DeepEqual(one[0].Indices, one[8].Indices) {
		t.Error("epochs 0 and 1 start with the same examples: no per-epoch shuffle")
	}
	// Epoch 0 and 1 apply different random augmentation to the same example.
	seen := map[int]bool{}
	for _, b := range one[:8] {
		for _, i := range b.Indices {
			seen[i] = true
		}
	}
	if len(seen) != 37 {
		t.Errorf("epoch 0 saw %d distinct examples", len(seen))
	}
	for _, j := range []int{0, 3, 7, 12, 22} {
		rest := run(3, one[j].Next)
		sameBatches(t, fmt.Sprintf("resume after batch %d", j), rest, one[j+1:])
	}
	if got := run(2, Position{Epoch: 3}); len(got) != 0 {
		t.Errorf("resuming at the end gave %d batches", len(got))
	}
	other, _ := New(exs, testTransform, Config{BatchSize: 5, Epochs: 1, Workers: 2, Seed: 43})
	if reflect.DeepEqual(collect(t, other, Position{})[0].Indices, one[0].Indices) {
		t.Error("another seed gave the same order")
	}
}

// TestSkipPolicyYieldsGoodOnes iterates, as training does, over a file in
// which 10 of 100 records are bad in different ways and at different
// stages: the reader rejects some, the validation check others, and the
// transform finds the rest lazily (missing and undecodable images).
func TestSkipPolicyYieldsGoodOnes(t *testing.T) {
	dir := t.TempDir()
	pngFile(t, filepath.Join(dir, "ok.png"), 8, 8, 100)
	os.WriteFile(filepath.Join(dir, "junk.png"), []byte("not an image"), 0o644)
	bad := map[int]string{
		7:  `{"id": "r007", "image_path": "ok.png", "caption": "broken" "json"}`,
		13: `{"id": "r013", "image_path": "ok.png", "caption": "caf` + "\xe9" + `"}`,
		21: `{"id": "r021", "image_path": "ok.png", "caption": "x", "metadata": {"quality_score": "high"}}`,
		30: `{"id": "r030", "image_path": "gone.png", "caption": "missing image"}`,
		44: `{"id": "r044", "image_path": "junk.png", "caption": "undecodable image"}`,
		52: `{"id": "r052", "image_path": "ok.png", "caption": "  "}`,
		66: `{"id": "r066", "image_path": "gone2.png", "caption": "missing image"}`,
		71: `{"id": "r071", "image": "ok.png", "conversations": [{"from": "human", "value": "no tag"}, {"from": "gpt", "value": "a"}]}`,
		85: `{"id": "r085", "image_path": "junk.png", "caption": "undecodable image"}`,
		99: `{"id": "r099", "image_path": "../escape.png", "caption": "escapes"}`,
	}
	var lines, good []string
	for i := 0; i < 100; i++ {
		if l, ok := bad[i]; ok {
			lines = append(lines, l)
			continue
		}
		id := fmt.Sprintf("r%03d", i)
		good = append(good, id)
		lines = append(lines, fmt.Sprintf(`{"id": %q, "image_path": "ok.png", "caption": "good %d"}`, id, i))
	}
	p := filepath.Join(dir, "train.jsonl")
	os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644)

	var logBuf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logBuf, nil))
	if _, _, err := ReadExamples(context.Background(), []string{p}, data.Options{}, Fail, logger); err == nil || !strings.Contains(err.Error(), "train.jsonl:8: malformed JSON") {
		t.Errorf("fail policy when reading: %v", err)
	}
	exs, readSkipped, err := ReadExamples(context.Background(), []string{p}, data.Options{}, Skip, logger)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logBuf.String(), "skipped=4") || strings.Count(logBuf.String(), "skipped record") != 4 {
		t.Errorf("log:\n%s", logBuf.String())
	}
	checker := validate.New(validate.Options{SkipImages: true})
	var skippedIDs []string
	for _, workers := range []int{1, 3} {
		skippedIDs = nil
		logBuf.Reset()
		l, err := New(exs, testTransform, Config{BatchSize: 8, Epochs: 1, Workers: workers, Seed: 1, Check: checker.CheckErr, Logger: logger,
			OnSkip: func(ex *data.Example, err error) { skippedIDs = append(skippedIDs, ex.ID) }})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		batches := collect(t, l, Position{})
		for _, b := range batches {
			got = append(got, b.IDs...)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, good) {
			t.Fatalf("workers=%d: got %d examples, want the %d good ones", workers, len(got), len(good))
		}
		if readSkipped != 4 || len(skippedIDs) != 6 || batches[len(batches)-1].Skipped != 6 {
			t.Errorf("skipped %d when reading, %d in the loader (%v)", readSkipped, len(skippedIDs), skippedIDs)
		}
		for _, b := range batches[:len(batches)-1] {
			if b.Size != 8 {
				t.Errorf("a batch of %d: skipped examples must be replaced by the next ones", b.Size)
			}
		}
		if strings.Count(logBuf.String(), "skipped example") != 6 || !strings.Contains(logBuf.String(), "epoch done") || !strings.Contains(logBuf.String(), "skipped=6") {
			t.Errorf("loader log:\n%s", logBuf.String())
		}
	}

	// With the fail policy the first bad example in the epoch's order stops the iteration.
	l, _ := New(exs, testTransform, Config{BatchSize: 8, Epochs: 1, Workers: 3, Seed: 1, Check: checker.CheckErr, Policy: Fail})
	it, _ := l.Iterate(context.Background(), Position{})
	defer it.Close()
	var ferr error
	for ferr == nil {
		_, ferr = it.Next()
	}
	if ferr == io.EOF || !strings.Contains(ferr.Error(), skippedIDs[0]) {
		t.Errorf("fail policy error %v, want one naming %s", ferr, skippedIDs[0])
	}
	if _, err := it.Next(); err != ferr {
		t.Errorf("error not sticky: %v", err)
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	exs := goodData(t, 50)
	before := runtime.NumGoroutine()
	l, _ := New(exs, testTransform, Config{BatchSize: 4, Epochs: 5, Workers: 4, Seed: 1})
	for round := 0; round < 3; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		it, _ := l.Iterate(ctx, Position{})
		if _, err := it.Next(); err != nil {
			t.Fatal(err)
		}
		if round == 1 {
			cancel() // cancelled from outside, then closed
			for {
				if _, err := it.Next(); err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Errorf("after cancel: %v", err)
					}
					break
				}
			}
		}
		it.Close()
		cancel()
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines before, %d after Close", before, n)
	}
}

func TestBoundedPrefetch(t *testing.T) {
	exs := goodData(t, 400)
	var calls atomic.Int64
	counting := func(ctx context.Context, ex *data.Example, rng *rand.Rand) (Sample, error) {
		calls.Add(1)
		return testTransform(ctx, ex, rng)
	}
	cfg := Config{BatchSize: 4, Epochs: 1, Workers: 3, Prefetch: 2, Seed: 1}
	l, _ := New(exs, counting, cfg)
	it, _ := l.Iterate(context.Background(), Position{})
	defer it.Close()
	// Wait until the pipeline is full and stops (slow machines take longer).
	n1, n2 := int64(-1), calls.Load()
	for deadline := time.Now().Add(5 * time.Second); n1 != n2 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		n1, n2 = n2, calls.Load()
	}
	// In flight: the futures window (2·Workers+BatchSize), one future being
	// sent, a batch being assembled and one blocked on the full channel,
	// and Prefetch batches in it.
	bound := int64(2*cfg.Workers + cfg.BatchSize + 1 + cfg.Workers + (cfg.Prefetch+2)*cfg.BatchSize)
	if n1 != n2 || n2 > bound {
		t.Errorf("transform ran %d then %d times without a consumer; bound %d", n1, n2, bound)
	}
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); calls.Load() <= n2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if calls.Load() <= n2 {
		t.Error("no progress after a batch was taken")
	}
}

type fixedBatches [][]int

func (f fixedBatches) Batches(int) [][]int { return f }
func (f fixedBatches) Order(int) []int {
	var o []int
	for _, b := range f {
		o = append(o, b...)
	}
	return o
}

func TestBatchSamplerPaddingAndPanics(t *testing.T) {
	exs := goodData(t, 10)
	exs = append(exs, &data.Example{ID: "text", Kind: data.Conversation, Turns: []data.Turn{{From: "human", Value: "hi"}, {From: "gpt", Value: "yo"}}})
	tf := func(ctx context.Context, ex *data.Example, rng *rand.Rand) (Sample, error) {
		if ex.ID == "r004" {
			panic("boom")
		}
		s, err := testTransform(ctx, ex, rng)
		if ex.ID == "r001" {
			s.Labels = make([]int32, len(s.InputIDs))
		}
		return s, err
	}
	var skipped []error
	l, err := New(exs, tf, Config{BatchSize: 3, Epochs: 1, Workers: 2, Sampler: fixedBatches{{0, 1, 10}, {4}, {2, 3, 5}, {6}}, PadID: -1,
		OnSkip: func(_ *data.Example, err error) { skipped = append(skipped, err) }})
	if err != nil {
		t.Fatal(err)
	}
	bs := collect(t, l, Position{})
	if len(bs) != 3 || len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "transform panicked: boom") {
		t.Fatalf("%d batches, skipped %v", len(bs), skipped)
	}
	b := bs[0]
	if !reflect.DeepEqual(b.IDs, []string{"r000", "r001", "text"}) || !reflect.DeepEqual(b.HasPixels, []bool{true, true, false}) {
		t.Fatalf("batch 0 ids %v pixels %v", b.IDs, b.HasPixels)
	}
	// "caption number 0" gives 8 byte tokens + 1 random; "hi\nyo" gives 5 + 1.
	if b.T != 9 || len(b.InputIDs) != 27 || b.InputIDs[2*9+6] != -1 || b.AttentionMask[2*9+5] != 1 || b.AttentionMask[2*9+6] != 0 {
		t.Errorf("padding: T=%d ids %v mask %v", b.T, b.InputIDs, b.AttentionMask)
	}
	if b.Labels == nil || b.Labels[0] != IgnoreIndex || b.Labels[9] != 0 {
		t.Errorf("labels %v", b.Labels)
	}
	for _, v := range b.Pixels[2*48:] {
		if v != 0 {
			t.Fatal("text-only row has pixels")
		}
	}
	if !reflect.DeepEqual(bs[1].IDs, []string{"r002", "r003", "r005"}) || bs[1].Next != (Position{0, 7}) || bs[2].Next != (Position{1, 0}) {
		t.Errorf("group batches %v next %+v", bs[1].IDs, bs[1].Next)
	}
	if _, err := New(exs, tf, Config{BatchSize: 0, Epochs: 1}); err == nil {
		t.Error("batch size 0 accepted")
	}
	if _, err := l.Iterate(context.Background(), Position{Epoch: 5}); err == nil {
		t.Error("position past the end accepted")
	}
	if p, err := ParsePolicy("fail"); err != nil || p != Fail {
		t.Error("ParsePolicy")
	}
}

func TestDropLastAndSampler(t *testing.T) {
	exs := goodData(t, 10)
	idx := sample.Select(exs, sample.Filter{})
	l, _ := New(exs, testTransform, Config{BatchSize: 4, Epochs: 2, Workers: 2, DropLast: true, Sampler: sample.Shuffle{Indices: idx[:9], Seed: 3, Sequential: true}})
	bs := collect(t, l, Position{})
	if len(bs) != 4 || bs[1].Next != (Position{0, 8}) || bs[0].Indices[0] != 0 {
		t.Errorf("%d batches, next %+v", len(bs), bs[1].Next)
	}
}
