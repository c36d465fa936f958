// Generates the tokenizer.json files under hf/ and their expected
// encodings (hf_cases.json) with the Hugging Face `tokenizers` library, the
// reference implementation. The Go tests only read the outputs.
//
//   cd /some/scratch && npm install tokenizers@0.23.2
//   NODE_PATH=/some/scratch/node_modules node gen_hf_cases.js
//
// Run it from this testdata folder. The library's WordPiece and Unigram
// trainers are not bit-for-bit deterministic, so a rerun may rewrite some
// tokenizer files; their expected values are rewritten with them.
'use strict';
const t = require('tokenizers');
const fs = require('fs');
const os = require('os');
const path = require('path');

const corpus = [
  "A photo of a cat sitting on a red sofa next to the window.",
  "Two dogs are playing in the snow; they're happy, aren't they?",
  "The quick brown fox jumps over the lazy dog 1234567890 times!",
  "It's a dog's life: we'll see, I'd've said, you're right, they've gone.",
  "Café naïve résumé façade Straße über Ärger São Paulo Zürich.",
  "Ελληνικά και русский текст, العربية نص, עברית.",
  "日本語のテキスト、カタカナとひらがな。中文文本测试。한국어 텍스트.",
  "Emoji: 😀 🐱 🇯🇵 ❤️ 👍🏽 and symbols © ® ™ € £ ¥ ½ ² µ.",
  "Tabs\tand\nnewlines\r\nand   multiple    spaces   everywhere.",
  "email@example.com https://example.com/path?q=1&x=2 #hashtag @user",
  "A man riding a horse on a beach at sunset, photographed from far away.",
  "Children playing football in a park while parents watch from benches.",
  "A plate of spaghetti with tomato sauce and basil leaves on a wooden table.",
  "The Eiffel Tower lit up at night, seen from the Trocadéro gardens.",
  "An aerial view of a city with tall buildings and busy streets below.",
  "COVID-19 vaccines: 95% effective (approx.) according to the 2021 study.",
  "Numbers like 3.14159, 2,718 and 1e-10 appear in scientific captions.",
  "don't won't can't shouldn't wouldn't isn't wasn't doesn't DON'T IT'S",
].join("\n");

// Texts every tokenizer encodes.
const texts = [
  "a photo of a cat",
  "A Photo Of A CAT",
  "Hello, world! How are you doing today?",
  "it's a dog's life; they'll say we're fine, I'd've",
  "IT'S THEY'LL WE'RE I'D'VE 'S 'ſ",
  "The year 2024 had 365 days and 3.14159 is pi; 1234567 numbers",
  "café naïve résumé Straße ÜBER İstanbul ΟΔΟΣ",
  "combining e\u0301 vs precomposed é, ﬁ ligature, ＦＵＬＬ width",
  "🇯🇵 flag and ❤️ heart 👍🏽 😀",
  "日本語のテキスト、カタカナ 中文",
  "tabs\tand\nnewlines\r\nmixed  double  spaces   ",
  "   leading and trailing spaces   ",
  "\n\n  line\n\n\n  breaks \r\n end",
  "",
  " ",
  "!!!???...,,,",
  "email@example.com https://example.com/path?q=1&x=2",
  "zero\u200bwidth and soft\u00adhyphen\u0007bell",
  "supercalifragilisticexpialidocious antidisestablishmentarianism",
  "a\u00a0non-breaking\u3000ideographic space",
];

function trainBPE(pre, extra) {
  const tok = new t.Tokenizer(t.BPE.empty());
  tok.setPreTokenizer(pre);
  const f = path.join(os.tmpdir(), 'vlmtune-corpus.txt');
  fs.writeFileSync(f, corpus);
  tok.train([f]);
  const tmp = path.join(os.tmpdir(), 'vlmtune-trained.json');
  tok.save(tmp, false);
  return JSON.parse(fs.readFileSync(tmp)).model;
}

