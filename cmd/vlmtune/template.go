package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ardanlabs/jinja"
	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/chattemplate"
)

func init() {
	templateCmd := &cobra.Command{
		Use:   "template",
		Short: "Chat templates: render a conversation as a model's prompt",
	}
	var (
		templateFile, tokenizerDir, messagesFile, casesFile, toolsFile, name string
		addGen, spans                                                        bool
		vars                                                                 []string
	)
	render := &cobra.Command{
		Use:   "render (--template FILE | --tokenizer DIR) --messages FILE.json [--add-generation-prompt]",
		Short: "Render messages with a chat template, exactly as transformers' apply_chat_template",
		Long: `render prints the prompt a chat template makes of a conversation, as
transformers' apply_chat_template(messages, add_generation_prompt=...,
tokenize=False) prints it (Jinja with trim_blocks and lstrip_blocks,
raise_exception, tojson, the special tokens as variables).

--tokenizer DIR reads the template where transformers looks for it
(chat_template.jinja, chat_template.json, the chat_template of
tokenizer_config.json or processor_config.json) and the special tokens
(bos_token, eos_token, ...) from tokenizer_config.json and
special_tokens_map.json. --template FILE reads a Jinja file, or the
chat_template of a JSON file; its special tokens come from that file's
folder when it holds a tokenizer_config.json, and from --var.

--messages is a JSON list of {"role", "content"} objects; content is a string
or a list of parts ({"type": "text", "text": ...}, {"type": "image"}).
--var KEY=VALUE sets a further template variable (VALUE is read as JSON when
it parses, else as a string), as apply_chat_template's keyword arguments do.
--assistant-spans prints, on a second line, the [start, end) character
offsets of the {% generation %} blocks (the assistant's text).

--cases FILE renders every case of a file shaped like the chat-templates
fixture ({"templates", "special_tokens", "cases"}) and prints one JSON
string per case and line, or null where the template raised (the message
goes to standard error).`,
		Example: `  vlmtune template render --tokenizer ./llava-1.5-7b-hf --messages chat.json --add-generation-prompt
  vlmtune template render --template tmpl.jinja --var bos_token='<s>' --messages chat.json
  vlmtune template render --cases chat_templates.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := bufio.NewWriter(cmd.OutOrStdout())
			defer out.Flush()
			if casesFile != "" {
				if templateFile != "" || tokenizerDir != "" || messagesFile != "" {
					return errors.New("--cases renders a cases file on its own; leave out --template, --tokenizer and --messages")
				}
				data, err := os.ReadFile(casesFile)
				if err != nil {
					return err
				}
				results, err := chattemplate.RenderCases(data)
				if err != nil {
					return fmt.Errorf("%s: %w", casesFile, err)
				}
				for i, r := range results {
					if r.Err != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "case %d: %v\n", i, r.Err)
						fmt.Fprintln(out, "null")
						continue
					}
					fmt.Fprintln(out, jsonString(r.Rendered.Text))
				}
				return nil
			}
			if (templateFile == "") == (tokenizerDir == "") {
				return errors.New("give the template with exactly one of --template FILE or --tokenizer DIR (or render a cases file with --cases)")
			}
			if messagesFile == "" {
				return errors.New("--messages FILE.json is required: a JSON list of {\"role\", \"content\"} objects")
			}
			path := tokenizerDir
			if templateFile != "" {
				path = templateFile
			}
			opts := chattemplate.LoadOptions{Name: name, Tools: toolsFile != ""}
			t, err := chattemplate.Load(path, opts)
			if err != nil {
				return err
			}
			req := chattemplate.Request{AddGenerationPrompt: addGen, Variables: map[string]jinja.Value{}}
			if req.Messages, err = readJSONValue(messagesFile); err != nil {
				return err
			}
			if toolsFile != "" {
				if req.Tools, err = readJSONValue(toolsFile); err != nil {
					return err
				}
			}
			for _, kv := range vars {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "" {
					return fmt.Errorf("--var %q: expected KEY=VALUE", kv)
				}
				val, err := chattemplate.ValueFromJSON([]byte(v))
				if err != nil {
					val = jinja.NewString(v)
				}
				req.Variables[k] = val
			}
			r, err := t.Render(req)
			if err != nil {
				return err
			}
			fmt.Fprint(out, r.Text)
			if spans {
				b, _ := json.Marshal(r.AssistantSpans)
				if r.AssistantSpans == nil {
					b = []byte("[]")
				}
				fmt.Fprintf(out, "\n%s\n", b)
			}
			return nil
		},
	}
	f := render.Flags()
	f.StringVar(&templateFile, "template", "", "a Jinja template file, or a JSON file with a chat_template")
	f.StringVar(&tokenizerDir, "tokenizer", "", "a model or tokenizer directory whose chat template to use")
	f.StringVar(&messagesFile, "messages", "", "the conversation: a JSON list of {role, content} objects")
	f.BoolVar(&addGen, "add-generation-prompt", false, "end with the prompt that starts the assistant's turn")
	f.StringVar(&toolsFile, "tools", "", "a JSON list of tool schemas, passed as `tools`")
	f.StringVar(&name, "name", "", "which of the tokenizer's named templates (default, tool_use, ...) to use")
	f.StringArrayVar(&vars, "var", nil, "KEY=VALUE: a further template variable (repeatable)")
	f.BoolVar(&spans, "assistant-spans", false, "also print the character spans of the {% generation %} blocks")
	f.StringVar(&casesFile, "cases", "", "render every case of a chat-templates fixture file, one JSON string per line")
	templateCmd.AddCommand(render)
	rootCmd.AddCommand(templateCmd)
}

// readJSONValue reads a JSON file as a template value, keeping key order.
func readJSONValue(path string) (jinja.Value, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return jinja.Undefined(), err
	}
	v, err := chattemplate.ValueFromJSON(data)
	if err != nil {
		return jinja.Undefined(), fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// jsonString encodes s as a JSON string without escaping <, > and &.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
