package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vlmtune/vlmtune/hf/safetensors"
	"github.com/vlmtune/vlmtune/models"
	_ "github.com/vlmtune/vlmtune/models/all"
	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/peft"
	"github.com/vlmtune/vlmtune/tensor"
)

func init() {
	var modelDir, adapterDir, in, out string
	var grads, noMask bool
	cmd := &cobra.Command{
		Use:   "forward --model DIR [--adapter DIR] --inputs IN.safetensors --out OUT.safetensors [--grads]",
		Short: "Run a model on saved inputs and write every output under its Hugging Face name",
		Long: `forward reads the model's inputs from a safetensors file, under the names of
the family's forward in transformers, runs the model, and writes every
output under its Hugging Face name with the loss:

  dual encoders (CLIP, SigLIP): input_ids, attention_mask (optional) and
    pixel_values in; text_embeds, image_embeds, logits_per_image,
    logits_per_text, text/vision last_hidden_state and pooler_output out.
  causal language models (Llama, Mistral, Qwen2, OPT): input_ids,
    attention_mask, position_ids (optional) and labels (optional; -100 is
    ignored, the shift is transformers') in; logits, hidden_states [layers+1,
    B, T, hidden] and loss out.

--adapter DIR applies a PEFT LoRA adapter (or a vlmtune method save) first.
With --grads it also writes the loss's gradient for every trainable
parameter as grad.<name>: every parameter of the model, or with --adapter
the adapter's, under PEFT's names (base_model.model.<...>.lora_A.default
.weight). Compare the result with the same outputs from transformers (and
PEFT) to check a converted or fine-tuned model.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := models.Load(modelDir)
			if err != nil {
				return err
			}
			fm, ok := l.Model.(models.Forwarder)
			if !ok {
				return fmt.Errorf("%s: vlmtune forward does not run %s models", modelDir, l.Model.Family())
			}
			inputs, err := readForwardInputs(in)
			if err != nil {
				return err
			}
			if noMask {
				delete(inputs, "attention_mask")
			}
			nn.SetTrainable(fm, grads)
			var adapterParams map[string]*tensor.Tensor
			if adapterDir != "" {
				pm, ok := fm.(peft.Model)
				if !ok {
					return fmt.Errorf("%s: a %s model does not take adapters", modelDir, l.Model.Family())
				}
				a, err := peft.Load(adapterDir, pm, tensor.NewRNG(0))
				if err != nil {
					return err
				}
				adapterParams = appliedParams(a)
				if !grads {
					nn.SetTrainable(fm, false)
				}
			}
			scope := tensor.NewInferenceScope()
			if grads {
				scope = tensor.NewScope()
			}
			outs, err := fm.ForwardNamed(scope, inputs, true)
			if err != nil {
				return fmt.Errorf("%s: %w", in, err)
			}
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
				loss, ok := outs["loss"]
				if !ok {
					return fmt.Errorf("%s: --grads needs a loss (pass labels)", in)
				}
				loss.Backward()
				params := nn.Params(fm)
				if adapterParams != nil {
					params = adapterParams
				}
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
			if loss, ok := outs["loss"]; ok {
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %d tensors to %s (loss %.6f)\n", len(ts), out, loss.Item())
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %d tensors to %s\n", len(ts), out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&modelDir, "model", "", "Hugging Face checkpoint directory (required)")
	cmd.Flags().StringVar(&adapterDir, "adapter", "", "a PEFT LoRA adapter directory (or a vlmtune method save) to apply")
	cmd.Flags().StringVar(&in, "inputs", "", "safetensors file with the model's inputs, e.g. input_ids [B,T], attention_mask [B,T] and pixel_values [B,3,H,W] for a dual encoder (required)")
	cmd.Flags().StringVar(&out, "out", "", "safetensors file to write (required)")
	cmd.Flags().BoolVar(&grads, "grads", false, "also write d(loss)/d(parameter) as grad.<name>")
	cmd.Flags().BoolVar(&noMask, "no-attention-mask", false, "ignore attention_mask even when the file has one")
	for _, f := range []string{"model", "inputs", "out"} {
		cmd.MarkFlagRequired(f)
	}
	rootCmd.AddCommand(cmd)
}

// appliedParams names an installed method's parameters as PEFT does: the
// LoRA matrices as base_model.model.<module>.lora_A.default.weight.
func appliedParams(a *peft.Applied) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	if a.LoRA != nil {
		for name, p := range a.LoRA.Params() {
			name = strings.Replace(strings.Replace(name, ".lora_A.", ".lora_A.default.", 1), ".lora_B.", ".lora_B.default.", 1)
			out["base_model.model."+name] = p
		}
		return out
	}
	for name, p := range a.Added {
		out[name] = p
	}
	return out
}

// readForwardInputs reads every tensor of the inputs file: integer ones as
// integers, float ones as float32.
func readForwardInputs(path string) (models.Inputs, error) {
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	in := models.Inputs{}
	for _, info := range f.Tensors() {
		a := models.Array{Shape: append([]int(nil), info.Shape...)}
		switch {
		case info.DType.IsInteger():
			if a.Ints, err = f.Int64s(info.Name); err != nil {
				return nil, err
			}
		case info.DType.IsFloat():
			if a.Floats, err = f.Float32s(info.Name); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s: tensor %s has dtype %s, neither integer nor float", path, info.Name, info.DType)
		}
		in[info.Name] = a
	}
	return in, nil
}
