// Package testutil holds helpers shared by the tests of several packages:
// locating the shared Hugging Face fixtures and comparing float slices.
package testutil

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// FixturesDir returns the absolute path of the shared fixtures folder
// (../shared/fixtures from the repository root), or skips the test with a
// clear reason when it is absent, as in a user's fresh clone. The variable
// VLMTUNE_FIXTURES overrides the location.
func FixturesDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("VLMTUNE_FIXTURES"); dir != "" {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
		t.Skipf("VLMTUNE_FIXTURES=%s is not a directory; skipping fixture test", dir)
	}
	root, err := RepoRoot()
	if err != nil {
		t.Skipf("cannot locate the repository root (%v); skipping fixture test", err)
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "fixtures")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("shared fixtures not found at %s (a fresh clone has none; CI provides them); skipping", dir)
	}
	return dir
}

// Fixture returns the path of a file or folder under the shared fixtures,
// skipping the test when it is absent.
func Fixture(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{FixturesDir(t)}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture %s not found; skipping", p)
	}
	return p
}

// RepoRoot walks up from the working directory to the folder that holds
// go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// RelL2 returns ‖got − want‖₂ / ‖want‖₂ computed in float64 (or the absolute
// norm of the difference when want is all zeros).
func RelL2(got, want []float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var num, den float64
	for i := range got {
		d := float64(got[i]) - float64(want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

// L2 returns the Euclidean norm of x in float64.
func L2(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s)
}

// L2Diff returns ‖a − b‖₂ in float64 (+Inf when the lengths differ).
func L2Diff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s)
}
