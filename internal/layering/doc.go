// Package layering holds the test that checks vlmtune's import rules
// against `go list`: every package belongs to a layer of docs/design.md,
// and imports point down the layers only.
package layering