function trainModel(model, pre) {
  const tok = new t.Tokenizer(model);
  tok.setPreTokenizer(pre);
  const f = path.join(os.tmpdir(), 'vlmtune-corpus.txt');
  fs.writeFileSync(f, corpus);
  tok.train([f]);
  const tmp = path.join(os.tmpdir(), 'vlmtune-trained.json');
  tok.save(tmp, false);
  return JSON.parse(fs.readFileSync(tmp)).model;
}

function added(id, content, o = {}) {
  return Object.assign({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }, o);
}

function base(model, parts) {
  return Object.assign({ version: "1.0", truncation: null, padding: null, added_tokens: [],
    normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, model }, parts);
}

const byteLevel = (prefix, regex) => ({ type: "ByteLevel", add_prefix_space: prefix, trim_offsets: true, use_regex: regex });
const split = (re, behavior, invert = false) => ({ type: "Split", pattern: { Regex: re }, behavior, invert });
const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

function withIds(model, prefixTokens, suffixTokens = []) {
  // Renumber a trained BPE vocabulary after the given leading tokens, and
  // append the trailing ones it lacks.
  const vocab = {};
  prefixTokens.forEach((tk, i) => { vocab[tk] = i; });
  const entries = Object.entries(model.vocab).sort((a, b) => a[1] - b[1]);
  for (const [tk] of entries) if (!(tk in vocab)) vocab[tk] = Object.keys(vocab).length;
  for (const tk of suffixTokens) if (!(tk in vocab)) vocab[tk] = Object.keys(vocab).length;
  return Object.assign({}, model, { vocab });
}

function charsmapFromModel(file) {
  // normalizer_spec (field 3) → precompiled_charsmap (field 2) of a
  // SentencePiece ModelProto, read with a minimal protobuf walker.
  let b = fs.readFileSync(file);
  if (file.endsWith('.gz')) b = require('zlib').gunzipSync(b);
  function walk(buf, fn) {
    let i = 0;
    const varint = () => { let v = 0, s = 0, c; do { c = buf[i++]; v += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80); return v; };
    while (i < buf.length) {
      const key = varint(), num = Math.floor(key / 8), wt = key & 7;
      if (wt === 0) varint(); else if (wt === 1) i += 8; else if (wt === 5) i += 4;
      else if (wt === 2) { const l = varint(); fn(num, buf.subarray(i, i + l)); i += l; }
    }
  }
  let out = null;
  walk(b, (n, sub) => { if (n === 3) walk(sub, (m, v) => { if (m === 2) out = Buffer.from(v); }); });
  return out;
}

const bytes = [];
for (let i = 0; i < 256; i++) bytes.push('<0x' + i.toString(16).toUpperCase().padStart(2, '0') + '>');

const bl = trainBPE(t.byteLevelPreTokenizer(false, true));
// Byte-level models carry all 256 byte characters, as real ones do.
const alphabet = t.byteLevelAlphabet().sort();
const ms = trainBPE(t.metaspacePreTokenizer());
const wp = trainModel(t.WordPiece.empty(), t.bertPreTokenizer());
const uni = trainModel(t.Unigram.empty(), t.metaspacePreTokenizer());

const specs = {};

specs.gpt2 = base(withIds(bl, [], alphabet), {
  pre_tokenizer: byteLevel(false, true), post_processor: byteLevel(true, true), decoder: byteLevel(true, true),
  added_tokens: [added(0, "<|endoftext|>")],
});
specs.gpt2.model = withIds(bl, ["<|endoftext|>"], alphabet);

specs.roberta = base(withIds(bl, ["<s>", "<pad>", "</s>", "<unk>", "<mask>"], alphabet), {
  pre_tokenizer: byteLevel(true, true), decoder: byteLevel(true, true),
  post_processor: { type: "RobertaProcessing", sep: ["</s>", 2], cls: ["<s>", 0], trim_offsets: true, add_prefix_space: true },
  added_tokens: [added(0, "<s>"), added(1, "<pad>"), added(2, "</s>"), added(3, "<unk>"),
    added(4, "<mask>", { lstrip: true })],
});

