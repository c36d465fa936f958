package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ardanlabs/jinja"
	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/chattemplate"
	"github.com/vlmtune/vlmtune/generate"
	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/internal/gctune"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/tokenizer"
)

// generateFlags are vlmtune generate's flags.
type generateFlags struct {
	model, adapter, prompt, inputs, system, out, eos, earlyStopping string
	chat, doSample                                                  bool
	maxNew, minNew, topK, numBeams, numReturn, noRepeat             int
	temperature, topP, minP, lengthPenalty, repetitionPenalty       float64
	seed                                                            uint64
	stop                                                            []string
}

func init() {
	var g generateFlags
	cmd := &cobra.Command{
		Use:   "generate --model DIR (--prompt TEXT | --inputs IN.safetensors) [flags]",
		Short: "Generate text with a causal language model (Llama, Mistral, Qwen2, OPT)",
		Long: `generate continues a prompt with a causal language model as transformers'
generate does: greedy search by default, sampling with --do-sample, beam
search with --num-beams. Settings not given on the command line come from the
model's generation_config.json, then transformers' defaults (which cap the
prompt and the new tokens together at max_length 20: pass --max-new-tokens).

--prompt TEXT is tokenized with the model's tokenizer (its special tokens
added, e.g. <s>) and the new text is streamed to standard output as it is
generated. With --chat the prompt is the user's message in a conversation
rendered with the model's chat template (--system adds a system message),
ending with the assistant's turn.

--inputs IN.safetensors takes input_ids [B, T] and attention_mask [B, T]
(left padding) as transformers takes them and writes, to --out, sequences
(the prompt and new tokens, padded after the end as transformers pads) and,
for greedy search and sampling, scores [steps, rows, vocab] (the processed
logits each token was chosen from); beam search writes sequences_scores.
Compare them with transformers' generate(..., return_dict_in_generate=True,
output_scores=True) array for array.

--eos-token-id replaces the generation config's end-of-sequence ids, as
transformers' argument does; -1 turns stopping on an end token off.`,
		Example: `  vlmtune generate --model ./TinyLlama-1.1B-Chat --chat --prompt "Name three colours." --max-new-tokens 64
  vlmtune generate --model ./llama --adapter runs/lora/best/adapter --prompt "Once upon a time" --do-sample --top-p 0.9 --seed 1
  vlmtune generate --model ./qwen2 --inputs batch.safetensors --num-beams 4 --max-new-tokens 20 --out gen.safetensors`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runGenerate(cmd, &g) },
	}
	f := cmd.Flags()
	f.StringVar(&g.model, "model", "", "model directory: config.json, weights, tokenizer (required)")
	f.StringVar(&g.adapter, "adapter", "", "a PEFT LoRA adapter (or a vlmtune method save) to apply")
	f.StringVar(&g.prompt, "prompt", "", "the text to continue; the new text is streamed")
	f.StringVar(&g.inputs, "inputs", "", "safetensors file with input_ids and attention_mask [B, T]")
	f.BoolVar(&g.chat, "chat", false, "render --prompt as a user message with the model's chat template")
	f.StringVar(&g.system, "system", "", "a system message before the prompt (with --chat)")
	f.StringVar(&g.out, "out", "", "write sequences (and scores) to this safetensors file")
	f.IntVar(&g.maxNew, "max-new-tokens", 0, "new tokens at most (default: the generation config's)")
	f.IntVar(&g.minNew, "min-new-tokens", 0, "forbid the end tokens until this many new tokens")
	f.BoolVar(&g.doSample, "do-sample", false, "sample instead of taking the most likely token")
	f.Float64Var(&g.temperature, "temperature", 1, "divide the logits by this before sampling")
	f.IntVar(&g.topK, "top-k", 50, "sample from the K most likely tokens (0: all)")
	f.Float64Var(&g.topP, "top-p", 1, "sample from the smallest set of tokens whose probability reaches P")
	f.Float64Var(&g.minP, "min-p", 0, "drop tokens less likely than min-p times the most likely one")
	f.Uint64Var(&g.seed, "seed", 0, "seed of sampling")
	f.IntVar(&g.numBeams, "num-beams", 1, "beam search with this many beams")
	f.Float64Var(&g.lengthPenalty, "length-penalty", 1, "beam scores are divided by length^length-penalty")
	f.StringVar(&g.earlyStopping, "early-stopping", "false", "beam search stops: true, false or never")
	f.IntVar(&g.numReturn, "num-return-sequences", 1, "sequences returned per prompt")
	f.Float64Var(&g.repetitionPenalty, "repetition-penalty", 1, "discourage tokens already present (> 1)")
	f.IntVar(&g.noRepeat, "no-repeat-ngram-size", 0, "never repeat an n-gram of this size")
	f.StringVar(&g.eos, "eos-token-id", "", "end-of-sequence ids, comma separated, replacing the config's (-1: none)")
	f.StringArrayVar(&g.stop, "stop", nil, "stop a row when its text contains this string (repeatable)")
	_ = cmd.MarkFlagRequired("model")
	rootCmd.AddCommand(cmd)
}

