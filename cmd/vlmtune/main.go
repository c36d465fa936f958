// Command vlmtune fine-tunes and evaluates vision-language dual encoders
// (CLIP, SigLIP) from Hugging Face checkpoints, in one static binary: it
// prepares and validates image-text data, trains with full fine-tuning or
// a parameter-efficient method, evaluates with the field's metrics, embeds
// and classifies images, and writes Hugging Face checkpoints and PEFT
// adapters.
//
// Each subcommand lives in its own file and registers itself on rootCmd in
// an init function; the logic lives in the library packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/vlmtune/vlmtune/internal/gctune"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

var rootCmd = &cobra.Command{
	Use:   "vlmtune",
	Short: "Fine-tune vision-language dual encoders (CLIP, SigLIP) on a CPU",
	Long: `vlmtune fine-tunes vision-language models from Hugging Face checkpoints:
full fine-tuning, LoRA, adapters, prompt and prefix tuning; evaluates them
with the metrics the field uses; and writes the results back in Hugging Face
and PEFT formats.`,
	Version:       version,
	SilenceUsage:  true,
	SilenceErrors: true,
}

// exitError carries a specific exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	// Unless GOGC is set, the collector's target follows the live heap
	// (gctune.Default): 128 MiB of headroom, between 10% and 100%. Big
	// models stay close to their live size (Go's default of 100 would let
	// the heap double); small ones do not collect every few megabytes.
	if os.Getenv("GOGC") == "" {
		gctune.Start(gctune.Default)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := rootCmd.ExecuteContext(ctx)
	if err == nil {
		return
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	if err.Error() != "" {
		fmt.Fprintln(os.Stderr, "vlmtune:", err)
	}
	os.Exit(code)
}
