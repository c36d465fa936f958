// Package eval is the root of vlmtune's evaluation metrics. Each metric
// lives in its own subpackage, written to agree with the reference
// implementation the field reports numbers with:
//
//   - eval/bleu: BLEU exactly as sacrebleu 2.x (tokenizers 13a, intl, char,
//     none; smoothing exp, floor, add-k, none; effective order).
//   - eval/rouge: ROUGE-N, ROUGE-L and ROUGE-Lsum as Google's rouge-score,
//     with NLTK's Porter stemmer.
//   - eval/cider: CIDEr-D as pycocoevalcap, with a PTB tokenizer modelled on
//     the COCO caption pipeline's Stanford PTBTokenizer.
//   - eval/vqa: VQA accuracy with the official answer normalization.
//   - eval/retrieval: image-text Recall@K, mean and median rank.
//   - eval/zeroshot: top-k accuracy from logits and prompt-template
//     ensembling of class embeddings.
//   - eval/keyword: keyword mention precision/recall/F1 and cosine
//     similarity.
//   - eval/group: per-group breakdowns, gaps and disparate-impact ratios.
//   - eval/robust: deterministic image perturbations at severities 1..5 and
//     a runner that scores a metric under each.
//   - eval/report: evaluation reports as JSON and self-contained HTML.
//
// METEOR is not provided: its reference implementation is a Java program
// with WordNet synonym and paraphrase tables, and exact agreement with it
// could not be shown without those resources.
package eval