func runGenerate(cmd *cobra.Command, g *generateFlags) error {
	inferenceGC()
	if (g.prompt == "") == (g.inputs == "") {
		return errors.New("give exactly one of --prompt TEXT or --inputs IN.safetensors")
	}
	if g.inputs != "" && g.out == "" {
		return errors.New("--inputs writes its result to --out OUT.safetensors; name one")
	}
	if g.inputs != "" && g.chat {
		return errors.New("--chat renders --prompt; --inputs are token ids already")
	}
	if g.system != "" && !g.chat {
		return errors.New("--system needs --chat (the system message goes through the chat template)")
	}
	l, err := models.Load(g.model)
	if err != nil {
		return err
	}
	lm, ok := l.Model.(models.CausalLM)
	if !ok {
		return fmt.Errorf("%s holds a %s model; generate runs causal language models (%s)", g.model, l.Model.Family(), strings.Join(models.FamiliesOf(models.KindCausalLM), ", "))
	}
	nn.SetTrainable(lm, false)
	if g.adapter != "" {
		if _, err := peft.Load(g.adapter, lm, tensor.NewRNG(0)); err != nil {
			return err
		}
	}
	c, err := generate.ForModel(g.model, l.ConfigJSON)
	if err != nil {
		return err
	}
	if err := applyGenerateFlags(cmd, g, &c); err != nil {
		return err
	}
	var tk *tokenizer.Tokenizer
	if g.prompt != "" || len(c.StopStrings) > 0 {
		if tk, err = tokenizer.Load(g.model); err != nil {
			return fmt.Errorf("%w (generate needs the model's tokenizer for --prompt and --stop)", err)
		}
	}
	var p generate.Prompt
	if g.prompt != "" {
		ids, err := promptIDs(g, tk)
		if err != nil {
			return err
		}
		p = generate.Prompt{IDs: ids, B: 1, T: len(ids)}
	} else if p, err = readPromptInputs(g.inputs); err != nil {
		return err
	}
	if p.T > lm.MaxPositions() {
		return fmt.Errorf("the prompt has %d tokens, more than the model's max_position_embeddings %d", p.T, lm.MaxPositions())
	}
	if c.MaxNewTokens == 0 && p.T >= c.MaxLength {
		return fmt.Errorf("the prompt has %d tokens and max_length is %d, which counts the prompt: nothing to generate; pass --max-new-tokens", p.T, c.MaxLength)
	}
	if n := p.T + newTokens(c, p.T); n > lm.MaxPositions() {
		fmt.Fprintf(cmd.ErrOrStderr(), "note: prompt (%d) and new tokens reach %d positions, past max_position_embeddings %d\n", p.T, n, lm.MaxPositions())
	}
	opt := generate.Options{Context: cmd.Context(), OutputScores: g.out != ""}
	if tk != nil {
		opt.Decode = func(ids []int32) string { return tk.Decode(toInts(ids), true) }
	}
	stdout := cmd.OutOrStdout()
	streaming := g.prompt != "" && c.NumBeams == 1 && c.NumReturnSequences == 1
	var streamer *generate.TextStreamer
	if streaming {
		streamer = &generate.TextStreamer{Decode: opt.Decode, Write: func(s string) { io.WriteString(stdout, s) }}
		opt.Stream = func(_ int, tok int32) { streamer.Push(tok) }
	}
	res, err := generate.Generate(lm, p, c, opt)
	if err != nil {
		return err
	}
	if streaming {
		streamer.Flush()
		fmt.Fprintln(stdout)
	} else if g.prompt != "" {
		for i, seq := range res.Sequences {
			if len(res.Sequences) > 1 {
				fmt.Fprintf(stdout, "[%d] ", i)
			}
			fmt.Fprintln(stdout, tk.Decode(toInts(seq[p.T:]), true))
		}
	}
	if g.out != "" {
		if err := writeGenerated(g.out, res, lm.VocabSize()); err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d sequences to %s\n", len(res.Sequences), g.out)
	}
	return nil
}

