package builtin

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/synth"
	"github.com/vlmtune/vlmtune/tokenizer"
	"github.com/vlmtune/vlmtune/train"
)

func TestTokenizerHasWholeWords(t *testing.T) {
	dir := t.TempDir()
	if err := InitModel(dir, 1); err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	enc := tok.Encode("a photo of a purple hexagon on a black background.")
	// <|startoftext|>, one token per word (10), the full stop, <|endoftext|>.
	if len(enc.IDs) != 13 {
		t.Fatalf("%d tokens %v, want 13 (one per word)", len(enc.IDs), enc.Tokens)
	}
	if enc.Tokens[6] != "hexagon</w>" {
		t.Fatalf("tokens %v", enc.Tokens)
	}
	if got := tok.Decode(enc.IDs, true); got != "a photo of a purple hexagon on a black background ." && got != "a photo of a purple hexagon on a black background." {
		t.Fatalf("decode %q", got)
	}
}

func TestShortTrainingRun(t *testing.T) {
	work := t.TempDir()
	initDir := filepath.Join(work, "init")
	if err := InitModel(initDir, 1); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, s := range []string{"train", "val"} {
		if _, err := synth.Generate(ctx, synth.Config{N: 64, Size: ImageSize, Domain: "a", Split: s}, filepath.Join(work, s), 0, true); err != nil {
			t.Fatal(err)
		}
	}
	cfg := train.DefaultConfig()
	cfg.Model.Path = initDir
	cfg.Data.Train = []string{filepath.Join(work, "train", "pairs.jsonl")}
	cfg.Data.Val = []string{filepath.Join(work, "val", "pairs.jsonl")}
	cfg.Data.Labels = filepath.Join(work, "val", "labels.txt")
	cfg.Data.LabelField = "label"
	cfg.Method.Name = "full"
	cfg.Optimizer.LR = 1e-3
	cfg.Training.Epochs = 2
	cfg.Training.BatchSize = 16
	cfg.Logging.RunDir = filepath.Join(work, "run")
	cfg.Logging.Progress = false
	res, err := train.Run(ctx, cfg, train.Options{Out: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 8 || res.After["val_loss"] >= res.Before["val_loss"] {
		t.Fatalf("steps %d, val loss %v → %v", res.Steps, res.Before["val_loss"], res.After["val_loss"])
	}
	if !strings.HasSuffix(res.BestDir, "best") {
		t.Fatalf("best dir %q", res.BestDir)
	}
}

// The tokenizer InitModel learns is the embedded model's, file for file
// (the BPE trainer lives in package tokenizer; this pins its output).
func TestInitModelReproducesTheEmbeddedTokenizer(t *testing.T) {
	dir := t.TempDir()
	if err := InitModel(dir, 1); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json", "preprocessor_config.json"} {
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("model", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from builtin/model/%s", f, f)
		}
	}
}
