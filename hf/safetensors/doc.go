// Package safetensors reads and writes the safetensors tensor file format
// (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON describing every tensor (dtype, shape and
// a [begin, end) byte range into the data section) plus an optional
// "__metadata__" map of strings, then the raw little-endian tensor bytes.
//
// Reading is strict: Open and Parse validate the whole header before any
// tensor is touched (JSON syntax, dtypes, shapes, byte ranges that must tile
// the data section exactly, with no gap, overlap or trailing bytes) and
// return a *FormatError naming the file, the tensor and what is wrong.
// Open memory-maps the file read-only where the platform allows it, so
// opening a multi-gigabyte file costs nothing until a tensor is read.
//
// Every dtype the format defines can be read as raw bytes; Float32s,
// Int64s and Uint8s convert to plain Go slices (F16 and BF16 widen to
// float32 exactly). Write produces files that follow the Rust reference
// implementation byte for byte: the header JSON is padded with spaces to a
// multiple of 8, tensors are laid out by descending dtype alignment and then
// by name with contiguous increasing offsets, and the file is replaced
// atomically.
//
// This package does not depend on the tensor engine: tensors cross its
// boundary as names, shapes and Go slices.
package safetensors
