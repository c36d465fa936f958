package chattemplate

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ardanlabs/jinja"
)

// Template is a compiled chat template. It is safe for concurrent use.
type Template struct {
	// Source is the Jinja text.
	Source string
	// Origin says where the template came from (a file and key), for errors.
	Origin string
	// Special holds the tokenizer's special tokens (bos_token, eos_token,
	// unk_token, sep_token, pad_token, cls_token, mask_token and
	// additional_special_tokens), which every render sees as variables.
	Special map[string]jinja.Value

	compiled *jinja.Template
}

// Parse compiles a chat template. origin names where it came from in
// errors ("tokenizer_config.json chat_template"); a syntax error names the
// template line.
func Parse(source, origin string) (*Template, error) {
	if origin == "" {
		origin = "chat template"
	}
	c, err := jinja.Compile(source)
	if err != nil {
		return nil, &Error{Origin: origin, Err: err}
	}
	return &Template{Source: source, Origin: origin, Special: map[string]jinja.Value{}, compiled: c}, nil
}

// Request is what a template renders: the conversation and the options of
// apply_chat_template.
type Request struct {
	// Messages is the conversation: a list of {role, content, ...} dicts,
	// content a string or a list of parts ({type: "text", text} or
	// {type: "image"}). ValueFromJSON reads it from JSON in order.
	Messages jinja.Value
	// AddGenerationPrompt appends the prompt that starts an assistant turn.
	AddGenerationPrompt bool
	// Tools and Documents are passed as `tools` and `documents`; the zero
	// value renders as None, as transformers passes them when absent.
	Tools, Documents jinja.Value
	// Variables are further template variables (apply_chat_template's
	// keyword arguments, e.g. add_vision_id); they override the special
	// tokens of the same name.
	Variables map[string]jinja.Value
}

// Rendered is a rendered conversation.
type Rendered struct {
	// Text is the prompt.
	Text string
	// AssistantSpans are the [start, end) character (code point) offsets of
	// the text inside {% generation %} blocks, as transformers v4.44
	// computes them for return_assistant_tokens_mask.
	AssistantSpans [][2]int
}

// HasGeneration reports whether the template marks the assistant's text
// with {% generation %} blocks.
func (t *Template) HasGeneration() bool { return generationTag.MatchString(t.Source) }

var generationTag = regexp.MustCompile(`\{%-?\s*generation\s*-?%\}`)

// Render renders a conversation.
func (t *Template) Render(r Request) (Rendered, error) {
	if r.Messages.IsUndefined() || r.Messages.IsNone() {
		return Rendered{}, &Error{Origin: t.Origin, Err: errors.New("no messages to render")}
	}
	if !r.Messages.IsList() {
		return Rendered{}, &Error{Origin: t.Origin, Err: errors.New("messages must be a list of {role, content} objects")}
	}
	data := make(map[string]jinja.Value, len(t.Special)+len(r.Variables)+4)
	for k, v := range t.Special {
		data[k] = v
	}
	for k, v := range r.Variables {
		data[k] = v
	}
	data["messages"] = r.Messages
	data["tools"] = orNone(r.Tools)
	data["documents"] = orNone(r.Documents)
	data["add_generation_prompt"] = jinja.NewBool(r.AddGenerationPrompt)
	text, spans, err := t.compiled.RenderTracked(data)
	if err != nil {
		return Rendered{}, &Error{Origin: t.Origin, Err: err}
	}
	return Rendered{Text: text, AssistantSpans: spans}, nil
}

func orNone(v jinja.Value) jinja.Value {
	if v.IsUndefined() {
		return jinja.None()
	}
	return v
}

// Error is a template that failed to compile or render; raise_exception's
// message comes through as written.
type Error struct {
	Origin string
	Err    error
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	msg = strings.TrimPrefix(msg, "jinja parse: ")
	msg = strings.TrimPrefix(msg, "jinja scan: ")
	return fmt.Sprintf("%s: %s", e.Origin, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// renderSource compiles and renders a template with the entries of a dict
// value as its variables (the engine tests' entry point).
func renderSource(source string, vars jinja.Value) (string, error) {
	t, err := Parse(source, "")
	if err != nil {
		return "", err
	}
	data := map[string]jinja.Value{}
	for _, k := range vars.AsDict().Keys {
		data[k], _ = vars.AsDict().Get(k)
	}
	text, _, err := t.compiled.RenderTracked(data)
	return text, err
}
