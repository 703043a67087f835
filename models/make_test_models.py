#!/usr/bin/python3
"""Build CLIP test models in the public Immich layout, plus golden files for Go tests.

Run with the system Python (Debian 12: python3-torch 1.13, python3-onnx 1.12, numpy).
Every output is deterministic: running the script again rewrites the same bytes.

    # everything the Go tests use (committed; Go tests never need Python)
    /usr/bin/python3 models/make_test_models.py --all

    # one tiny "colour" model folder
    /usr/bin/python3 models/make_test_models.py OUT [--size 32] [--ids int64] [--static-batch]

    # the real ViT-B/32 architecture with random weights, for benchmarks (not committed)
    /usr/bin/python3 models/make_test_models.py OUT --arch vitb32 --random [--dynamic-batch]

The colour model's answers are known exactly: the vision tower projects the mean of the normalised
image's channels through a fixed 3x8 matrix with orthonormal rows and L2-normalises; the text tower
sums rows of an embedding table whose rows for "red", "green", ... hold the embedding of a pure
image of that colour (all other words get a small random row, BOS/EOS/pad a zero row) and
L2-normalises. So a pure red image's embedding equals the embedding of the text "red".

The tokenizer is a small but real Hugging Face tokenizers-format CLIP byte-level BPE file: the
256-symbol byte alphabet, its </w> variants, merges learnt from a short word list, and the two
special tokens at the end of the vocab (CLIP's 49406/49407 layout, with small ids here).

The golden token ids come from reference_encode below: an independent, straightforward rewrite
of OpenAI CLIP's simple_tokenizer (no regex engine: the pre-tokenizer pattern is scanned by hand
with unicodedata), following the Hugging Face semantics that Immich uses where the two differ:
no ftfy/html.unescape, per-character lowercasing (no final sigma), the Unicode White_Space set
for \\s, special tokens split out before pre-tokenisation, and padding with the pad token.
"""

import argparse
import json
import os
import sys
import unicodedata

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_STD = [0.26862954, 0.26130258, 0.27577711]

COLOURS = {
    "red": (1.0, 0.0, 0.0),
    "green": (0.0, 1.0, 0.0),
    "blue": (0.0, 0.0, 1.0),
    "yellow": (1.0, 1.0, 0.0),
    "white": (1.0, 1.0, 1.0),
    "black": (0.0, 0.0, 0.0),
}

# Words the small BPE learns whole (with their frequency in the training "corpus").
WORDS = dict(
    [(c, 50) for c in COLOURS]
    + [(w, 10) for w in ("a", "photo", "of", "the", "cat", "dog", "car", "sky", "tree", "beach",
                         "sunset", "person", "people", "smiling", "hello", "world", "snow",
                         "mountain", "night", "city")]
    + [(w, 5) for w in ("'s", "'t", "don", "it", "caf\u00e9", "na\u00efve", "2", "0", "!", ".", ",")]
)

BOS = "<|startoftext|>"
EOS = "<|endoftext|>"

SPLIT_PATTERN = (r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]"
                 r"|[^\s\p{L}\p{N}]+")

# The Unicode White_Space property: what \s means in Oniguruma (HF tokenizers) and in the Go code.
WHITE_SPACE = set("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B)}


def bytes_to_unicode():
    """GPT-2/CLIP byte -> printable unicode character table."""
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1))
          + list(range(ord("\u00ae"), ord("\u00ff") + 1)))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


# ---------------------------------------------------------------------------------------------
# Tokenizer: build a small tokenizer.json
# ---------------------------------------------------------------------------------------------

