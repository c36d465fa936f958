package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

// template render --cases prints, for every case of the chat-templates
// fixture, the string transformers rendered (null where it raised).
func TestTemplateRenderCases(t *testing.T) {
	path := testutil.Fixture(t, "chat-templates", "chat_templates.json")
	out, stderr, err := runCLISplit(t, "template", "render", "--cases", path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Cases []struct {
			Rendered *string `json:"rendered"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &fx); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(fx.Cases) {
		t.Fatalf("%d lines for %d cases:\n%s", len(lines), len(fx.Cases), out)
	}
	for i, c := range fx.Cases {
		var got *string
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if (got == nil) != (c.Rendered == nil) || (got != nil && *got != *c.Rendered) {
			t.Errorf("case %d: got %s, want %v", i, lines[i], c.Rendered)
		}
	}
	if !strings.Contains(stderr, "Conversation roles must alternate") {
		t.Errorf("standard error does not carry the templates' messages:\n%s", stderr)
	}
}

// template render --tokenizer DIR reads tokenizer_config.json's template and
// special tokens; --var adds variables; bad input says what to do.
func TestTemplateRenderTokenizer(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("tokenizer_config.json", `{"bos_token": {"content": "<s>", "__type": "AddedToken"}, "eos_token": "</s>",
	 "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}{{ eos_token }}\n{% endfor %}{% if add_generation_prompt %}[assistant] {{ greeting }}{% endif %}"}`)
	msgs := write("chat.json", `[{"role": "user", "content": "Hi ☕"}, {"role": "assistant", "content": "Hello"}]`)
	out, err := runCLI(t, "template", "render", "--tokenizer", dir, "--messages", msgs, "--add-generation-prompt", "--var", "greeting=Sure")
	if err != nil {
		t.Fatal(err)
	}
	if want := "<s>[user] Hi ☕</s>\n[assistant] Hello</s>\n[assistant] Sure"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	_, err = runCLI(t, "template", "render", "--tokenizer", t.TempDir(), "--messages", msgs)
	wantErr(t, err, "has no chat template", "--template")
	bad := write("bad.jinja", "line one\n{% for m in messages %}\n{{ m.content }}")
	_, err = runCLI(t, "template", "render", "--template", bad, "--messages", msgs)
	wantErr(t, err, "bad.jinja")
}
