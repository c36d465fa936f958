package main

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"
	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

func init() {
	var modelDir, in, out string
	var grads, noMask bool
	cmd := &cobra.Command{
		Use:   "forward --model DIR --inputs IN.safetensors --out OUT.safetensors [--grads]",
		Short: "Run a model on saved inputs and write every output under its Hugging Face name",
		Long: `forward reads input_ids, attention_mask (optional) and pixel_values from a
safetensors file, runs the model, and writes text_embeds, image_embeds,
logits_per_image, logits_per_text, text/vision last_hidden_state and
pooler_output and the loss. With --grads it also writes the loss's gradient
for every parameter as grad.<parameter name>. Compare the result with the
same outputs from transformers to check a converted or fine-tuned model.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := models.Load(modelDir)
			if err != nil {
				return err
			}
			b, err := readForwardInputs(in, l.Model, noMask)
			if err != nil {
				return err
			}
			if grads {
				nn.SetTrainable(l.Model, true)
			} else {
				nn.SetTrainable(l.Model, false)
			}
			outs := models.NamedOutputs(l.Model, b, true)
			var ts []safetensors.Tensor
			add := func(name string, t *tensor.Tensor) {
				ts = append(ts, safetensors.Tensor{Name: name, Shape: append([]int(nil), t.Shape()...), DType: safetensors.F32, F32: t.Data()})
			}
			names := make([]string, 0, len(outs))
			for n := range outs {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				add(n, outs[n])
			}
			if grads {
				outs["loss"].Backward()
				params := nn.Params(l.Model)
				pn := make([]string, 0, len(params))
				for n := range params {
					pn = append(pn, n)
				}
				sort.Strings(pn)
				for _, n := range pn {
					if g := params[n].Grad(); g != nil {
						add("grad."+n, g)
					}
				}
			}
			if err := safetensors.Write(out, ts, map[string]string{"format": "pt", "producer": "vlmtune forward"}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d tensors to %s (loss %.6f)\n", len(ts), out, outs["loss"].Item())
			return nil
		},
	}
	cmd.Flags().StringVar(&modelDir, "model", "", "Hugging Face checkpoint directory (required)")
	cmd.Flags().StringVar(&in, "inputs", "", "safetensors file with input_ids [B,T], attention_mask [B,T] and pixel_values [B,3,H,W] (required)")
	cmd.Flags().StringVar(&out, "out", "", "safetensors file to write (required)")
	cmd.Flags().BoolVar(&grads, "grads", false, "also write d(loss)/d(parameter) as grad.<name>")
	cmd.Flags().BoolVar(&noMask, "no-attention-mask", false, "ignore attention_mask even when the file has one")
	for _, f := range []string{"model", "inputs", "out"} {
		cmd.MarkFlagRequired(f)
	}
	rootCmd.AddCommand(cmd)
}

// readForwardInputs reads and checks the inputs file.
func readForwardInputs(path string, m models.DualEncoder, noMask bool) (models.Batch, error) {
	f, err := safetensors.Open(path)
	if err != nil {
		return models.Batch{}, err
	}
	defer f.Close()
	idsInfo, err := f.Info("input_ids")
	if err != nil {
		return models.Batch{}, fmt.Errorf("%s: %w (the inputs file needs input_ids [B,T])", path, err)
	}
	if len(idsInfo.Shape) != 2 {
		return models.Batch{}, fmt.Errorf("%s: input_ids has shape %v, want [B, T]", path, idsInfo.Shape)
	}
	ids64, err := f.Int64s("input_ids")
	if err != nil {
		return models.Batch{}, fmt.Errorf("%s: input_ids: %w", path, err)
	}
	b := models.Batch{B: idsInfo.Shape[0], T: idsInfo.Shape[1], IDs: make([]int32, len(ids64))}
	for i, v := range ids64 {
		b.IDs[i] = int32(v)
	}
	if _, err := f.Info("attention_mask"); err == nil && !noMask {
		mask64, err := f.Int64s("attention_mask")
		if err != nil {
			return models.Batch{}, fmt.Errorf("%s: attention_mask: %w", path, err)
		}
		if len(mask64) != len(ids64) {
			return models.Batch{}, fmt.Errorf("%s: attention_mask has %d values, input_ids %d", path, len(mask64), len(ids64))
		}
		b.Mask = make([]int32, len(mask64))
		for i, v := range mask64 {
			b.Mask[i] = int32(v)
		}
	}
	pInfo, err := f.Info("pixel_values")
	if err != nil {
		return models.Batch{}, fmt.Errorf("%s: %w (the inputs file needs pixel_values [B,3,H,W])", path, err)
	}
	if len(pInfo.Shape) != 4 || pInfo.Shape[0] != b.B || pInfo.Shape[1] != 3 || pInfo.Shape[2] != m.ImageSize() || pInfo.Shape[3] != m.ImageSize() {
		return models.Batch{}, fmt.Errorf("%s: pixel_values has shape %v, want [%d, 3, %d, %d]", path, pInfo.Shape, b.B, m.ImageSize(), m.ImageSize())
	}
	px, err := f.Float32s("pixel_values")
	if err != nil {
		return models.Batch{}, fmt.Errorf("%s: pixel_values: %w", path, err)
	}
	b.Pixels = tensor.Wrap(px, pInfo.Shape...)
	if b.T > m.MaxTextLen() {
		return models.Batch{}, fmt.Errorf("%s: input_ids have %d tokens, the model takes at most %d", path, b.T, m.MaxTextLen())
	}
	return b, nil
}