def learn_merges(words):
    """Plain BPE training on byte-level symbols until every word is one symbol."""
    b2u = bytes_to_unicode()
    corpus = []
    for w, freq in sorted(words.items()):
        syms = [b2u[b] for b in w.encode("utf-8")]
        syms[-1] += "</w>"
        corpus.append([syms, freq])
    merges = []
    while True:
        counts = {}
        for syms, freq in corpus:
            for p in zip(syms, syms[1:]):
                counts[p] = counts.get(p, 0) + freq
        if not counts:
            return merges
        best = max(sorted(counts), key=lambda p: counts[p])  # ties: smallest pair first
        merges.append(best)
        for entry in corpus:
            syms, out, i = entry[0], [], 0
            while i < len(syms):
                if i + 1 < len(syms) and (syms[i], syms[i + 1]) == best:
                    out.append(syms[i] + syms[i + 1])
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            entry[0] = out


def build_tokenizer(template_processor=False):
    b2u = bytes_to_unicode()
    merges = learn_merges(WORDS)
    tokens = list(b2u.values())
    tokens += [t + "</w>" for t in tokens]
    seen = set(tokens)
    for a, b in merges:
        if a + b not in seen:
            seen.add(a + b)
            tokens.append(a + b)
    tokens += [BOS, EOS]
    vocab = {t: i for i, t in enumerate(tokens)}
    bos_id, eos_id = vocab[BOS], vocab[EOS]

    def added(content, i):
        return {"id": i, "content": content, "single_word": False, "lstrip": False,
                "rstrip": False, "normalized": True, "special": True}

    if template_processor:
        post = {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": BOS, "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": EOS, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": BOS, "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": EOS, "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": EOS, "type_id": 1}}],
            "special_tokens": {
                BOS: {"id": BOS, "ids": [bos_id], "tokens": [BOS]},
                EOS: {"id": EOS, "ids": [eos_id], "tokens": [EOS]},
            },
        }
    else:
        post = {"type": "RobertaProcessing", "sep": [EOS, eos_id], "cls": [BOS, bos_id],
                "trim_offsets": False, "add_prefix_space": False}

    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(BOS, bos_id), added(EOS, eos_id)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFC"},
            {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
            {"type": "Lowercase"},
        ]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": SPLIT_PATTERN}, "behavior": "Removed",
             "invert": True},
            # as in real CLIP files: use_regex on (a no-op after CLIP's Split)
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
             "use_regex": True},
        ]},
        "post_processor": post,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": EOS,
                  "continuing_subword_prefix": "", "end_of_word_suffix": "</w>",
                  "fuse_unk": False, "byte_fallback": False, "vocab": vocab,
                  "merges": [a + " " + b for a, b in merges]},
    }
    return tok


def tokenizer_config():
    return {
        "add_prefix_space": False,
        "bos_token": {"__type": "AddedToken", "content": BOS, "lstrip": False,
                      "normalized": True, "rstrip": False, "single_word": False},
        "clean_up_tokenization_spaces": True,
        "do_lower_case": True,
        "eos_token": {"__type": "AddedToken", "content": EOS, "lstrip": False,
                      "normalized": True, "rstrip": False, "single_word": False},
        "errors": "replace",
        "model_max_length": 77,
        "pad_token": EOS,
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": {"__type": "AddedToken", "content": EOS, "lstrip": False,
                      "normalized": True, "rstrip": False, "single_word": False},
    }


# ---------------------------------------------------------------------------------------------
# Reference tokenizer (independent of the Go code: hand-written scanner, simple_tokenizer BPE)
# ---------------------------------------------------------------------------------------------

def _is_letter(ch):
    return unicodedata.category(ch).startswith("L")


def _is_number(ch):
    return unicodedata.category(ch).startswith("N")


def _pretokenize(text):
    """Scan CLIP's pattern by hand: specials | contractions | letters+ | one number | other+."""
    out, i, n = [], 0, len(text)
    while i < n:
        matched = None
        for lit in (BOS, EOS, "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"):
            if text.startswith(lit, i):
                matched = lit
                break
        if matched is None:
            ch = text[i]
            j = i + 1
            if _is_letter(ch):
                while j < n and _is_letter(text[j]):
                    j += 1
            elif _is_number(ch):
                pass
            elif ch not in WHITE_SPACE:
                while j < n and not (_is_letter(text[j]) or _is_number(text[j])
                                     or text[j] in WHITE_SPACE):
                    j += 1
            else:
                i += 1
                continue
            matched = text[i:j]
        out.append(matched)
        i += len(matched)
    return out


