package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vlmtune/vlmtune/infer"
	"github.com/vlmtune/vlmtune/infer/dual"
	"github.com/vlmtune/vlmtune/prep"
)

func init() {
	var modelDir, labels, labelsFile string
	var images, templates []string
	var top int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   `classify --model DIR --image FILE --labels "a cat,a dog,..." [--template "a photo of a {}."]`,
		Short: "Zero-shot classification of images against class names",
		Long: `classify embeds each class name through the templates (several templates
are averaged, as CLIP's prompt ensembling), embeds the images, and prints
the class probabilities: a softmax over the classes for CLIP, independent
sigmoids for SigLIP.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(images) == 0 {
				return errors.New("--image is required")
			}
			var classes []string
			switch {
			case labels != "" && labelsFile != "":
				return errors.New("give --labels or --labels-file, not both")
			case labels != "":
				for _, c := range strings.Split(labels, ",") {
					if c = strings.TrimSpace(c); c != "" {
						classes = append(classes, c)
					}
				}
			case labelsFile != "":
				var err error
				if classes, err = prep.LoadLabels(labelsFile); err != nil {
					return err
				}
			}
			if len(classes) < 2 {
				return fmt.Errorf("%d class names; give at least two with --labels \"a cat,a dog\" or --labels-file", len(classes))
			}
			sess, err := infer.Load(modelDir)
			if err != nil {
				return err
			}
			m, err := sess.Dual()
			if err != nil {
				return err
			}
			cls, err := m.Classes(classes, templates)
			if err != nil {
				return err
			}
			img, err := m.ImageFiles(images)
			if err != nil {
				return err
			}
			probs := dual.Probabilities(m.Model, m.Logits(cls, img))
			out := cmd.OutOrStdout()
			type scored struct {
				Label string  `json:"label"`
				Prob  float64 `json:"probability"`
			}
			for i, img := range images {
				rows := make([]scored, len(classes))
				for c, name := range classes {
					rows[c] = scored{name, probs[i][c]}
				}
				sort.SliceStable(rows, func(a, b int) bool { return rows[a].Prob > rows[b].Prob })
				if top > 0 && top < len(rows) {
					rows = rows[:top]
				}
				if asJSON {
					if err := json.NewEncoder(out).Encode(map[string]any{"image": img, "predictions": rows}); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintln(out, img)
				for _, r := range rows {
					fmt.Fprintf(out, "  %6.2f%%  %s\n", 100*r.Prob, r.Label)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelDir, "model", "", "model directory (required)")
	f.StringArrayVar(&images, "image", nil, "image file (repeatable)")
	f.StringVar(&labels, "labels", "", "comma-separated class names")
	f.StringVar(&labelsFile, "labels-file", "", "file of class names, one per line")
	f.StringArrayVar(&templates, "template", []string{"a photo of a {}."}, "prompt template with {} for the class (repeatable: ensembled)")
	f.IntVar(&top, "top", 5, "show the top K classes (0: all)")
	f.BoolVar(&asJSON, "json", false, "print JSON lines")
	cmd.MarkFlagRequired("model")
	rootCmd.AddCommand(cmd)
}
