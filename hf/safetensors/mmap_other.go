//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package safetensors

import "os"

// mapFile reports that memory mapping is unavailable on this platform; the
// caller reads the file instead.
func mapFile(f *os.File, size int64) (data []byte, ok bool) { return nil, false }

func unmapFile(b []byte) error { return nil }