class ReferenceTokenizer:
    def __init__(self, tok_json, tok_config, context_length):
        self.encoder = tok_json["model"]["vocab"]
        merges = tok_json["model"]["merges"]
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in merges]
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.b2u = bytes_to_unicode()
        self.sot = self.encoder[BOS]
        self.eot = self.encoder[EOS]
        self.pad = self.encoder[tok_config["pad_token"]]
        self.context_length = context_length
        self.cache = {BOS: BOS, EOS: EOS}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        pairs = set(zip(word, word[1:]))
        if not pairs:
            return token + "</w>"
        while True:
            bigram = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if bigram not in self.ranks:
                break
            first, second = bigram
            new_word, i = [], 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    new_word.extend(word[i:])
                    break
                new_word.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = set(zip(word, word[1:]))
        out = " ".join(word)
        self.cache[token] = out
        return out

    def normalize(self, text):
        text = unicodedata.normalize("NFC", text)
        out, prev_space = [], False
        for ch in text:
            if ch in WHITE_SPACE:
                if not prev_space:
                    out.append(" ")
                prev_space = True
            else:
                out.append(ch)
                prev_space = False
        # per character, like Rust's char::to_lowercase (no final-sigma rule)
        return "".join(ch.lower() for ch in "".join(out))

    def encode(self, text):
        text = self.normalize(text)
        ids = []
        # split out special tokens first (Hugging Face added-token handling)
        segments, rest = [], text
        while rest:
            hits = [(rest.find(s), s) for s in (BOS, EOS) if rest.find(s) >= 0]
            if not hits:
                segments.append(rest)
                break
            pos, s = min(hits)
            segments.append(rest[:pos])
            segments.append(s)
            rest = rest[pos + len(s):]
        for seg in segments:
            if seg in (BOS, EOS):
                ids.append(self.encoder[seg])
                continue
            for piece in _pretokenize(seg):
                piece = "".join(self.b2u[b] for b in piece.encode("utf-8"))
                ids.extend(self.encoder[t] for t in self.bpe(piece).split(" "))
        ids = ids[: self.context_length - 2]
        ids = [self.sot] + ids + [self.eot]
        return ids + [self.pad] * (self.context_length - len(ids))


GOLDEN_TEXTS = [
    "red",
    "RED",
    "a photo of a red car",
    "A Photo Of The Cat!!",
    "hello, world.",
    "it's the dog's car; don't they'll we've I'm you're he'd",
    "  multiple   spaces\tand\ttabs\nand newlines  ",
    "caf\u00e9 na\u00efve",
    "cafe\u0301 (decomposed e-acute, NFC composes it)",
    "\u00c9T\u00c9 \u00c0 PARIS",
    "stra\u00dfe \u0130stanbul",
    "\u039f\u0394\u039f\u03a3 \u03c3\u03bf\u03c6\u03af\u03b1",
    "emoji \U0001f600\U0001f436 and flags \U0001f1eb\U0001f1f7 and zwj \U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 \u4e2d\u6587 \ud55c\uad6d\uc5b4",
    "numbers 2024 3.14 1,000,000 \u0663\u0664 \u00bd",
    "mixed123abc456",
    "punctuation...!!! ??? --- ((nested)) [x] {y} <z>",
    "tricky <|endoftext|> inside and <|STARTOFTEXT|> too",
    "non\u00a0breaking\u2003em\u3000ideographic spaces",
    "tab\u000bvertical\u000cform",
    "",
    "   ",
    "!",
    "a",
    "don't stop",
    "rock'n'roll 'quoted' \"double\"",
    "UPPER lower MiXeD",
    "zero\u200bwidth",
    "arabic \u0645\u0631\u062d\u0628\u0627 hebrew \u05e9\u05dc\u05d5\u05dd thai \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35",
    "combining a\u0308o\u0308u\u0308 x\u0323\u0307",
    " ".join(["red green blue yellow white black"] * 20),
    "supercalifragilisticexpialidocious " * 12,
]


