// Package data reads image-text data sets into a common Example type.
//
// Supported layouts (sniffed by extension and content, see Sniff):
//
//   - image-text pairs as a JSON array or JSONL:
//     {"image_path": "a.jpg", "caption": "...", "metadata": {"source": "...", "quality_score": 0.95, "language": "en"}}
//     with several captions per image allowed through a "captions" list;
//   - instruction-following conversations in the LLaVA format:
//     {"id": "...", "image": "a.jpg", "conversations": [{"from": "human", "value": "<image>\n..."}, {"from": "gpt", "value": "..."}]}
//     multi-turn, with or without an image;
//   - CSV and TSV files with configurable image and caption columns;
//   - webdataset tar shards (NNN.jpg + NNN.txt / NNN.json members), streamed,
//     including brace patterns such as shard-{000..009}.tar;
//   - Parquet files with an image-bytes column (plain binary or the Hugging
//     Face struct {bytes, path}) and a text column.
//
// A Reader streams Examples; a record that cannot be read is returned as a
// *RecordError naming the file and line (or shard member, or Parquet row)
// and the reader carries on with the next record. Image paths are resolved
// against a root folder, and a path that escapes the root is a RecordError.
//
// Checking the content of examples (images that decode, captions within a
// token limit, <image> tags, duplicates) is done by package data/validate;
// statistics by data/stats; train/validation splits by data/split; ordering
// and sampling by data/sample; batching with a worker pool by data/loader.
package data
