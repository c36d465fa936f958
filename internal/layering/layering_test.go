package layering

import (
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

const module = "github.com/vlmtune/vlmtune/"

// layers assigns packages (by path prefix, the longest match wins) to the
// layers of docs/design.md, lowest first. A package may import packages
// of its own layer and of the layers below.
var layers = []struct {
	name     string
	prefixes []string
}{
	{"engine", []string{"tensor", "internal/kernels"}},
	{"formats and leaf libraries", []string{"hf", "tokenizer", "data", "imageproc", "synth", "textaug", "eval",
		"internal/streamrng", "internal/testutil", "internal/gctune", "internal/layering", "builtin/model",
		"train/progress", "train/report", "train/tblog", "bench", "chattemplate"}},
	{"building blocks", []string{"nn"}},
	{"models", []string{"models"}},
	{"preprocessing and inference", []string{"prep", "infer/dual", "generate"}},
	{"adaptation", []string{"peft", "train/optim", "train/schedule", "train/objective"}},
	{"inference sessions", []string{"infer"}},
	{"jobs", []string{"train", "eval/job", "builtin", "generate/benchmark"}},
	{"CLI", []string{"cmd"}},
}

// forbidden lists imports the design rules out beyond the layer order
// (the engine, the lowest layer, can import nothing above it anyway).
var forbidden = []struct{ from, to, why string }{
	{"internal/kernels", "tensor", "the kernels are the bottom of the engine"},
	{"models", "eval", "models know nothing of evaluation"},
	{"models", "builtin", "models know nothing of the built-in run"},
	{"", "cmd", "nothing imports the CLI"},
}

// layerOf returns the layer index of a package path (without the module
// prefix), or -1.
func layerOf(pkg string) int {
	best, bestLen := -1, -1
	for i, l := range layers {
		for _, p := range l.prefixes {
			if (pkg == p || strings.HasPrefix(pkg, p+"/")) && len(p) > bestLen {
				best, bestLen = i, len(p)
			}
		}
	}
	return best
}

func under(pkg, prefix string) bool {
	return prefix == "" || pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

// imports lists every package of the module with its imports of the
// module's packages, as `go list` reports them.
func imports(t *testing.T) map[string][]string {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	graph := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(f[0], module)
		graph[pkg] = nil
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, module) {
				graph[pkg] = append(graph[pkg], strings.TrimPrefix(imp, module))
			}
		}
	}
	return graph
}

func TestImportsPointDown(t *testing.T) {
	graph := imports(t)
	pkgs := make([]string, 0, len(graph))
	for p := range graph {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages: %v", len(pkgs), pkgs)
	}
	for _, pkg := range pkgs {
		lp := layerOf(pkg)
		if lp < 0 {
			t.Errorf("package %s belongs to no layer: place it in docs/design.md and in this test's table", pkg)
			continue
		}
		for _, imp := range graph[pkg] {
			li := layerOf(imp)
			if li > lp {
				t.Errorf("%s (%s) imports %s (%s): imports must point down the layers", pkg, layers[lp].name, imp, layers[li].name)
			}
			for _, f := range forbidden {
				if under(pkg, f.from) && under(imp, f.to) {
					t.Errorf("%s imports %s: %s", pkg, imp, f.why)
				}
			}
		}
	}
}

// The checker catches what it should.
func TestCheckerRules(t *testing.T) {
	for pkg, want := range map[string]string{
		"tensor": "engine", "internal/kernels": "engine", "nn": "building blocks", "models/clip": "models",
		"infer": "inference sessions", "infer/dual": "preprocessing and inference", "train": "jobs",
		"train/objective": "adaptation", "train/tblog": "formats and leaf libraries", "cmd/vlmtune": "CLI",
	} {
		if l := layerOf(pkg); l < 0 || layers[l].name != want {
			t.Errorf("%s is in layer %d, want %s", pkg, l, want)
		}
	}
	if !under("models/clip", "models") || under("modelsx", "models") || !under("eval/bleu", "eval") {
		t.Error("under")
	}
}