specs.qwen2 = base(withIds(bl, [], alphabet), {
  normalizer: { type: "NFC" },
  pre_tokenizer: { type: "Sequence", pretokenizers: [split(QWEN2, "Isolated"), byteLevel(false, false)] },
  post_processor: byteLevel(false, false), decoder: byteLevel(false, false),
});
const nq = Object.keys(specs.qwen2.model.vocab).length;
specs.qwen2.added_tokens = [added(nq, "<|endoftext|>"), added(nq + 1, "<|im_start|>"), added(nq + 2, "<|im_end|>"),
  added(nq + 3, "<tool_call>", { special: false })];

specs.llama3 = base(withIds(bl, [], alphabet), {
  pre_tokenizer: { type: "Sequence", pretokenizers: [split(LLAMA3, "Isolated"), byteLevel(false, false)] },
  decoder: byteLevel(true, true),
});
specs.llama3.model.ignore_merges = true;
const nl = Object.keys(specs.llama3.model.vocab).length;
specs.llama3.added_tokens = [added(nl, "<|begin_of_text|>"), added(nl + 1, "<|end_of_text|>"),
  added(nl + 2, "<|reserved_special_token_0|>"), added(nl + 3, "<|eot_id|>")];
specs.llama3.post_processor = { type: "Sequence", processors: [byteLevel(true, false), {
  type: "TemplateProcessing",
  single: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
  pair: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } },
    { SpecialToken: { id: "<|begin_of_text|>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
  special_tokens: { "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [nl], tokens: ["<|begin_of_text|>"] } },
}] };

// Llama-2 style SentencePiece BPE inside tokenizer.json: byte fallback,
// Prepend + Replace normalizers, no pre-tokenizer.
const llama2Model = withIds(ms, ["<unk>", "<s>", "</s>", ...bytes]);
Object.assign(llama2Model, { unk_token: "<unk>", fuse_unk: true, byte_fallback: true });
specs.llama2 = base(llama2Model, {
  normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "▁" }, { type: "Replace", pattern: { String: " " }, content: "▁" }] },
  decoder: { type: "Sequence", decoders: [{ type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }] },
  post_processor: { type: "TemplateProcessing",
    single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
    pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<s>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
    special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } } },
  added_tokens: [added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")],
});

// Mistral style: Metaspace pre-tokenizer with prepend_scheme "first".
specs.metaspace_first = base(Object.assign({}, llama2Model), {
  pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false },
  decoder: { type: "Sequence", decoders: [{ type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false }, { type: "ByteFallback" }, { type: "Fuse" }] },
  added_tokens: [added(0, "<unk>"), added(1, "<s>"), added(2, "</s>"), added(3, "[INST]", { lstrip: true, rstrip: true })],
});
specs.metaspace_first.model = withIds(ms, ["<unk>", "<s>", "</s>", "[INST]", ...bytes]);
Object.assign(specs.metaspace_first.model, { unk_token: "<unk>", fuse_unk: true, byte_fallback: true });

// BERT: WordPiece, BertNormalizer, BertPreTokenizer, TemplateProcessing,
// configured truncation and padding.
const bertModel = withIds(wp, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
specs.bert = base(bertModel, {
  normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: "BertPreTokenizer" },
  post_processor: { type: "TemplateProcessing",
    single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
    pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
    special_tokens: { "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] }, "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] } } },
  decoder: { type: "WordPiece", prefix: "##", cleanup: true },
  added_tokens: [added(0, "[PAD]"), added(1, "[UNK]"), added(2, "[CLS]"), added(3, "[SEP]"), added(4, "[MASK]")],
});
specs.bert_trunc_pad = JSON.parse(JSON.stringify(specs.bert));
specs.bert_trunc_pad.truncation = { direction: "Right", max_length: 12, strategy: "LongestFirst", stride: 0 };
specs.bert_trunc_pad.padding = { strategy: { Fixed: 14 }, direction: "Left", pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: "[PAD]" };
specs.bert_cased = JSON.parse(JSON.stringify(specs.bert));
specs.bert_cased.normalizer = { type: "BertNormalizer", clean_text: true, handle_chinese_chars: false, strip_accents: false, lowercase: false };
specs.bert_cased.post_processor = { type: "BertProcessing", sep: ["[SEP]", 3], cls: ["[CLS]", 2] };

