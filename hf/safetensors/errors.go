package safetensors

import (
	"errors"
	"fmt"
)

// ErrFormat is wrapped by every error that reports a malformed safetensors
// file; test for it with errors.Is.
var ErrFormat = errors.New("invalid safetensors file")

// ErrNotFound is wrapped by the error a File returns for a tensor name it
// does not hold.
var ErrNotFound = errors.New("tensor not found")

// ErrClosed is returned by the accessors of a File after Close.
var ErrClosed = errors.New("safetensors file is closed")

// FormatError describes what is wrong with a safetensors file: Path is the
// file (empty for an in-memory buffer), Tensor the tensor the problem is
// about (empty when it concerns the file as a whole).
type FormatError struct {
	Path   string
	Tensor string
	Reason string
}

// Error formats the error as "safetensors: PATH: tensor "NAME": REASON".
func (e *FormatError) Error() string {
	msg := "safetensors: "
	if e.Path != "" {
		msg += e.Path + ": "
	}
	if e.Tensor != "" {
		msg += fmt.Sprintf("tensor %q: ", e.Tensor)
	}
	return msg + e.Reason
}

// Unwrap returns ErrFormat.
func (e *FormatError) Unwrap() error { return ErrFormat }

func formatErr(tensor, format string, args ...any) *FormatError {
	return &FormatError{Tensor: tensor, Reason: fmt.Sprintf(format, args...)}
}

// withPath sets the path of a *FormatError and returns err.
func withPath(err error, path string) error {
	var fe *FormatError
	if errors.As(err, &fe) && fe.Path == "" {
		fe.Path = path
	}
	return err
}