# ---------------------------------------------------------------------------------------------
# Reference preprocessing (the math of x/image/draw's kernel scaler, in float64)
# ---------------------------------------------------------------------------------------------

def catmull_rom(t):
    t = abs(t)
    if t < 1:
        return (1.5 * t - 2.5) * t * t + 1
    if t < 2:
        return ((-0.5 * t + 2.5) * t - 4) * t + 2
    return 0.0


def resample_weights(dw, sw):
    """Per output index, [(source index, normalised weight)] for a Catmull-Rom resize sw->dw,
    pixel centres aligned, the kernel widened by the shrink factor, out-of-range taps dropped."""
    scale = sw / dw
    support, arg = 2.0, 1.0
    if scale > 1:
        support *= scale
        arg = 1 / scale
    table = []
    for x in range(dw):
        centre = (x + 0.5) * scale - 0.5
        taps = []
        lo = max(0, int(np.floor(centre - support)))
        hi = min(sw, int(np.ceil(centre + support)))
        for c in range(lo, hi):
            t = abs((centre - c) * arg)
            if t >= 2:
                continue
            w = catmull_rom(t)
            if w != 0:
                taps.append((c, w))
        total = sum(w for _, w in taps)
        table.append([(c, w / total) for c, w in taps])
    return table


def reference_preprocess(pixels, w, h, cfg):
    """pixels: list of NRGBA bytes (row-major). Returns CHW floats (list)."""
    th, tw = (cfg["size"], cfg["size"]) if isinstance(cfg["size"], int) else cfg["size"]
    if cfg.get("resize_mode", "shortest") == "squash":
        nw, nh, left, top = tw, th, 0, 0
    else:
        if th / h >= tw / w:  # height is the short side relative to the target
            nh, nw = th, max(tw, int(w / h * th))
        else:
            nw, nh = tw, max(th, int(h / w * tw))
        left, top = (nw - tw) // 2, (nh - th) // 2
    # premultiplied float source
    src = np.zeros((h, w, 4))
    for y in range(h):
        for x in range(w):
            r, g, b, a = pixels[(y * w + x) * 4:(y * w + x) * 4 + 4]
            src[y, x] = [r * a / 255 / 255, g * a / 255 / 255, b * a / 255 / 255, a / 255]
    wx = resample_weights(nw, w)
    wy = resample_weights(nh, h)
    tmp = np.zeros((h, nw, 4))
    for x in range(nw):
        for c, wt in wx[x]:
            tmp[:, x] += wt * src[:, c]
    fill = cfg.get("fill_color", 0)
    if isinstance(fill, (int, float)):
        fill = [fill] * 3
    out = np.zeros((3, th, tw))
    for y in range(th):
        for x in range(tw):
            acc = np.zeros(4)
            for c, wt in wy[y + top]:
                acc += wt * tmp[c, x + left]
            a = min(max(acc[3], 0.0), 1.0)
            for ch in range(3):
                v = min(max(min(acc[ch], acc[3]), 0.0), 1.0)
                v = v + fill[ch] / 255 * (1 - a)
                out[ch, y, x] = (v - cfg["mean"][ch]) / cfg["std"][ch]
    return out


