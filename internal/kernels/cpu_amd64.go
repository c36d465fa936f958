//go:build amd64 && !noasm

package kernels

import "golang.org/x/sys/cpu"

// supportedPaths lists the assembly paths the CPU and OS support (x/sys/cpu
// checks that the OS saves the AVX and AVX-512 register state).
func supportedPaths() []string {
	var ps []string
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ps = append(ps, PathAVX512)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ps = append(ps, PathAVX2)
	}
	return append(ps, PathGeneric)
}
