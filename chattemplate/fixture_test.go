package chattemplate

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

// Every case of the chat-templates fixture renders to the identical string
// transformers v4.44.2 rendered, raises where it raised (with its
// message), and, for templates with {% generation %} blocks, finds the same
// assistant character spans.
func TestFixtureCases(t *testing.T) {
	path := testutil.Fixture(t, "chat-templates", "chat_templates.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Cases []struct {
			Template string   `json:"template"`
			Rendered *string  `json:"rendered"`
			Error    string   `json:"error"`
			Spans    [][2]int `json:"assistant_char_spans"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	got, err := RenderCases(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want.Cases) || len(got) == 0 {
		t.Fatalf("%d results for %d cases", len(got), len(want.Cases))
	}
	spanCases := 0
	for i, w := range want.Cases {
		g := got[i]
		if w.Rendered == nil {
			if g.Err == nil {
				t.Errorf("case %d (%s): rendered %q, want the error %q", i, w.Template, g.Rendered.Text, w.Error)
			} else if !strings.Contains(g.Err.Error(), w.Error) {
				t.Errorf("case %d (%s): error %q does not carry %q", i, w.Template, g.Err, w.Error)
			}
			continue
		}
		if g.Err != nil {
			t.Errorf("case %d (%s): %v", i, w.Template, g.Err)
			continue
		}
		if g.Rendered.Text != *w.Rendered {
			t.Errorf("case %d (%s):\n got %q\nwant %q", i, w.Template, g.Rendered.Text, *w.Rendered)
		}
		if w.Spans != nil {
			spanCases++
			if len(g.Rendered.AssistantSpans) != len(w.Spans) {
				t.Errorf("case %d (%s): spans %v, want %v", i, w.Template, g.Rendered.AssistantSpans, w.Spans)
				continue
			}
			for j := range w.Spans {
				if g.Rendered.AssistantSpans[j] != w.Spans[j] {
					t.Errorf("case %d (%s): spans %v, want %v", i, w.Template, g.Rendered.AssistantSpans, w.Spans)
					break
				}
			}
		}
	}
	if spanCases == 0 {
		t.Error("no case recorded assistant spans")
	}
}