def test_image(w, h, seed):
    rng = np.random.RandomState(seed)
    px = []
    for y in range(h):
        for x in range(w):
            r = (x * 255) // max(1, w - 1)
            g = (y * 255) // max(1, h - 1)
            b = 255 if (x // 3 + y // 3) % 2 else 0  # sharp checkerboard: overshoot
            a = 255
            if x < w // 4:
                a = int(rng.randint(0, 256))
            px += [r, g, b, a]
    return px


def preprocess_golden():
    base = {"mode": "RGB", "mean": OPENAI_MEAN, "std": OPENAI_STD,
            "interpolation": "bicubic", "resize_mode": "shortest"}
    cases = [
        ("landscape_shrink_alpha", 37, 23, dict(base, size=16)),
        ("portrait_shrink_fill", 19, 41, dict(base, size=16, fill_color=[255, 128, 0])),
        ("squash", 30, 20, dict(base, size=16, resize_mode="squash", fill_color=255)),
        ("upscale", 9, 7, dict(base, size=16)),
        ("pair_size", 40, 30, dict(base, size=[12, 20])),
        ("exact", 16, 16, dict(base, size=16)),
    ]
    out = []
    for i, (name, w, h, cfg) in enumerate(cases):
        px = test_image(w, h, i)
        vals = reference_preprocess(px, w, h, cfg)
        out.append({"name": name, "width": w, "height": h, "nrgba": px, "config": cfg,
                    "expected": [round(float(v), 6) for v in vals.reshape(-1)]})
    return out


# ---------------------------------------------------------------------------------------------
# ONNX: tiny colour model
# ---------------------------------------------------------------------------------------------

EMBED_DIM = 8


def colour_matrix():
    rng = np.random.RandomState(1234)
    q, _ = np.linalg.qr(rng.normal(size=(EMBED_DIM, 3)))
    return q.T.astype(np.float32)  # [3, 8], orthonormal rows


def colour_embedding(rgb, W):
    f = np.array([(rgb[c] - OPENAI_MEAN[c]) / OPENAI_STD[c] for c in range(3)], dtype=np.float32)
    e = f @ W
    return e / np.linalg.norm(e)


def _save(model, path):
    import onnx
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def _l2norm_nodes(helper, x, out):
    return [
        helper.make_node("Mul", [x, x], [x + "_sq"]),
        helper.make_node("ReduceSum", [x + "_sq", "axes1"], [x + "_ss"], keepdims=1),
        helper.make_node("Sqrt", [x + "_ss"], [x + "_n"]),
        helper.make_node("Max", [x + "_n", "eps"], [x + "_nc"]),
        helper.make_node("Div", [x, x + "_nc"], [out]),
    ]


def colour_visual(size, static_batch):
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    batch = 1 if static_batch else "batch"
    W = colour_matrix()
    nodes = [
        helper.make_node("ReduceMean", ["image"], ["means"], axes=[2, 3], keepdims=0),
        helper.make_node("MatMul", ["means", "W"], ["proj"]),
    ] + _l2norm_nodes(helper, "proj", "embedding")
    graph = helper.make_graph(
        nodes, "colour_visual",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [batch, 3, size, size])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [batch, EMBED_DIM])],
        initializer=[numpy_helper.from_array(W, "W"),
                     numpy_helper.from_array(np.array([1], dtype=np.int64), "axes1"),
                     numpy_helper.from_array(np.array(1e-12, dtype=np.float32), "eps")])
    return helper.make_model(graph, producer_name="tagsight-make_test_models",
                             opset_imports=[helper.make_opsetid("", 13)])


def colour_table(vocab_size, vocab, bos_id, eos_id):
    W = colour_matrix()
    rng = np.random.RandomState(99)
    table = (rng.normal(size=(vocab_size, EMBED_DIM)) * 0.02).astype(np.float32)
    table[bos_id] = 0
    table[eos_id] = 0
    for word, rgb in COLOURS.items():
        table[vocab[word + "</w>"]] = colour_embedding(rgb, W)
    return table


