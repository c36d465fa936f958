package progress_test

import (
	"os"
	"time"

	"github.com/vlmtune/vlmtune/train/progress"
)

func Example() {
	// A fixed clock that advances 2 s per step keeps the output reproducible;
	// real callers leave Now unset.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	bar := progress.New(os.Stdout, 6, progress.Options{Mode: progress.Plain, PlainSteps: 3, Now: clock})
	for step := 1; step <= 6; step++ {
		now = now.Add(2 * time.Second)
		bar.Update(step, progress.Fields{Epoch: 1, Epochs: 1, Loss: 1 / float64(step), LR: 3e-4, Samples: int64(32 * step)})
	}
	bar.Finish()
	// Output:
	// 1/6 (16.7%) | epoch 1/1 | loss 1 | lr 3.00e-04 | 16 samples/s | 0:02 elapsed | ETA 0:10
	// 3/6 (50.0%) | epoch 1/1 | loss 0.3333 | lr 3.00e-04 | 16 samples/s | 0:06 elapsed | ETA 0:06
	// 6/6 (100.0%) | epoch 1/1 | loss 0.1667 | lr 3.00e-04 | 16 samples/s | 0:12 elapsed | ETA 0:00
}
