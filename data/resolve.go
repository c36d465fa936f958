package data

import (
	"fmt"
	"path/filepath"
	"strings"
)

// ResolvePath resolves an image path written in a record against root.
// Relative paths are joined to root; an absolute path must lie inside root.
// A path that escapes root (through "..", or an absolute path elsewhere) is
// an error. Resolution is lexical: symbolic links inside root are followed
// when the file is opened.
func ResolvePath(root, name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", fmt.Errorf("image path is empty")
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("image path %q contains a NUL byte", name)
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("image root %q: %v", root, err)
	}
	var p string
	if filepath.IsAbs(name) {
		p = filepath.Clean(name)
	} else {
		p = filepath.Join(absRoot, name)
	}
	rel, err := filepath.Rel(absRoot, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("image path %q escapes the image root %s; move the image under the root or pass a different --root", name, absRoot)
	}
	if rel == "." {
		return "", fmt.Errorf("image path %q names the image root itself, not a file", name)
	}
	return p, nil
}
