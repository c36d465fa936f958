// Package all registers every model family vlmtune supports: import it
// for its side effect (import _ "github.com/vlmtune/vlmtune/models/all")
// wherever models are loaded by directory. Adding a family is one new
// package under models/ that calls models.Register in its init function,
// plus one import line here.
package all

import (
	// The families.
	_ "github.com/vlmtune/vlmtune/models/clip"
	_ "github.com/vlmtune/vlmtune/models/llama"
	_ "github.com/vlmtune/vlmtune/models/opt"
	_ "github.com/vlmtune/vlmtune/models/qwen2"
	_ "github.com/vlmtune/vlmtune/models/siglip"
)