// T5/SigLIP style Unigram: Precompiled charsmap (from a SentencePiece model
// trained with a custom rule table), white space collapse, Metaspace.
const charsmap = charsmapFromModel(path.join(__dirname, 'spm', 'unigram_rules.model'));
const uniModel = { type: "Unigram", unk_id: 2, byte_fallback: false,
  vocab: [["<pad>", 0], ["</s>", 0], ["<unk>", 0], ...uni.vocab] };
specs.t5 = base(uniModel, {
  normalizer: { type: "Sequence", normalizers: [{ type: "Precompiled", precompiled_charsmap: charsmap.toString('base64') },
    { type: "Replace", pattern: { Regex: " {2,}" }, content: " " }] },
  pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
  decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
  post_processor: { type: "TemplateProcessing",
    single: [{ Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }],
    pair: [{ Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }, { Sequence: { id: "B", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }],
    special_tokens: { "</s>": { id: "</s>", ids: [1], tokens: ["</s>"] } } },
  added_tokens: [added(0, "<pad>"), added(1, "</s>"), added(2, "<unk>")],
});
specs.siglip = JSON.parse(JSON.stringify(specs.t5));
specs.siglip.normalizer = { type: "Sequence", normalizers: [{ type: "Replace", pattern: { Regex: "[\\p{P}\\p{S}]" }, content: "" }, { type: "Lowercase" }, { type: "Strip", strip_left: true, strip_right: true }, { type: "Replace", pattern: { String: "  " }, content: " " }, { type: "Nmt" }, { type: "NFKC" }] };
specs.siglip.model = Object.assign({}, uniModel, { byte_fallback: true, vocab: [...uniModel.vocab, ...bytes.map(b => [b, -20])] });

// Component zoo: every normalizer, pre-tokenizer and added-token flag,
// on a WordLevel model whose vocabulary is made of the pieces the
// pre-tokenizers produce on the test texts.
const zooPre = { type: "Sequence", pretokenizers: [
  { type: "Punctuation", behavior: "MergedWithPrevious" },
  { type: "Digits", individual_digits: false },
  { type: "WhitespaceSplit" },
  split("(?<=a)b|c(?=d)", "MergedWithNext"),
  split("x+", "Contiguous"),
  { type: "CharDelimiterSplit", delimiter: "-" },
  { type: "Split", pattern: { String: "oo" }, behavior: "Removed", invert: false },
] };
const zooNorm = { type: "Sequence", normalizers: [{ type: "NFKD" }, { type: "StripAccents" }, { type: "Lowercase" },
  { type: "Strip", strip_left: true, strip_right: false }, { type: "NFKC" }, { type: "Replace", pattern: { Regex: "(\\d)(?=\\d\\d)" }, content: "$1_" }] };
const zoo2Pre = { type: "Sequence", pretokenizers: [{ type: "Whitespace" }, { type: "Digits", individual_digits: true }, { type: "FixedLength", length: 4 }] };
const zoo3Pre = { type: "Sequence", pretokenizers: [{ type: "Punctuation", behavior: "Removed" }, split("\\s", "MergedWithPrevious", false), { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true }] };
function zoo(name, normalizer, pre, extraAdded) {
  // Build a WordLevel vocabulary from the pieces of the reference itself.
  const probe = new t.Tokenizer(t.WordLevel.init({ "<unk>": 0 }, { unkToken: "<unk>" }));
  const tmp = path.join(os.tmpdir(), 'vlmtune-probe.json');
  fs.writeFileSync(tmp, JSON.stringify(base({ type: "WordLevel", vocab: { "<unk>": 0 }, unk_token: "<unk>" }, { normalizer, pre_tokenizer: pre })));
  const p = t.Tokenizer.fromFile(tmp);
  const vocab = { "<unk>": 0 };
  const seen = [];
  for (const s of texts.concat(corpus.split("\n"))) {
    const n = p.getNormalizer() ? p.getNormalizer().normalizeString(s) : s;
    for (const [w] of p.getPreTokenizer().preTokenizeString(n)) if (!(w in vocab) && seen.length < 400) { vocab[w] = Object.keys(vocab).length; seen.push(w); }
  }
  const spec = base({ type: "WordLevel", vocab, unk_token: "<unk>" }, { normalizer, pre_tokenizer: pre, added_tokens: [] });
  let id = Object.keys(vocab).length;
  spec.added_tokens = extraAdded.map(([content, o]) => added(id++, content, o));
  specs[name] = spec;
}
zoo("zoo", zooNorm, zooPre, [["<MASK>", { lstrip: true, normalized: true }], ["[cls]", { rstrip: true }],
  ["dog", { single_word: true, special: false, normalized: true }], ["Emoji", { special: false }]]);
zoo("zoo2", { type: "Nmt" }, zoo2Pre, [["<sep>", { lstrip: true, rstrip: true, normalized: false }]]);
zoo("zoo3", { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: false }, zoo3Pre, []);

const extraTexts = {
  roberta: ["fill the <mask> here", "two <mask><mask> masks", "<s>already</s> there"],
  qwen2: ["<|im_start|>user\nHi there!<|im_end|>\n<|im_start|>assistant\n", "call <tool_call> now", "1234567 digits"],
  llama3: ["<|begin_of_text|>Hello<|eot_id|>", "12345678 digits and 'S 'Ll", "  spaces\n\n  and\t\ttabs  "],
  llama2: ["<s>[INST] hi [/INST]</s>", "unknown ꙮ and 🦄 bytes"],
  metaspace_first: ["[INST] hello [INST]world", "<s> after special", "ꙮ fused unknown ꙮꙮ"],
  bert: ["[CLS] the [MASK] sat [SEP]", "UNAFFABLE héllo 中文字", "a " + "verylongword".repeat(12)],
  zoo: ["the <mask> and <MASK> dog dogs hotdog [cls]   x", "ab cd abcd xxyxx re-entry moon 12345", "  EMOJI Emoji"],
  zoo2: ["a<sep>b  <sep>  c", "digits 2024 in 12345678 text"],
  t5: ["ＡＢＣ and ﬁ e\u0301 Ⅻ ½", "a  b   c", "</s> inside"],
  siglip: ["A photo, of a CAT!", "ＡＢＣ ½ ꙮ"],
};

const out = { generator: "gen_hf_cases.js with Hugging Face tokenizers " + require('tokenizers/package.json').version + " (npm, native build)", tokenizers: {} };
(async () => {
  for (const [name, spec] of Object.entries(specs)) {
    const file = path.join('hf', name + '.json');
    fs.writeFileSync(file, JSON.stringify(spec));
    const tok = t.Tokenizer.fromFile(file);
    const cases = [];
    for (const text of texts.concat(extraTexts[name] || [])) {
      const e = await tok.encode(text, null, { addSpecialTokens: true });
      const p = await tok.encode(text, null, { addSpecialTokens: false });
      const c = {
        text, ids: e.getIds(), tokens: e.getTokens(), attention_mask: e.getAttentionMask(),
        type_ids: e.getTypeIds(), special_tokens_mask: e.getSpecialTokensMask(),
        ids_plain: p.getIds(), tokens_plain: p.getTokens(),
        decoded: await tok.decode(e.getIds(), false), decoded_skip: await tok.decode(e.getIds(), true),
      };
      const n = tok.getNormalizer();
      if (n) c.normalized = n.normalizeString(text);
      const pt = tok.getPreTokenizer();
      if (pt) c.pretokens = pt.preTokenizeString(text).map(x => x[0]);
      cases.push(c);
    }
    out.tokenizers[name] = { file, vocab_size: tok.getVocabSize(true), cases };
  }
  // Decoders on their own, on token lists that reach their corners.
  const decoderSpecs = [
    { type: "CTC", pad_token: "<pad>", word_delimiter_token: "|", cleanup: true },
    { type: "CTC", pad_token: "<pad>", word_delimiter_token: "|", cleanup: false },
    { type: "BPEDecoder", suffix: "</w>" },
    { type: "Strip", content: "x", start: 2, stop: 1 },
    { type: "Replace", pattern: { Regex: "a+" }, content: "-" },
    { type: "ByteFallback" },
    { type: "Fuse" },
    { type: "WordPiece", prefix: "##", cleanup: false },
    { type: "Metaspace", replacement: "▁", prepend_scheme: "never", split: true },
    { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    { type: "Sequence", decoders: [{ type: "ByteFallback" }, { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true }] },
  ];
  const tokenLists = [
    [], ["a"], ["h", "h", "<pad>", "e", "l", "l", "<pad>", "l", "o", "|", "w", "o", "o", "r", "l", "d", " .", "|"],
    ["xxhixx", "xy", "xax", "aaab</w>", "c</w>", "d"], ["<0xE2>", "<0x82>", "<0xAC>", "ok", "<0xE2>", "<0x82>", "<0xFF>", "<0xZZ>"],
    ["▁Hello", "▁", "wor", "##ld", "▁do", " not", " 'm", "ĠcafÃ©", "Ġ", "Ã"], ["it", "'s", " n't", "##", "##x", "▁▁a▁"],
  ];
  out.decoders = decoderSpecs.map(spec => {
    const tmp = path.join(os.tmpdir(), 'vlmtune-dec.json');
    fs.writeFileSync(tmp, JSON.stringify(base({ type: "WordLevel", vocab: { "<unk>": 0 }, unk_token: "<unk>" }, { decoder: spec })));
    const d = t.Tokenizer.fromFile(tmp).getDecoder();
    return { decoder: spec, cases: tokenLists.map(ts => [ts, d.decode(ts)]) };
  });

  // The Precompiled normalizer with SentencePiece's full nmt_nfkc map (too
  // large to keep in a tokenizer.json here): its outputs only.
  const nfkc = charsmapFromModel(path.join(__dirname, 'spm', 'unigram_nmt_nfkc.model.gz'));
  const tmp = path.join(os.tmpdir(), 'vlmtune-nfkc.json');
  fs.writeFileSync(tmp, JSON.stringify(base({ type: "WordLevel", vocab: { "<unk>": 0 }, unk_token: "<unk>" },
    { normalizer: { type: "Precompiled", precompiled_charsmap: nfkc.toString('base64') } })));
  const pn = t.Tokenizer.fromFile(tmp).getNormalizer();
  const nfkcTexts = texts.concat(["ｶﾀｶﾅ ㍿ ㈱ ①② ﾞ ｶﾞ ｶﾞﾞ", "Ⅷ ⅷ ㎏ ㎡ ℃ №", "e\u0301\u0301\u0301 Å 가각 각",
    "👨\u200d👩\u200d👧 👍🏽", "control\x07\x1bchars", "\r\n x \t", "\ufb01\u0301 x\u0308\u0301"]);
  out.precompiled_nmt_nfkc = nfkcTexts.map(s => [s, pn.normalizeString(s)]);
  fs.writeFileSync('hf_cases.json', JSON.stringify(out, null, 0));
  console.log('wrote', Object.keys(specs).length, 'tokenizers');
})();