def colour_textual(context_length, ids, static_batch, table):
    from onnx import helper, numpy_helper, TensorProto
    batch = 1 if static_batch else "batch"
    itype = TensorProto.INT64 if ids == "int64" else TensorProto.INT32
    nodes = [
        helper.make_node("Gather", ["table", "text"], ["rows"], axis=0),
        helper.make_node("ReduceSum", ["rows", "axes1"], ["summed"], keepdims=0),
    ] + _l2norm_nodes(helper, "summed", "embedding")
    graph = helper.make_graph(
        nodes, "colour_textual",
        [helper.make_tensor_value_info("text", itype, [batch, context_length])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [batch, EMBED_DIM])],
        initializer=[numpy_helper.from_array(table, "table"),
                     numpy_helper.from_array(np.array([1], dtype=np.int64), "axes1"),
                     numpy_helper.from_array(np.array(1e-12, dtype=np.float32), "eps")])
    return helper.make_model(graph, producer_name="tagsight-make_test_models",
                             opset_imports=[helper.make_opsetid("", 13)])


def colour_textual_mask(context_length, table, green):
    """A text tower that takes input_ids + attention_mask (as M-CLIP's does):
    the mean of the masked rows. The pad/EOS row leans green, so a tower fed
    no mask (or all ones) would answer "green" to every query."""
    from onnx import helper, numpy_helper, TensorProto
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["rows"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "axes2"], ["mask3"]),
        helper.make_node("Mul", ["rows", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axes1"], ["summed"], keepdims=0),
    ] + _l2norm_nodes(helper, "summed", "embedding")
    graph = helper.make_graph(
        nodes, "colour_textual_mask",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", context_length]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", context_length])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", EMBED_DIM])],
        initializer=[numpy_helper.from_array(table, "table"),
                     numpy_helper.from_array(np.array([1], dtype=np.int64), "axes1"),
                     numpy_helper.from_array(np.array([2], dtype=np.int64), "axes2"),
                     numpy_helper.from_array(np.array(1e-12, dtype=np.float32), "eps")])
    return helper.make_model(graph, producer_name="tagsight-make_test_models",
                             opset_imports=[helper.make_opsetid("", 13)])


def make_colour_mask(out, size=32, context_length=77):
    tok = build_tokenizer()
    vocab = tok["model"]["vocab"]
    vocab_size = max(vocab.values()) + 1
    write_common(out, size, context_length, EMBED_DIM, tok)
    _save(colour_visual(size, False), os.path.join(out, "visual", "model.onnx"))
    table = colour_table(vocab_size, vocab, vocab[BOS], vocab[EOS])
    green = colour_embedding(COLOURS["green"], colour_matrix())
    table[vocab[EOS]] = 0.3 * green  # EOS is also the pad token
    _save(colour_textual_mask(context_length, table, green), os.path.join(out, "textual", "model.onnx"))


def write_json(path, obj, indent=2):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent)
        f.write("\n")


