package kernels

import (
	"testing"
)

// forEachPath runs f once per kernel path this CPU and build support, with
// that path's kernels installed, and restores the active path afterwards.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, p := range SupportedPaths() {
		t.Run(p, func(t *testing.T) {
			old := setPath(p)
			defer setPath(old)
			f(t)
		})
	}
}

func TestChoosePath(t *testing.T) {
	all := []string{PathAVX512, PathAVX2, PathGeneric}
	avx2 := []string{PathAVX2, PathGeneric}
	tests := []struct {
		env       string
		supported []string
		want      string
	}{
		{"", all, PathAVX512},
		{"avx512", all, PathAVX512},
		{"AVX2", all, PathAVX2},
		{" generic ", all, PathGeneric},
		{"avx512", avx2, PathAVX2},
		{"bogus", avx2, PathAVX2},
		{"avx2", []string{PathGeneric}, PathGeneric},
	}
	for _, tt := range tests {
		if got := choosePath(tt.env, tt.supported); got != tt.want {
			t.Errorf("choosePath(%q, %v) = %q, want %q", tt.env, tt.supported, got, tt.want)
		}
	}
}

func TestSupportedPathsEndWithGeneric(t *testing.T) {
	ps := SupportedPaths()
	if len(ps) == 0 || ps[len(ps)-1] != PathGeneric {
		t.Fatalf("SupportedPaths() = %v, want generic last", ps)
	}
	found := false
	for _, p := range ps {
		found = found || p == CPUPath()
	}
	if !found {
		t.Fatalf("CPUPath() = %q is not among %v", CPUPath(), ps)
	}
	t.Logf("paths %v, active %s", ps, CPUPath())
}
