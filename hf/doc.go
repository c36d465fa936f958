// Package hf reads and writes Hugging Face model directories: config.json
// and the other JSON configuration files (decoded into typed structs while
// every unknown field is kept for writing back), weights in
// model.safetensors or in sharded model-0000N-of-0000M.safetensors files
// with a model.safetensors.index.json, and the tokenizer and preprocessor
// files that travel with a model.
//
// Loading is strict. A file that is malformed, or that lies about its
// layout, gives an error naming the file and what is wrong (with line and
// column for JSON, the key path for a wrong type); CheckKeys compares the
// tensors a model expects with those a checkpoint holds and lists every
// missing, unexpected and mis-shaped key in one error. Writing is atomic
// per file, and written weights load back bit-identically.
//
// The package does not import the tensor engine: tensors cross its
// boundary as Tensor values (name, shape, []float32). Model-specific config
// structs live in the models/ packages and use DecodeJSON, MergeJSON and the
// `hf:"required"` field tag from here. The safetensors subpackage handles
// single files.
package hf