def write_golden(path, obj, key):
    """JSON with one line per entry of obj[key]: readable diffs, small files."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    head = {k: v for k, v in obj.items() if k != key}
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        prefix = json.dumps(head, ensure_ascii=False)[:-1]
        f.write(prefix + (", " if head else "") + '"%s": [\n' % key)
        f.write(",\n".join(json.dumps(e, ensure_ascii=False) for e in obj[key]))
        f.write("\n]}\n")


def write_common(out, size, context_length, embed_dim, tok, extra_cfg=None):
    cfg = {"embed_dim": embed_dim,
           "vision_cfg": {"image_size": size},
           "text_cfg": {"context_length": context_length, "vocab_size": None}}
    if extra_cfg:
        for k, v in extra_cfg.items():
            cfg[k].update(v) if isinstance(v, dict) else cfg.__setitem__(k, v)
    if cfg["text_cfg"]["vocab_size"] is None:
        cfg["text_cfg"]["vocab_size"] = max(tok["model"]["vocab"].values()) + 1
    write_json(os.path.join(out, "config.json"), cfg)
    write_json(os.path.join(out, "visual", "preprocess_cfg.json"), {
        "size": [size, size], "mode": "RGB", "mean": OPENAI_MEAN, "std": OPENAI_STD,
        "interpolation": "bicubic", "resize_mode": "shortest", "fill_color": 0})
    write_json(os.path.join(out, "textual", "tokenizer.json"), tok)
    write_json(os.path.join(out, "textual", "tokenizer_config.json"), tokenizer_config())


def make_colour(out, size=32, context_length=77, ids="int32", static_batch=False,
                template_processor=False):
    tok = build_tokenizer(template_processor)
    vocab = tok["model"]["vocab"]
    for c in COLOURS:
        assert c + "</w>" in vocab, c
    vocab_size = max(vocab.values()) + 1
    write_common(out, size, context_length, EMBED_DIM, tok)
    _save(colour_visual(size, static_batch), os.path.join(out, "visual", "model.onnx"))
    table = colour_table(vocab_size, vocab, vocab[BOS], vocab[EOS])
    _save(colour_textual(context_length, ids, static_batch, table),
          os.path.join(out, "textual", "model.onnx"))


# ---------------------------------------------------------------------------------------------
# ONNX: ViT-B/32 architecture, random weights (torch export)
# ---------------------------------------------------------------------------------------------

def make_vitb32(out, dynamic_batch=False, ids="int32"):
    import torch
    from torch import nn

    torch.manual_seed(0)

    class Attention(nn.Module):
        # written out: torch 1.13's nn.MultiheadAttention fast path does not export
        def __init__(self, width, heads):
            super().__init__()
            self.heads = heads
            self.qkv = nn.Linear(width, 3 * width)
            self.out = nn.Linear(width, width)

        def forward(self, x, mask=None):
            b, n, w = x.shape
            q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, w // self.heads).permute(
                2, 0, 3, 1, 4)
            a = (q @ k.transpose(-2, -1)) * (w // self.heads) ** -0.5
            if mask is not None:
                a = a + mask
            y = (a.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, w)
            return self.out(y)

    class Block(nn.Module):
        def __init__(self, width, heads):
            super().__init__()
            self.ln_1 = nn.LayerNorm(width)
            self.attn = Attention(width, heads)
            self.ln_2 = nn.LayerNorm(width)
            self.mlp = nn.Sequential(nn.Linear(width, width * 4), nn.GELU(),
                                     nn.Linear(width * 4, width))

        def forward(self, x, mask=None):
            x = x + self.attn(self.ln_1(x), mask)
            return x + self.mlp(self.ln_2(x))

    class Visual(nn.Module):
        def __init__(self, size=224, patch=32, width=768, layers=12, heads=12, embed=512):
            super().__init__()
            self.conv1 = nn.Conv2d(3, width, patch, patch, bias=False)
            n = (size // patch) ** 2
            self.cls = nn.Parameter(torch.randn(width) * width ** -0.5)
            self.pos = nn.Parameter(torch.randn(n + 1, width) * 0.01)
            self.ln_pre = nn.LayerNorm(width)
            self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
            self.ln_post = nn.LayerNorm(width)
            self.proj = nn.Parameter(torch.randn(width, embed) * width ** -0.5)

        def forward(self, image):
            x = self.conv1(image).flatten(2).transpose(1, 2)
            cls = self.cls.expand(x.shape[0], 1, -1)
            x = self.ln_pre(torch.cat([cls, x], dim=1) + self.pos)
            for b in self.blocks:
                x = b(x)
            x = self.ln_post(x[:, 0]) @ self.proj
            return x / x.norm(dim=-1, keepdim=True)

    class Textual(nn.Module):
        def __init__(self, ctx=77, vocab=49408, width=512, layers=12, heads=8, embed=512):
            super().__init__()
            self.tok = nn.Embedding(vocab, width)
            self.pos = nn.Parameter(torch.randn(ctx, width) * 0.01)
            self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
            self.ln_final = nn.LayerNorm(width)
            self.proj = nn.Parameter(torch.randn(width, embed) * width ** -0.5)
            self.register_buffer("mask", torch.full((ctx, ctx), float("-inf")).triu(1))

        def forward(self, text):
            text = text.long()
            x = self.tok(text) + self.pos
            for b in self.blocks:
                x = b(x, self.mask)
            x = self.ln_final(x)
            x = x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.proj
            return x / x.norm(dim=-1, keepdim=True)

    tok = build_tokenizer()
    write_common(out, 224, 77, 512, tok, {
        "vision_cfg": {"layers": 12, "width": 768, "patch_size": 32},
        "text_cfg": {"vocab_size": 49408, "width": 512, "heads": 8, "layers": 12}})
    axes = {"image": {0: "batch"}, "embedding": {0: "batch"}} if dynamic_batch else None
    vis = Visual().eval()
    os.makedirs(os.path.join(out, "visual"), exist_ok=True)
    os.makedirs(os.path.join(out, "textual"), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(vis, (torch.randn(1, 3, 224, 224),),
                          os.path.join(out, "visual", "model.onnx"), input_names=["image"],
                          output_names=["embedding"], dynamic_axes=axes, opset_version=14)
        txt = Textual().eval()
        dtype = torch.int64 if ids == "int64" else torch.int32
        axes = {"text": {0: "batch"}, "embedding": {0: "batch"}} if dynamic_batch else None
        torch.onnx.export(txt, (torch.ones(1, 77, dtype=dtype),),
                          os.path.join(out, "textual", "model.onnx"), input_names=["text"],
                          output_names=["embedding"], dynamic_axes=axes, opset_version=14)


# ---------------------------------------------------------------------------------------------

def make_all():
    tm = os.path.join(REPO, "models", "testmodels")
    make_colour(os.path.join(tm, "colour"))
    make_colour(os.path.join(tm, "colour-int64"), ids="int64")
    make_colour(os.path.join(tm, "colour-b1"), static_batch=True, template_processor=True)
    make_colour_mask(os.path.join(tm, "colour-mask"))
    tok = build_tokenizer()
    ref = ReferenceTokenizer(tok, tokenizer_config(), 77)
    golden = {"tokenizer": "models/testmodels/colour/textual/tokenizer.json",
              "context_length": 77,
              "cases": [{"text": t, "ids": ref.encode(t)} for t in GOLDEN_TEXTS]}
    td = os.path.join(REPO, "backend", "clip", "testdata")
    write_golden(os.path.join(td, "tokens_golden.json"), golden, "cases")
    write_golden(os.path.join(td, "preprocess_golden.json"), {"cases": preprocess_golden()},
                 "cases")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", help="output model folder")
    ap.add_argument("--all", action="store_true",
                    help="regenerate models/testmodels/* and backend/clip/testdata goldens")
    ap.add_argument("--arch", choices=["colour", "vitb32"], default="colour")
    ap.add_argument("--random", action="store_true", help="random weights (required for vitb32)")
    ap.add_argument("--size", type=int, default=32, help="colour model image size")
    ap.add_argument("--context-length", type=int, default=77)
    ap.add_argument("--ids", choices=["int32", "int64"], default="int32")
    ap.add_argument("--static-batch", action="store_true", help="colour model: batch fixed at 1")
    ap.add_argument("--dynamic-batch", action="store_true", help="vitb32: dynamic batch")
    ap.add_argument("--template-processor", action="store_true",
                    help="TemplateProcessing instead of RobertaProcessing")
    a = ap.parse_args()
    if a.all:
        make_all()
        return
    if not a.out:
        ap.error("give an output folder or --all")
    if a.arch == "vitb32":
        if not a.random:
            ap.error("--arch vitb32 needs --random (no real weights are downloaded)")
        make_vitb32(a.out, dynamic_batch=a.dynamic_batch, ids=a.ids)
    else:
        make_colour(a.out, size=a.size, context_length=a.context_length, ids=a.ids,
                    static_batch=a.static_batch, template_processor=a.template_processor)


if __name__ == "__main__":
    main()