// applyGenerateFlags overrides the generation config with the flags given.
func applyGenerateFlags(cmd *cobra.Command, g *generateFlags, c *generate.Config) error {
	set := cmd.Flags().Changed
	if set("max-new-tokens") {
		c.MaxNewTokens = g.maxNew
	}
	if set("min-new-tokens") {
		c.MinNewTokens = g.minNew
	}
	if set("do-sample") {
		c.DoSample = g.doSample
	}
	if set("temperature") {
		c.Temperature = g.temperature
	}
	if set("top-k") {
		c.TopK = g.topK
	}
	if set("top-p") {
		c.TopP = g.topP
	}
	if set("min-p") {
		c.MinP = g.minP
	}
	if set("seed") {
		c.Seed = g.seed
	}
	if set("num-beams") {
		c.NumBeams = g.numBeams
	}
	if set("length-penalty") {
		c.LengthPenalty = g.lengthPenalty
	}
	if set("early-stopping") {
		switch g.earlyStopping {
		case "true", "false", "never":
			c.EarlyStopping = g.earlyStopping
		default:
			return fmt.Errorf("--early-stopping %q: expected true, false or never", g.earlyStopping)
		}
	}
	if set("num-return-sequences") {
		c.NumReturnSequences = g.numReturn
	}
	if set("repetition-penalty") {
		c.RepetitionPenalty = g.repetitionPenalty
	}
	if set("no-repeat-ngram-size") {
		c.NoRepeatNgramSize = g.noRepeat
	}
	if set("stop") {
		c.StopStrings = g.stop
	}
	if set("eos-token-id") {
		ids, err := parseEOS(g.eos)
		if err != nil {
			return err
		}
		c.EOS = ids
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("generation settings: %w", err)
	}
	return nil
}

// parseEOS reads --eos-token-id: comma-separated ids, or -1 for none.
func parseEOS(s string) ([]int32, error) {
	if strings.TrimSpace(s) == "-1" {
		return nil, nil
	}
	var ids []int32
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(part), 10, 32)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("--eos-token-id %q: expected token ids separated by commas, or -1 for none", s)
		}
		ids = append(ids, int32(v))
	}
	return ids, nil
}

// promptIDs tokenizes --prompt, through the chat template with --chat.
func promptIDs(g *generateFlags, tk *tokenizer.Tokenizer) ([]int32, error) {
	if !g.chat {
		return toInt32s(tk.Encode(g.prompt).IDs), nil
	}
	t, err := chattemplate.Load(g.model, chattemplate.LoadOptions{})
	if err != nil {
		return nil, err
	}
	msg := func(role, content string) jinja.Value {
		d := jinja.NewDict()
		d.AsDict().Set("role", jinja.NewString(role))
		d.AsDict().Set("content", jinja.NewString(content))
		return d
	}
	var msgs []jinja.Value
	if g.system != "" {
		msgs = append(msgs, msg("system", g.system))
	}
	msgs = append(msgs, msg("user", g.prompt))
	r, err := t.Render(chattemplate.Request{Messages: jinja.NewList(msgs), AddGenerationPrompt: true})
	if err != nil {
		return nil, err
	}
	// The template writes the special tokens itself (transformers
	// tokenizes the rendered chat with add_special_tokens=False).
	enc := tk.EncodeBatch([]string{r.Text}, tokenizer.EncodeOptions{})
	return toInt32s(enc[0].IDs), nil
}

