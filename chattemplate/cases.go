package chattemplate

import (
	"fmt"

	"github.com/ardanlabs/jinja"
)

// CaseResult is one rendered case of a cases file.
type CaseResult struct {
	// Template is the case's template name.
	Template string
	// Rendered is the prompt; Err is set instead when the template raised.
	Rendered Rendered
	Err      error
}

// RenderCases renders every case of a file shaped like the chat-templates
// fixture: {"templates": {name: source}, "special_tokens": {name: {...}},
// "cases": [{"template", "messages", "add_generation_prompt",
// "template_kwargs"}]}. A template that fails to compile or raises makes
// that case's Err; a malformed file is an error.
func RenderCases(data []byte) ([]CaseResult, error) {
	root, err := ValueFromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("cases file: %w", err)
	}
	if !root.IsDict() {
		return nil, fmt.Errorf("cases file: expected an object with templates and cases")
	}
	sources := field(root, "templates")
	specials := field(root, "special_tokens")
	cases := field(root, "cases")
	if !sources.IsDict() || !cases.IsList() {
		return nil, fmt.Errorf("cases file: expected \"templates\" (an object of name: source) and \"cases\" (a list)")
	}
	compiled := map[string]*Template{}
	out := make([]CaseResult, 0, cases.AsList().Len())
	for i, c := range cases.AsList().Items {
		if !c.IsDict() {
			return nil, fmt.Errorf("cases file: case %d is not an object", i)
		}
		name := field(c, "template")
		if !name.IsString() {
			return nil, fmt.Errorf("cases file: case %d has no \"template\" name", i)
		}
		res := CaseResult{Template: name.AsString()}
		t, ok := compiled[res.Template]
		if !ok {
			src := field(sources, res.Template)
			if !src.IsString() {
				return nil, fmt.Errorf("cases file: case %d uses template %q, which \"templates\" does not hold", i, res.Template)
			}
			var perr error
			t, perr = Parse(src.AsString(), fmt.Sprintf("template %q", res.Template))
			if perr != nil {
				res.Err = perr
				out = append(out, res)
				continue
			}
			if sp := field(specials, res.Template); sp.IsDict() {
				for _, k := range sp.AsDict().Keys {
					t.Special[k], _ = sp.AsDict().Get(k)
				}
			}
			compiled[res.Template] = t
		}
		req := Request{Messages: field(c, "messages"), Variables: map[string]jinja.Value{}}
		if g := field(c, "add_generation_prompt"); g.IsBool() {
			req.AddGenerationPrompt = g.AsBool()
		}
		if kw := field(c, "template_kwargs"); kw.IsDict() {
			for _, k := range kw.AsDict().Keys {
				req.Variables[k], _ = kw.AsDict().Get(k)
			}
		}
		req.Tools = field(c, "tools")
		req.Documents = field(c, "documents")
		res.Rendered, res.Err = t.Render(req)
		out = append(out, res)
	}
	return out, nil
}

func field(d jinja.Value, key string) jinja.Value {
	if !d.IsDict() {
		return jinja.Undefined()
	}
	v, ok := d.AsDict().Get(key)
	if !ok {
		return jinja.Undefined()
	}
	return v
}
