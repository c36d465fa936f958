package chattemplate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func render(t *testing.T, tp *Template, messages string, addGen bool) Rendered {
	t.Helper()
	m, err := ValueFromJSON([]byte(messages))
	if err != nil {
		t.Fatal(err)
	}
	r, err := tp.Render(Request{Messages: m, AddGenerationPrompt: addGen})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Load looks where transformers looks, in its order, and reads the special
// tokens as strings or AddedToken objects.
func TestLoadFindsTemplatesAndSpecialTokens(t *testing.T) {
	msgs := `[{"role": "user", "content": "hi"}]`
	dir := writeFiles(t, map[string]string{
		"tokenizer_config.json":   `{"chat_template": "config:{{ bos_token }}{{ eos_token }}", "bos_token": {"content": "<s>", "lstrip": false}, "eos_token": null, "additional_special_tokens": ["<a>", {"content": "<b>"}]}`,
		"special_tokens_map.json": `{"eos_token": "</s>", "bos_token": "<ignored>"}`,
	})
	tp, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := render(t, tp, msgs, false).Text; got != "config:<s></s>" {
		t.Errorf("tokenizer_config.json template: %q", got)
	}
	if v, ok := tp.Special["additional_special_tokens"]; !ok || !v.IsList() || v.AsList().Len() != 2 || v.AsList().Get(0).AsString() != "<a>" || v.AsList().Get(1).AsString() != "<b>" {
		t.Errorf("additional_special_tokens: %v", tp.Special["additional_special_tokens"])
	}
	if err := os.WriteFile(filepath.Join(dir, "chat_template.json"), []byte(`{"chat_template": "json"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if tp, err = Load(dir, LoadOptions{}); err != nil || render(t, tp, msgs, false).Text != "json" {
		t.Errorf("chat_template.json does not take precedence: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "chat_template.jinja"), []byte("jinja {{ messages[0].content }}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if tp, err = Load(dir, LoadOptions{}); err != nil || render(t, tp, msgs, false).Text != "jinja hi" { // Python Jinja drops the trailing newline
		t.Errorf("chat_template.jinja does not take precedence: %v", err)
	}
	// A path to one file reads that file.
	if tp, err = Load(filepath.Join(dir, "tokenizer_config.json"), LoadOptions{}); err != nil || render(t, tp, msgs, false).Text != "config:<s></s>" {
		t.Errorf("file path: %v", err)
	}
}

// A tokenizer with several named templates uses "default", "tool_use" when
// tools are passed, the one asked for, and names them when it cannot choose.
func TestLoadNamedTemplates(t *testing.T) {
	msgs := `[{"role": "user", "content": "hi"}]`
	dir := writeFiles(t, map[string]string{"tokenizer_config.json": `{"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}, {"name": "rag", "template": "R"}]}`})
	for _, c := range []struct {
		o    LoadOptions
		want string
	}{{LoadOptions{}, "D"}, {LoadOptions{Tools: true}, "T"}, {LoadOptions{Name: "rag"}, "R"}} {
		tp, err := Load(dir, c.o)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(t, tp, msgs, false).Text; got != c.want {
			t.Errorf("%+v: %q, want %q", c.o, got, c.want)
		}
	}
	if _, err := Load(dir, LoadOptions{Name: "nope"}); err == nil || !strings.Contains(err.Error(), "default, rag, tool_use") {
		t.Errorf("unknown name: %v", err)
	}
	dir = writeFiles(t, map[string]string{"tokenizer_config.json": `{"chat_template": [{"name": "a", "template": "A"}, {"name": "b", "template": "B"}]}`})
	if _, err := Load(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "a, b") {
		t.Errorf("no default: %v", err)
	}
	if _, err := Load(t.TempDir(), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "no chat template") {
		t.Errorf("empty directory: %v", err)
	}
}

// Spans count characters, not bytes, and follow transformers' tracker: a
// block is recorded only once something was rendered before it or an
// earlier block was recorded.
func TestAssistantSpans(t *testing.T) {
	tp, err := Parse("{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}|{% endfor %}", "t")
	if err != nil {
		t.Fatal(err)
	}
	r := render(t, tp, `[{"role": "user", "content": "héllo ☕"}, {"role": "assistant", "content": "wörld"}, {"role": "user", "content": "x"}, {"role": "assistant", "content": "yz"}]`, false)
	if r.Text != "héllo ☕|wörld|x|yz|" {
		t.Fatalf("rendered %q", r.Text)
	}
	want := [][2]int{{8, 13}, {16, 18}}
	if len(r.AssistantSpans) != 2 || r.AssistantSpans[0] != want[0] || r.AssistantSpans[1] != want[1] {
		t.Errorf("spans %v, want %v", r.AssistantSpans, want)
	}
	if !tp.HasGeneration() {
		t.Error("HasGeneration is false")
	}
	// Nothing rendered before the first block: transformers' tracker is not
	// active yet and records nothing for it; the second is recorded.
	r = render(t, tp, `[{"role": "assistant", "content": "ab"}, {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]`, false)
	if len(r.AssistantSpans) != 1 || r.AssistantSpans[0] != [2]int{5, 6} {
		t.Errorf("spans %v, want [[5 6]]", r.AssistantSpans)
	}
}

// Bad input: no messages, messages that are not a list.
func TestRenderRefusesBadMessages(t *testing.T) {
	tp, err := Parse("{{ messages }}", "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tp.Render(Request{}); err == nil {
		t.Error("no error without messages")
	}
	m, _ := ValueFromJSON([]byte(`{"role": "user"}`))
	if _, err := tp.Render(Request{Messages: m}); err == nil || !strings.Contains(err.Error(), "list") {
		t.Errorf("a dict as messages: %v", err)
	}
	if _, err := ValueFromJSON([]byte(`[1] x`)); err == nil {
		t.Error("trailing data accepted")
	}
}

// Errors name the template line: syntax errors, errors while rendering and
// raise_exception (whose message stays whole).
func TestErrorsNameTheLine(t *testing.T) {
	if _, err := Parse("x\n{% if %}", "t.jinja"); err == nil || !strings.Contains(err.Error(), "t.jinja: line 2") {
		t.Errorf("syntax error: %v", err)
	}
	m, _ := ValueFromJSON([]byte(`[{"role": "user", "content": "x"}]`))
	for src, want := range map[string]string{
		"a\nb\n{{ 'a' + 1 }}": "t.jinja: line 3: can only concatenate str",
		"{% for m in messages %}\n\n{{ raise_exception('Only user and assistant roles are supported!') }}{% endfor %}": "t.jinja: line 3: Only user and assistant roles are supported!",
		"{% if true %}\n{% for m in messages %}\n{{ m.content.nope.x }}{% endfor %}{% endif %}":                        "t.jinja: line 3:",
	} {
		tp, err := Parse(src, "t.jinja")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tp.Render(Request{Messages: m}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}
