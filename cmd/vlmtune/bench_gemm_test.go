package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// resetWorkers restores the kernel worker pool that --threads resized.
func resetWorkers(t *testing.T) { t.Cleanup(func() { kernels.SetWorkers(0) }) }

func TestBenchGemmJSON(t *testing.T) {
	resetWorkers(t)
	out, err := runCLI(t, "bench", "gemm", "--shapes", "33x17x15:nt,8x9x10", "--threads", "1",
		"--json", "--batch", "32", "--min-time", "5ms")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want one JSON object per shape:\n%s", len(lines), out)
	}
	want := [][3]int{{33, 17, 15}, {8, 9, 10}}
	for i, l := range lines {
		var row map[string]any
		if err := json.Unmarshal([]byte(l), &row); err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
		for j, key := range []string{"m", "k", "n"} {
			if row[key] != float64(want[i][j]) {
				t.Errorf("line %d: %s = %v, want %d", i+1, key, row[key], want[i][j])
			}
		}
		if g, ok := row["gflops"].(float64); !ok || !(g > 0) {
			t.Errorf("line %d: gflops = %v", i+1, row["gflops"])
		}
		if _, ok := row["peak_gflops"].(float64); !ok {
			t.Errorf("line %d: no peak_gflops", i+1)
		}
	}
}

func TestBenchGemmTable(t *testing.T) {
	resetWorkers(t)
	out, err := runCLI(t, "bench", "gemm", "--shapes", "16x16x16", "--threads", "1",
		"--json=false", "--batch", "32", "--min-time", "5ms")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kernel path", "measured FMA peak", "16x16x16", "GFLOP/s", "% of peak"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchGemmListShapes(t *testing.T) {
	out, err := runCLI(t, "bench", "gemm", "--list-shapes", "--shapes", "", "--batch", "32", "--json=false")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 19 || lines[0] != "1024x1024x1024:nn\tcube" || !strings.HasPrefix(lines[2], "1600x768x768:nn\t") {
		t.Fatalf("--list-shapes printed %d lines:\n%s", len(lines), out)
	}
	// Later tests must not inherit --list-shapes.
	if _, err := runCLI(t, "bench", "gemm", "--list-shapes=false", "--shapes", "8x8x8", "--threads", "1", "--json", "--min-time", "1ms"); err != nil {
		t.Fatal(err)
	}
}

func TestBenchGemmErrors(t *testing.T) {
	resetWorkers(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--shapes", "12x12", "--threads", "1"}, "want MxKxN"},
		{[]string{"--shapes", "8x8x8", "--threads", "-1"}, "--threads"},
		{[]string{"--shapes", "", "--threads", "1", "--batch", "0"}, "--batch"},
		{[]string{"--shapes", "8x8x8", "--threads", "1", "--min-time", "0s"}, "--min-time"},
	} {
		args := append([]string{"bench", "gemm", "--json=false", "--batch", "32", "--min-time", "5ms"}, tt.args...)
		_, err := runCLI(t, args...)
		wantErr(t, err, tt.want)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: error %v, want exit status 2", tt.args, err)
		}
	}
}
