//go:build openblas

// Command openblas measures OpenBLAS's cblas_sgemm (through cgo) at the
// same shapes and in the same way as `vlmtune bench gemm`, and prints one
// JSON object per shape with the keys m, k, n, trans and gflops. It needs
// Debian's libopenblas-dev and builds only with -tags openblas:
//
//	OPENBLAS_NUM_THREADS=2 go run -tags openblas ./bench/gemm/openblas --shapes 1024x1024x1024
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/vlmtune/vlmtune/bench/gemmbench"
)

func main() {
	shapes := flag.String("shapes", "", "comma-separated MxKxN[:nn|nt|tn|tt] (default: 1024^3 and the ViT-B/32 training shapes)")
	minTime := flag.Duration("min-time", 300*time.Millisecond, "time spent measuring each shape")
	flag.Parse()
	list := gemmbench.DefaultShapes()
	if *shapes != "" {
		var err error
		if list, err = gemmbench.ParseShapes(*shapes); err != nil {
			fmt.Fprintln(os.Stderr, "openblas: --shapes:", err)
			os.Exit(2)
		}
	}
	enc := json.NewEncoder(os.Stdout)
	for _, s := range list {
		o := gemmbench.NewOperands(s, 1)
		r := gemmbench.MeasureFunc(s, *minTime, func() { sgemm(o) })
		row := map[string]any{"name": s.Name, "m": s.M, "k": s.K, "n": s.N, "trans": s.Trans(),
			"gflops": r.GFLOPS, "best_gflops": r.BestGFLOPS, "threads": threads(), "impl": "openblas"}
		if err := enc.Encode(row); err != nil {
			fmt.Fprintln(os.Stderr, "openblas:", err)
			os.Exit(1)
		}
	}
}