// readPromptInputs reads input_ids and attention_mask [B, T].
func readPromptInputs(path string) (generate.Prompt, error) {
	in, err := readForwardInputs(path)
	if err != nil {
		return generate.Prompt{}, err
	}
	ids, ok := in["input_ids"]
	if !ok || len(ids.Shape) != 2 || ids.Ints == nil {
		return generate.Prompt{}, fmt.Errorf("%s: needs an integer input_ids [batch, length]", path)
	}
	p := generate.Prompt{B: ids.Shape[0], T: ids.Shape[1], IDs: toInt32s64(ids.Ints)}
	if m, ok := in["attention_mask"]; ok {
		if len(m.Shape) != 2 || m.Shape[0] != p.B || m.Shape[1] != p.T || m.Ints == nil {
			return generate.Prompt{}, fmt.Errorf("%s: attention_mask has shape %v; input_ids has [%d %d]", path, m.Shape, p.B, p.T)
		}
		p.Mask = toInt32s64(m.Ints)
	}
	return p, nil
}

// writeGenerated writes sequences [N, L] (int64), scores [steps, rows,
// vocab] (rows: the sequences being searched, beams included) and
// sequences_scores [N].
func writeGenerated(path string, res *generate.Output, vocab int) error {
	n := len(res.Sequences)
	if n == 0 {
		return errors.New("no sequences to write")
	}
	width := len(res.Sequences[0])
	flat := make([]int64, 0, n*width)
	for i, s := range res.Sequences {
		if len(s) != width {
			return fmt.Errorf("sequence %d has %d tokens, sequence 0 has %d", i, len(s), width)
		}
		for _, id := range s {
			flat = append(flat, int64(id))
		}
	}
	ts := []safetensors.Tensor{safetensors.Int64Tensor("sequences", []int{n, width}, flat)}
	if len(res.Scores) > 0 {
		steps := len(res.Scores)
		var scores []float32
		for _, s := range res.Scores {
			scores = append(scores, s...)
		}
		per := len(res.Scores[0])
		if vocab <= 0 || per%vocab != 0 {
			return fmt.Errorf("scores of %d values per step do not split into rows of the vocabulary size %d", per, vocab)
		}
		ts = append(ts, safetensors.Tensor{Name: "scores", Shape: []int{steps, per / vocab, vocab}, DType: safetensors.F32, F32: scores})
	}
	if len(res.SequenceScores) > 0 {
		ts = append(ts, safetensors.Tensor{Name: "sequences_scores", Shape: []int{len(res.SequenceScores)}, DType: safetensors.F32, F32: res.SequenceScores})
	}
	return safetensors.Write(path, ts, map[string]string{"format": "pt", "producer": "vlmtune generate"})
}

// newTokens is how many tokens a generation may add to a prompt of t.
func newTokens(c generate.Config, t int) int {
	if c.MaxNewTokens > 0 {
		return c.MaxNewTokens
	}
	return max(c.MaxLength-t, 0)
}

func toInts(ids []int32) []int {
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	return out
}

func toInt32s(ids []int) []int32 {
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}

func toInt32s64(ids []int64) []int32 {
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}

// inferenceGC lets the heap grow only a little beyond the weights (unless
// GOGC is set): generation's garbage per step is small.
func inferenceGC() {
	if os.Getenv("GOGC") == "" {
		gctune.Start(gctune.Inference)
	}
}
