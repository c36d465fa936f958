package main

import "github.com/spf13/cobra"

// Command groups whose subcommands live in their own files. They are
// package-level variables, so every file's init can attach to them.
var (
	dataCmd = &cobra.Command{
		Use:   "data",
		Short: "Validate, inspect, split and synthesize image-text data sets",
	}
	benchCmd = &cobra.Command{
		Use:   "bench",
		Short: "Measure what this machine does: GEMM throughput, training steps",
	}
)

func init() {
	rootCmd.AddCommand(dataCmd, benchCmd)
}
