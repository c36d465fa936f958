package train_test

import (
	"path/filepath"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/train"
)

// Every example configuration parses and validates.
func TestExampleConfigs(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "examples", "*.yaml"))
	if err != nil || len(files) < 8 {
		t.Fatalf("%d example configs (%v)", len(files), err)
	}
	methods := map[string]bool{}
	for _, f := range files {
		cfg, err := train.Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		methods[cfg.Method.Name] = true
	}
	for _, m := range []string{"full", "head", "layerwise", "lora", "adapter", "prompt", "prefix"} {
		if !methods[m] {
			t.Errorf("no example uses method %s", m)
		}
	}
}
