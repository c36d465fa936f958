package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// runCLI runs the root command in-process with args and returns its
// output and error. Flags are reset by building fresh commands is not
// possible with cobra's package-level tree, so tests pass every flag they
// rely on explicitly.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	resetFlags(args)
	rootCmd.SetArgs(args)
	err := rootCmd.Execute()
	return out.String(), err
}

// resetFlags puts the flags of the command args name back to their
// defaults, unset, since cobra keeps values (and Changed) between in-process
// runs.
func resetFlags(args []string) {
	cmd, _, err := rootCmd.Find(args)
	if err != nil || cmd == nil {
		return
	}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			_ = sv.Replace(nil)
		} else {
			_ = f.Value.Set(f.DefValue)
		}
		f.Changed = false
	})
}

// runCLISplit is runCLI with standard output and standard error apart.
func runCLISplit(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&errOut)
	resetFlags(args)
	rootCmd.SetArgs(args)
	err = rootCmd.Execute()
	return out.String(), errOut.String(), err
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}
