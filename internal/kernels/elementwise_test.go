package kernels

import (
	"fmt"
	"testing"
)

// TestBroadcastRows fills odd shapes on one and two workers, with guard
// values after the last row.
func TestBroadcastRows(t *testing.T) {
	old := Workers()
	defer SetWorkers(old)
	for _, workers := range []int{1, 2} {
		SetWorkers(workers)
		for _, sz := range [][2]int{{1, 1}, {15, 17}, {33, 31}, {2000, 33}, {3, 0}} {
			rows, cols := sz[0], sz[1]
			t.Run(fmt.Sprintf("w%d_%dx%d", workers, rows, cols), func(t *testing.T) {
				row := make([]float32, cols)
				for i := range row {
					row[i] = float32(i) + 0.5
				}
				dst := make([]float32, rows*cols+3)
				for i := range dst {
					dst[i] = -7
				}
				BroadcastRows(dst[:rows*cols], row, rows)
				for r := 0; r < rows; r++ {
					for c := 0; c < cols; c++ {
						if got := dst[r*cols+c]; got != row[c] {
							t.Fatalf("dst[%d][%d] = %v, want %v", r, c, got, row[c])
						}
					}
				}
				for i := rows * cols; i < len(dst); i++ {
					if dst[i] != -7 {
						t.Fatalf("guard %d overwritten: %v", i, dst[i])
					}
				}
			})
		}
	}
}
