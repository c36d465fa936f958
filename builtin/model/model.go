// Package model embeds vlmtune's built-in model: a small CLIP that
// vlmtune pre-trained itself on domain "a" of the synthetic shapes data
// (package builtin re-creates these files with Build). It is a leaf
// package, so the trainer can materialise the model for model.path
// "builtin" without depending on the default run that uses it.
package model

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Name is the model path that stands for the built-in model in
// configurations (model.path, training.regularization.teacher).
const Name = "builtin"

// files holds the model directory: config.json, model.safetensors, the
// tokenizer and preprocessor_config.json.
//
//go:embed *.json *.txt *.safetensors
var files embed.FS

// Extract writes the built-in model's files into dir and returns dir.
func Extract(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), data, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("builtin model: extracting the files: %w", err)
	}
	return dir, nil
}
