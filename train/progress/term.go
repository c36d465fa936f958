package progress

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// fder is implemented by *os.File.
type fder interface{ Fd() uintptr }

// isTerminal reports whether w is a terminal that understands carriage
// returns: an *os.File on a TTY, with TERM not set to "dumb".
func isTerminal(w io.Writer) bool {
	f, ok := w.(fder)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// terminalWidth asks the terminal behind w for its width, then $COLUMNS,
// and falls back to 100 columns.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(fder); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 100
}
