// Package tokenizer turns text into token ids and back for the text towers
// of vision-language models: CLIP, SigLIP, BERT, GPT-2, Llama and Qwen2.
//
// It reads the three formats those models ship with:
//
//   - a Hugging Face tokenizer.json (models BPE, including byte-level BPE
//     and the CLIP "</w>" end-of-word suffix, WordPiece, WordLevel and
//     Unigram; the normalizers, pre-tokenizers, post-processors and decoders
//     those files use; added and special tokens; truncation and padding);
//   - the older vocab.json + merges.txt pair of the CLIP (or GPT-2) slow
//     tokenizer, OpenAI's bpe_simple_vocab_16e6.txt.gz, and BERT's vocab.txt;
//   - SentencePiece .model files (Unigram and BPE, with byte fallback and
//     the precompiled normalization map).
//
// The reference for tokenizer.json behaviour is the Hugging Face tokenizers
// library: the tests hold this package to ids it produced. The optional
// OpenAI text cleaning (WithOpenAICleaning) reproduces the ftfy and HTML
// clean-up of OpenAI's CLIP tokenizer, except ftfy's mojibake detection.
//
// Load picks the format from a directory or file; a Tokenizer is safe for
// concurrent use, and EncodeBatch spreads a batch over GOMAXPROCS
// goroutines with results that do not depend on scheduling.
//
// Differences from the reference, by design or not yet done:
//
//   - Offsets are not tracked, and only single texts (no pairs) are encoded.
//   - The UnicodeScripts pre-tokenizer is not supported (Load says so).
//   - BPE dropout is ignored: encoding is deterministic.
//   - A Unigram or WordLevel model without an unknown token drops the
//     characters it cannot cover, where the reference returns an error.
//   - Text that is not valid UTF-8 has each bad byte replaced by U+FFFD
//     first (Rust strings cannot hold it).
//   - Metaspace's prepend_scheme "first" is decided by the piece's position
//     in the text, not through the reference's offset alignment; the two
//     differ only when a normalizer removes the text's first characters and
//     a pre-tokenizer runs before Metaspace.
//   - Decode of a CLIP tokenizer.json (BPE with the "</w>" suffix and a
//     ByteLevel decoder) turns the suffix into spaces as transformers'
//     CLIPTokenizerFast does; the bare library leaves "</w>" in the text.
//   - A SentencePiece-only SigLIP checkpoint (spiece.model with
//     SiglipTokenizer) is encoded as plain SentencePiece: the punctuation
//     removal, lower-casing and </s> of transformers' SiglipTokenizer are
//     not applied.
//   - Unicode tables are Go's, which may be a version apart from those of
//     the Rust crates and Oniguruma the reference uses.
package tokenizer
