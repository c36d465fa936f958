package data

// TokenCounter counts tokens the way the model's tokenizer does, so checks
// and statistics can speak in tokens. *tokenizer.Tokenizer is adapted to it
// by the command line; tests use small fakes.
type TokenCounter interface {
	// CountTokens returns the number of tokens text encodes to (including
	// any special tokens the tokenizer adds).
	CountTokens(text string) int
	// MaxTokens returns the longest sequence the model accepts; 0 means no
	// limit.
	MaxTokens() int
}

// FileError reports a file that could not be read at all, or whose reading
// broke off; the Reader goes on with the next file after returning it.
type FileError struct {
	// File is the data file (or shard) path as given to the reader.
	File string
	// Err says what went wrong.
	Err error
}

// Error formats the error as "file: err".
func (e *FileError) Error() string { return e.File + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }
