package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vlmtune/vlmtune/hf"
)

func init() {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect PATH",
		Short: "Show a checkpoint's config summary and tensor table (name, dtype, shape)",
		Long: `inspect reads a Hugging Face checkpoint directory (config.json with
model.safetensors, or sharded model-0000N-of-0000M.safetensors files and
model.safetensors.index.json) or a single .safetensors file, validates every
header, and prints the config's main sizes and a table of the tensors with
their dtype, shape and parameter count, then the totals. Tensor data is not
read, so even a large checkpoint is inspected instantly.`,
		Example: `  vlmtune inspect ./clip-vit-base-patch32
  vlmtune inspect --json ./model.safetensors`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := hf.Inspect(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(s)
			}
			return printSummary(out, s)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	rootCmd.AddCommand(cmd)
}

func printSummary(w io.Writer, s *hf.Summary) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "path\t%s\n", s.Path)
	if c := s.Config; c != nil {
		head := c.ModelType
		if len(c.Architectures) > 0 {
			head += " (" + strings.Join(c.Architectures, ", ") + ")"
		}
		if c.TorchDType != "" {
			head += ", torch_dtype " + c.TorchDType
		}
		fmt.Fprintf(tw, "config\t%s\n", strings.TrimSpace(head))
		for _, sec := range c.Sections {
			if len(sec.Fields) == 0 {
				continue
			}
			var kv []string
			for _, f := range sec.Fields {
				kv = append(kv, f.Key+"="+string(f.Value))
			}
			name := sec.Name
			if name == "" {
				name = "(top level)"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", name, strings.Join(kv, " "))
		}
	}
	files := strings.Join(s.Files, ", ")
	if s.Sharded {
		files = fmt.Sprintf("%d shards: %s", len(s.Files), files)
	}
	fmt.Fprintf(tw, "files\t%s\n", files)
	if len(s.Metadata) > 0 {
		keys := make([]string, 0, len(s.Metadata))
		for k := range s.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var kv []string
		for _, k := range keys {
			kv = append(kv, k+"="+s.Metadata[k])
		}
		fmt.Fprintf(tw, "metadata\t%s\n", strings.Join(kv, " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	rows := [][]string{{"NAME", "DTYPE", "SHAPE", "PARAMS"}}
	if s.Sharded {
		rows[0] = append(rows[0], "FILE")
	}
	for _, t := range s.Tensors {
		row := []string{t.Name, t.DType, shapeString(t.Shape), fmt.Sprint(t.Params)}
		if s.Sharded {
			row = append(row, t.File)
		}
		rows = append(rows, row)
	}
	if err := printTable(w, rows, 3); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s, %s parameters (%d), %s\n", plural(s.Totals.Tensors, "tensor"), humanCount(s.Totals.Params), s.Totals.Params, humanBytes(s.Totals.Bytes))
	for _, d := range s.Totals.ByDType {
		fmt.Fprintf(w, "  %s: %s, %s parameters, %s\n", d.DType, plural(d.Tensors, "tensor"), humanCount(d.Params), humanBytes(d.Bytes))
	}
	return nil
}

// printTable writes rows in aligned columns separated by two spaces; column
// right is right-aligned, the others left-aligned.
func printTable(w io.Writer, rows [][]string, right int) error {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.Reset()
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len(c))
			switch {
			case i == right:
				b.WriteString(pad + c)
			case i == len(r)-1:
				b.WriteString(c)
			default:
				b.WriteString(c + pad)
			}
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// humanCount formats n with a K/M/B suffix (decimal).
func humanCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// humanBytes formats n in binary units.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
