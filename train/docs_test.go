package train_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
	"github.com/vlmtune/vlmtune/train"
)

// docs/config.md documents every configuration key.
func TestConfigKeysDocumented(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, k := range train.Keys() {
		parts := strings.Split(k.Path, ".")
		leaf := parts[len(parts)-1]
		// A key is documented when its full path appears, or its section
		// path with the leaf listed in a {a,b} group or as ", .leaf".
		if strings.Contains(text, "`"+k.Path+"`") || strings.Contains(text, k.Path) {
			continue
		}
		section := strings.Join(parts[:len(parts)-1], ".")
		if strings.Contains(text, section) && (strings.Contains(text, "."+leaf+"`") || strings.Contains(text, ","+leaf) || strings.Contains(text, "{"+leaf)) {
			continue
		}
		t.Errorf("docs/config.md does not document %s", k.Path)
	}
}
