// Package chattemplate renders a model's chat template (the Jinja template
// of tokenizer_config.json, chat_template.json or chat_template.jinja) the
// way transformers' apply_chat_template does: Jinja with trim_blocks and
// lstrip_blocks, raise_exception, a tojson filter that keeps non-ASCII text,
// the special tokens (bos_token, eos_token, ...) as variables,
// add_generation_prompt, tools and documents, and messages whose content is
// a string or a list of {type: text|image|video} parts. Templates with
// {% generation %} blocks also report where the assistant's text lies in
// the prompt, for training only on the assistant's tokens.
//
// The Jinja engine is github.com/ardanlabs/jinja v1.8.0 with vlmtune's
// patches (third_party/jinja/PATCHES.md); testdata/jinja_cases.json holds
// it to Python Jinja on each behaviour it used to get wrong.
package chattemplate
