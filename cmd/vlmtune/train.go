package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/vlmtune/vlmtune/builtin"
	builtinmodel "github.com/vlmtune/vlmtune/builtin/model"
	"github.com/vlmtune/vlmtune/train"
)

func init() {
	var configPath, resume string
	cmd := &cobra.Command{
		Use:   "train [--config FILE] [--resume DIR|auto] [--section.key=value ...]",
		Short: "Fine-tune a model; with no arguments, run the built-in default",
		Long: `train fine-tunes a dual encoder (CLIP, SigLIP) as a YAML configuration says
(see examples/ and docs/config.md); every configuration key can also be set
on the command line as --section.key=value, which wins over the file.

With no --config, train runs the built-in default: vlmtune's small CLIP,
pre-trained on domain "a" of the synthetic shapes data, is fine-tuned with
LoRA on domain "b" (shapes, colours and textures it has never seen), and
zero-shot accuracy and Recall@1 are printed before and after. The run
directory (default runs/default) receives config.yaml, metrics.jsonl,
TensorBoard events, checkpoints/, best/ and report.html.

Ctrl-C saves a checkpoint at the last completed step; continue with
--resume auto (or the checkpoint folder) and the same configuration.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			overrides := map[string]string{}
			cmd.Flags().Visit(func(f *pflag.Flag) {
				if strings.Contains(f.Name, ".") || f.Name == "seed" {
					overrides[f.Name] = f.Value.String()
				}
			})
			var cfg train.Config
			var err error
			isDefault := configPath == ""
			if isDefault {
				runDir := "runs/default"
				if v, ok := overrides["logging.run_dir"]; ok {
					runDir = v
				}
				cfg = builtin.DefaultConfig(runDir)
			} else if cfg, err = train.Load(configPath); err != nil {
				return err
			}
			if err := cfg.ApplyOverrides(overrides); err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			out := cmd.ErrOrStderr()
			_, ownTrain := overrides["data.train"]
			_, ownVal := overrides["data.val"]
			if isDefault && resume == "" && !ownTrain && !ownVal {
				if p := cfg.Model.Path; p != builtinmodel.Name {
					// Check the model before generating data for it.
					if _, err := os.Stat(filepath.Join(p, "config.json")); err != nil {
						return fmt.Errorf("model.path %s is not a Hugging Face checkpoint directory: it has no config.json", p)
					}
				}
				fmt.Fprintf(out, "built-in default: LoRA fine-tuning of vlmtune's small CLIP on synthetic domain b (data in %s)\n", filepath.Join(cfg.Logging.RunDir, "data"))
				if err := builtin.PrepareDefaultData(cmd.Context(), filepath.Join(cfg.Logging.RunDir, "data"), cfg.Seed); err != nil {
					return err
				}
			}
			res, err := train.Run(cmd.Context(), cfg, train.Options{Out: out, Resume: resume})
			if err != nil {
				var nf *train.NonFiniteError
				if errors.As(err, &nf) {
					return &exitError{code: 3, err: err}
				}
				return err
			}
			printResult(cmd.OutOrStdout(), res)
			if res.Interrupted {
				return &exitError{code: 130, err: errors.New("")}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "YAML configuration file (default: the built-in run)")
	cmd.Flags().StringVar(&resume, "resume", "", "continue from a checkpoint folder, or \"auto\" for the newest in the run directory")
	for _, k := range train.Keys() {
		cmd.Flags().String(k.Path, "", fmt.Sprintf("set %s (%s)", k.Path, k.Kind))
	}
	rootCmd.AddCommand(cmd)
}

// printResult prints the before/after table and where things are.
func printResult(w io.Writer, res *train.Result) {
	fmt.Fprintf(w, "\n%s: %d trainable of %d parameters, %d steps in %s", res.Method, res.Trainable, res.Total, res.Steps, res.Duration.Round(1e8))
	if res.Skipped > 0 {
		fmt.Fprintf(w, ", %d bad records skipped", res.Skipped)
	}
	fmt.Fprintln(w)
	if res.Before != nil || res.After != nil {
		fmt.Fprintf(w, "%-22s %10s %10s %10s\n", "metric", "before", "after", "change")
		for _, m := range res.Metrics {
			a, okA := res.After[m.Name]
			b, okB := res.Before[m.Name]
			if !okA || !okB || !m.Summary {
				continue
			}
			label := m.Label
			if m.Percent {
				label += " (%)"
			}
			fmt.Fprintf(w, "%-22s %10.2f %10.2f %+10.2f\n", label, b, a, a-b)
		}
	}
	if res.BestDir != "" {
		fmt.Fprintf(w, "best model: %s\n", res.BestDir)
	}
	fmt.Fprintf(w, "run directory: %s (report.html, metrics.jsonl, TensorBoard events)\n", res.RunDir)
}
