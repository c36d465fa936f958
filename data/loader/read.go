package loader

import (
	"context"
	"log/slog"

	"github.com/vlmtune/vlmtune/data"
)

// ReadExamples reads data files for training, with images left on disk
// (Options.LazyImages), applying the policy to records the reader rejects:
// Skip logs each one (Warn) and counts it, Fail returns the first. A file
// that cannot be read is an error under both policies.
func ReadExamples(ctx context.Context, paths []string, ropts data.Options, policy Policy, logger *slog.Logger) ([]*data.Example, int, error) {
	ropts.LazyImages = true
	skipped := 0
	exs, err := data.ReadAll(ctx, paths, ropts, func(re *data.RecordError) error {
		if policy == Fail {
			return re
		}
		skipped++
		if logger != nil {
			logger.Warn("skipped record", "record", re.Origin.String(), "kind", re.Kind, "err", re.Msg)
		}
		return nil
	})
	if err != nil {
		return nil, skipped, err
	}
	if logger != nil && skipped > 0 {
		logger.Info("read data", "examples", len(exs), "skipped", skipped)
	}
	return exs, skipped, nil
}
