#!/usr/bin/env python3
"""Trains the tiny SentencePiece models under spm/ and records their
expected encodings (spm_cases.json) with Google's sentencepiece library
(Debian python3-sentencepiece 0.1.97):

    apt-get install python3-sentencepiece
    cd tokenizer/testdata && python3 gen_spm_cases.py

A rerun rewrites the models (their trainer spec records the temporary
corpus path) together with the expected values. The Go tests only read the
outputs. gen_hf_cases.js reads
spm/unigram_rules.model for its precompiled character map, so run this
script first.
"""
import gzip
import json
import os
import tempfile

import sentencepiece as spm

CORPUS = """A photo of a cat sitting on a red sofa next to the window.
Two dogs are playing in the snow; they're happy, aren't they?
The quick brown fox jumps over the lazy dog 1234567890 times!
It's a dog's life: we'll see, I'd've said, you're right, they've gone.
Café naïve résumé façade Straße über Ärger São Paulo Zürich.
Ελληνικά και русский текст, العربية نص.
日本語のテキスト、カタカナとひらがな。中文文本测试。
A man riding a horse on a beach at sunset, photographed from far away.
Children playing football in a park while parents watch from benches.
A plate of spaghetti with tomato sauce and basil leaves on a wooden table.
The Eiffel Tower lit up at night, seen from the Trocadéro gardens.
An aerial view of a city with tall buildings and busy streets below.
Numbers like 3.14159, 2,718 and 1e-10 appear in scientific captions.
""" * 3

# A small custom normalization table (source code points → target code
# points, hex), so that the precompiled charsmap stays a few kilobytes.
RULES = [
    ("FF21", "41"), ("FF22", "42"), ("FF23", "43"), ("FF41", "61"), ("FF42", "62"), ("FF43", "63"),
    ("FB01", "66 69"), ("FB02", "66 6C"), ("216B", "58 49 49"), ("BD", "31 2044 32"),
    ("65 301", "E9"), ("61 300", "E0"), ("3000", "20"), ("A0", "20"), ("2122", "54 4D"),
    ("1F1EF 1F1F5", "4A 50"),
]

TEXTS = [
    "a photo of a cat",
    "A Photo Of A CAT",
    "Hello, world! How are you doing today?",
    "it's a dog's life; they'll say we're fine",
    "The year 2024 had 365 days and 3.14159 is pi",
    "café naïve résumé Straße ÜBER",
    "combining e\u0301 and a\u0300, ﬁ ﬂ Ⅻ ½ ™ ＡＢＣａｂｃ",
    "🇯🇵 flag and ❤️ heart 😀",
    "日本語のテキスト、カタカナ",
    "tabs\tand\nnewlines  double  spaces   ",
    "   leading and trailing   ",
    "a\u00a0non-breaking\u3000space",
    "",
    " ",
    "ꙮ unknown ꙮꙮ letters ᚠᛇᚻ",
    "<sep> user [MASK] defined<sep>",
]

NFKC_TEXTS = [
    "ｶﾀｶﾅ ㍿ ㈱ ①② ﾞ ｶﾞ", "\u200b zero \ufeff bom", "Straße İ ǅ", "Ⅷ ⅷ ㎏ ㎡ ℃ №",
    "e\u0301\u0301\u0301 Å 가각 각", "👨\u200d👩\u200d👧 👍🏽", "control\x07\x1bchars", "\r\n x \t",
]

MODELS = {
    "unigram_identity": dict(model_type="unigram", vocab_size=500, normalization_rule_name="identity"),
    "unigram_rules": dict(model_type="unigram", vocab_size=500, byte_fallback=True),
    "bpe_rules": dict(model_type="bpe", vocab_size=520, byte_fallback=True),
    "bpe_plain": dict(model_type="bpe", vocab_size=450, normalization_rule_name="identity",
                      add_dummy_prefix=False, remove_extra_whitespaces=False),
    # The default nmt_nfkc rules: a 240 kB charsmap, stored gzipped.
    "unigram_nmt_nfkc": dict(model_type="unigram", vocab_size=300),
    "unigram_user": dict(model_type="unigram", vocab_size=480, normalization_rule_name="identity",
                         user_defined_symbols=["<sep>", "[MASK]"], control_symbols=["<cls>"]),
}


def main():
    tmp = tempfile.mkdtemp()
    corpus = os.path.join(tmp, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.write(CORPUS)
    rules = os.path.join(tmp, "rules.tsv")
    with open(rules, "w", encoding="utf-8") as f:
        for src, dst in RULES:
            f.write(f"{src}\t{dst}\n")
    out = {"generator": f"gen_spm_cases.py with sentencepiece {spm.__version__}", "models": {}}
    for name, opts in MODELS.items():
        args = dict(input=corpus, model_prefix=os.path.join("spm", name), num_threads=1,
                    character_coverage=0.98, minloglevel=2, hard_vocab_limit=False, **opts)
        if "normalization_rule_name" not in opts and name != "unigram_nmt_nfkc":
            args["normalization_rule_tsv"] = rules
        spm.SentencePieceTrainer.train(**args)
        os.remove(os.path.join("spm", name + ".vocab"))
        sp = spm.SentencePieceProcessor(model_file=os.path.join("spm", name + ".model"))
        texts = TEXTS + (NFKC_TEXTS if name == "unigram_nmt_nfkc" else [])
        cases = []
        for text in texts:
            ids = sp.encode(text, out_type=int)
            cases.append({"text": text, "ids": ids, "pieces": sp.encode(text, out_type=str),
                          "decoded": sp.decode(ids)})
        file = f"spm/{name}.model"
        if name == "unigram_nmt_nfkc":
            with open(file, "rb") as src, gzip.GzipFile(file + ".gz", "wb", mtime=0) as dst:
                dst.write(src.read())
            os.remove(file)
            file += ".gz"
        out["models"][name] = {"file": file, "vocab_size": sp.get_piece_size(), "cases": cases}
    with open("spm_cases.json", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main()
