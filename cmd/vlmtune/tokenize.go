package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/tokenizer"
)

func init() {
	var (
		dir        string
		maxLength  int
		truncation bool
		padding    string
		noSpecial  bool
		openAI     bool
		tokens     bool
	)
	cmd := &cobra.Command{
		Use:   "tokenize --tokenizer DIR",
		Short: "Tokenize text: one text per line on stdin, one JSON array of ids per line on stdout",
		Long: `tokenize reads one text per line from standard input (a trailing "\r" is
dropped) and prints, for each, one JSON array of token ids on its own line.

--tokenizer names a directory (tokenizer.json, or vocab.json + merges.txt,
or a SentencePiece .model, with tokenizer_config.json beside it) or one of
those files. Special tokens (for CLIP <|startoftext|> and <|endoftext|>) are
added unless --no-special-tokens is given.`,
		Example: `  echo "a photo of a cat" | vlmtune tokenize --tokenizer ./clip-vit-base-patch32
  vlmtune tokenize --tokenizer tok/ --max-length 77 --truncation --padding max_length < captions.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pad, ok := tokenizer.ParsePadMode(padding)
			if !ok {
				return fmt.Errorf("--padding %q: expected none, longest or max_length", padding)
			}
			if maxLength < 0 {
				return fmt.Errorf("--max-length %d: must not be negative", maxLength)
			}
			var opts []tokenizer.Option
			if openAI {
				opts = append(opts, tokenizer.WithOpenAICleaning())
			}
			tk, err := tokenizer.Load(dir, opts...)
			if err != nil {
				return err
			}
			if pad == tokenizer.PadMaxLength && maxLength == 0 && tk.ModelMaxLength() == 0 {
				return errors.New("--padding max_length needs --max-length: the tokenizer has no model_max_length")
			}
			texts, err := readTextLines(cmd.InOrStdin())
			if err != nil {
				return fmt.Errorf("reading stdin: %w", err)
			}
			encs := tk.EncodeBatch(texts, tokenizer.EncodeOptions{
				MaxLength: maxLength, Truncation: truncation, Padding: pad, AddSpecialTokens: !noSpecial,
			})
			w := bufio.NewWriter(cmd.OutOrStdout())
			var buf []byte
			for _, e := range encs {
				buf = buf[:0]
				if tokens {
					buf = appendJSONStrings(buf, e.Tokens)
				} else {
					buf = appendJSONInts(buf, e.IDs)
				}
				buf = append(buf, '\n')
				if _, err := w.Write(buf); err != nil {
					return err
				}
			}
			return w.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "tokenizer", "", "tokenizer directory or file (required)")
	f.IntVar(&maxLength, "max-length", 0, "length for --truncation and --padding max_length, special tokens included (default: model_max_length)")
	f.BoolVar(&truncation, "truncation", false, "cut longer texts to --max-length")
	f.StringVar(&padding, "padding", "none", "none, longest or max_length")
	f.BoolVar(&noSpecial, "no-special-tokens", false, "do not add the special tokens of the post-processor")
	f.BoolVar(&openAI, "openai-clean", false, "clean text like OpenAI's CLIP tokenizer (ftfy fixes, HTML unescape, white space)")
	f.BoolVar(&tokens, "tokens", false, "print the token strings instead of the ids")
	_ = cmd.MarkFlagRequired("tokenizer")
	rootCmd.AddCommand(cmd)
}

// readTextLines splits r into lines without a length limit, dropping the line
// terminator ("\n" or "\r\n").
func readTextLines(r io.Reader) ([]string, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var lines []string
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			lines = append(lines, line)
		}
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func appendJSONInts(b []byte, v []int) []byte {
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return append(b, ']')
}

func appendJSONStrings(b []byte, v []string) []byte {
	var sb bytes.Buffer
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a []string always encodes
	return append(b, bytes.TrimSuffix(sb.Bytes(), []byte("\n"))...)
}
