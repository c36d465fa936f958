package kernels

import (
	"os"
	"strings"
)

// Kernel paths, from the most to the least capable. CPUPath reports the one
// in use.
const (
	// PathAVX512 runs the AVX-512F assembly kernels.
	PathAVX512 = "avx512"
	// PathAVX2 runs the AVX2+FMA assembly kernels.
	PathAVX2 = "avx2"
	// PathGeneric runs the plain-Go reference kernels.
	PathGeneric = "generic"
)

// CPUEnv is the environment variable that forces a lower kernel path than
// the CPU supports: "avx512", "avx2" or "generic". It is read once, when the
// package is initialised. A path the CPU (or the build, with -tags noasm)
// does not support falls back to the best supported one below it; an
// unknown value is ignored.
const CPUEnv = "VLMTUNE_CPU"

// activePath is the kernel path chosen at init time.
var activePath = PathGeneric

// pathInstallers set the package's dispatch variables for a path. Each file
// that provides accelerated kernels registers one with addInstaller in a
// package-level variable declaration, so that all are registered before any
// init function runs. An installer must set every variable it owns,
// including back to the generic version for PathGeneric.
var pathInstallers []func(path string)

// addInstaller registers an installer; its result only serves to let a
// package-level declaration call it.
func addInstaller(install func(path string)) bool {
	pathInstallers = append(pathInstallers, install)
	return true
}

func init() { initPath() }

// CPUPath reports which kernel path the package uses: PathAVX512, PathAVX2
// or PathGeneric.
func CPUPath() string { return activePath }

// SupportedPaths lists the kernel paths this CPU and build can run, best
// first; PathGeneric is always last.
func SupportedPaths() []string { return supportedPaths() }

// pathRank orders paths from the least (0) to the most capable.
func pathRank(p string) int {
	switch p {
	case PathAVX512:
		return 2
	case PathAVX2:
		return 1
	case PathGeneric:
		return 0
	}
	return -1
}

// choosePath picks the best supported path no better than the one the
// environment asks for.
func choosePath(env string, supported []string) string {
	want := pathRank(strings.ToLower(strings.TrimSpace(env)))
	for _, p := range supported {
		if want < 0 || pathRank(p) <= want {
			return p
		}
	}
	return PathGeneric
}

// setPath installs the kernels of path p, which must be supported, and
// returns the previously active path. Tests use it to run every supported
// path in one process; it must not be called while kernels are running.
func setPath(p string) string {
	old := activePath
	for _, install := range pathInstallers {
		install(p)
	}
	activePath = p
	return old
}

// initPath selects the kernel path from the CPU's features and CPUEnv.
func initPath() {
	setPath(choosePath(os.Getenv(CPUEnv), supportedPaths()))
}
