package gemmbench

import (
	"strings"
	"testing"
	"time"
)

func TestParseShapes(t *testing.T) {
	tests := []struct {
		in      string
		want    string // FormatShapes of the result
		wantErr string
	}{
		{"1024x1024x1024", "1024x1024x1024:nn", ""},
		{" 1600x768x3072:NT , 3x4x5:tn,7X8X9:tt", "1600x768x3072:nt,3x4x5:tn,7x8x9:tt", ""},
		{"1x2", "", "want MxKxN"},
		{"1x0x3", "", "not a size"},
		{"1xax3", "", "not a size"},
		{"2x2x2:xx", "", "transpose"},
		{"100000x100000x1000", "", "too large"},
		{",", "", "no shapes"},
	}
	for _, tt := range tests {
		got, err := ParseShapes(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseShapes(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseShapes(%q): %v", tt.in, err)
			continue
		}
		if f := FormatShapes(got); f != tt.want {
			t.Errorf("ParseShapes(%q) = %s, want %s", tt.in, f, tt.want)
		}
	}
}

func TestViTB32Shapes(t *testing.T) {
	s := ViTB32Shapes(32)
	if len(s) != 18 {
		t.Fatalf("%d shapes, want 18 (6 linear layers × 3 products)", len(s))
	}
	// vision fc1: 768 → 3072 on 32·50 tokens.
	want := map[string]string{
		"vision.fc1.fwd": "1600x768x3072:nt",
		"vision.fc1.dX":  "1600x3072x768:nn",
		"vision.fc1.dW":  "3072x1600x768:tn",
		"text.fc2.fwd":   "2464x2048x512:nt",
	}
	for _, sh := range s {
		if w, ok := want[sh.Name]; ok {
			if sh.String() != w {
				t.Errorf("%s = %s, want %s", sh.Name, sh, w)
			}
			delete(want, sh.Name)
		}
	}
	if len(want) != 0 {
		t.Errorf("missing shapes %v", want)
	}
	if d := DefaultShapes(); len(d) != 19 || d[0].String() != "1024x1024x1024:nn" {
		t.Errorf("DefaultShapes starts with %v (%d shapes)", d[0], len(d))
	}
}

func TestLoRAShapes(t *testing.T) {
	got := FormatShapes(LoRAShapes(2, 8))
	want := "100x768x8:nt,100x8x768:nt,768x100x8:tn,100x768x8:nn,8x100x768:tn,100x8x768:nn"
	if got != want {
		t.Fatalf("LoRAShapes(2, 8) = %s, want %s", got, want)
	}
}

func TestMeasure(t *testing.T) {
	r := Measure(Shape{M: 33, K: 17, N: 15, TransB: true}, 5*time.Millisecond)
	if !(r.GFLOPS > 0) || r.BestGFLOPS < r.GFLOPS || r.Rounds != 5 || r.Calls < 1 {
		t.Fatalf("Measure = %+v", r)
	}
}
