#!/usr/bin/env python3
"""Synthetic SentencePiece-style tokenizer.json fixtures and golden ids for backend/clip.

Writes backend/clip/testdata/sp/<name>/{tokenizer.json,tokenizer_config.json} and
backend/clip/testdata/sp_tokens_golden.json. Standard library only.

The tokenizers are small, hand-designed stand-ins for the two multilingual layouts Immich
ships (no real vocabulary can be fetched here):
  xlmr        Unigram; normalizer Sequence[Precompiled, Replace(" {2,}" -> " ")];
              Metaspace (legacy add_prefix_space); RobertaProcessing <s> ... </s>; pad <pad>=1
  unigram-bf  Unigram with byte_fallback; Metaspace prepend_scheme "first", split false;
              TemplateProcessing
  gemma       BPE with byte_fallback over characters (all 256 <0xNN> tokens);
              normalizer Sequence[Prepend("▁"), Replace(" " -> "▁")]; Split(" ", MergedWithPrevious);
              TemplateProcessing "$A <eos>"; pad_token given as an AddedToken object
  spbpe-unk   BPE with byte_fallback but only some <0xNN> tokens, fuse_unk, ignore_merges;
              Metaspace prepend_scheme "always"

The golden ids come from the reference implementation below, written from the semantics of
Hugging Face tokenizers (Rust) independently of the Go code: a dictionary-lookup Viterbi for
Unigram, an O(n^2) "lowest (rank, position) pair first" loop for BPE, a dict trie turned into
a Darts-clone double array for the Precompiled charsmap, and an approximate grapheme
segmentation (the test strings avoid the cases where it differs from UAX #29).
"""

import base64
import json
import os
import re
import struct
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "backend", "clip", "testdata")
META = "\u2581"
CONTEXT = 24

# ---------------------------------------------------------------- Darts double array


def build_darts(rules):
    """rules: {source str: replacement str} -> precompiled_charsmap bytes.

    Unit layout (darts-clone): bits 0-7 label, bit 8 has_leaf, bits 10-30 offset
    (bit 9 = offset scaled by 256, unused here); a leaf unit has bit 31 set and the value in
    bits 0-30. Walking: pos = 0; pos ^= offset(unit[0]); per byte c: pos ^= c, check
    label(unit[pos]) == c, pos ^= offset(unit[pos]); if that unit has_leaf, unit[pos] is the
    value unit.
    """
    blob = b""
    values = {}
    for src, dst in rules.items():
        values[src.encode()] = len(blob)
        blob += dst.encode() + b"\0"
    trie = {}
    for key in values:
        node = trie
        for c in key:
            node = node.setdefault(c, {})
        node[None] = values[key]
    units = {0: 0}
    used = {0}
    bases = set()  # each node needs its own base, or a walk could land on another's child
    queue = [(trie, 0)]
    while queue:
        node, pos = queue.pop(0)
        labels = sorted(k for k in node if k is not None)
        leaf = None in node
        base = 1
        while True:
            slots = [base ^ c for c in labels] + ([base] if leaf else [])
            if base not in bases and all(s not in used for s in slots) and (pos ^ base) < (1 << 21):
                break
            base += 1
        bases.add(base)
        offset = pos ^ base
        units[pos] = units.get(pos, 0) | (offset << 10)
        if leaf:
            units[base] = (1 << 31) | node[None]
            used.add(base)
        for c in labels:
            child = node[c]
            units[base ^ c] = c | ((1 << 8) if None in child else 0)
            used.add(base ^ c)
            queue.append((child, base ^ c))
    size = max(units) + 1
    arr = [units.get(i, 0) for i in range(size)]
    return struct.pack("<I", 4 * size) + struct.pack("<%dI" % size, *arr) + blob


# ---------------------------------------------------------------- reference tokenizer


def graphemes(s):
    """Approximate extended grapheme clusters: enough for the fixtures' strings."""
    out = []
    i = 0
    while i < len(s):
        j = i + 1
        if s[i] == "\r" and j < len(s) and s[j] == "\n":
            j += 1
        elif 0x1F1E6 <= ord(s[i]) <= 0x1F1FF and j < len(s) and 0x1F1E6 <= ord(s[j]) <= 0x1F1FF:
            j += 1
        else:
            pict = ord(s[i]) >= 0x1F000
            while j < len(s):
                c = s[j]
                if unicodedata.category(c) in ("Mn", "Me", "Mc") or c in "\u200d\ufe0f\ufe0e" \
                        or 0x1F3FB <= ord(c) <= 0x1F3FF:
                    j += 1
                elif pict and s[j - 1] == "\u200d" and ord(c) >= 0x1F000:
                    j += 1
                else:
                    break
        out.append(s[i:j])
        i = j
    return out


def precompiled_normalize(rules, s):
    """HF tokenizers' Precompiled: per grapheme (< 6 UTF-8 bytes) the shortest matching
    rule prefix replaces the whole grapheme; otherwise per character."""
    def shortest(chunk):
        for n in range(1, len(chunk) + 1):
            if chunk[:n] in rules:
                return rules[chunk[:n]]
        return None
    out = []
    for g in graphemes(s):
        if len(g.encode()) < 6:
            r = shortest(g)
            if r is not None:
                out.append(r)
                continue
        for ch in g:
            r = shortest(ch)
            out.append(ch if r is None else r)
    return "".join(out)


def apply_normalizer(spec, s):
    t = spec["type"]
    if t == "Sequence":
        for n in spec["normalizers"]:
            s = apply_normalizer(n, s)
        return s
    if t == "Precompiled":
        return precompiled_normalize(spec["_rules"], s)
    if t == "Replace":
        p = spec["pattern"]
        if "Regex" in p:
            return re.sub(p["Regex"], lambda m: spec["content"], s)
        return s.replace(p["String"], spec["content"])
    if t == "NFKC":
        return unicodedata.normalize("NFKC", s)
    if t == "Prepend":
        return spec["prepend"] + s if s else s
    raise ValueError(t)


def metaspace(spec, s, at_start):
    s = s.replace(" ", META)
    scheme = spec.get("prepend_scheme")
    if scheme is None:
        scheme = "always" if spec.get("add_prefix_space", True) else "never"
    if not s.startswith(META) and (scheme == "always" or (scheme == "first" and at_start)):
        s = META + s
    if not spec.get("split", True):
        return [s] if s else []
    # MergedWithNext as HF folds it: each delimiter is its own match span, runs of other
    # characters one span; walking right to left, a match is glued onto the span after it
    # unless that span was itself a match.
    spans = []
    for c in s:
        if c == META:
            spans.append((c, True))
        elif spans and not spans[-1][1]:
            spans[-1] = (spans[-1][0] + c, False)
        else:
            spans.append((c, False))
    acc = []
    prev = False
    for text, is_match in reversed(spans):
        if is_match and not prev and acc:
            acc[-1] = text + acc[-1]
        else:
            acc.append(text)
        prev = is_match
    return list(reversed(acc))


def split_added(text, specials):
    """Leftmost, then longest, occurrence of each special token."""
    out = []
    while text:
        best = None
        for tok in specials:
            p = text.find(tok)
            if p >= 0 and (best is None or p < best[0] or (p == best[0] and len(tok) > len(best[1]))):
                best = (p, tok)
        if best is None:
            out.append((text, None))
            break
        if best[0] > 0:
            out.append((text[:best[0]], None))
        out.append(("", best[1]))
        text = text[best[0] + len(best[1]):]
    return out


def byte_piece(b):
    return "<0x%02X>" % b


def unigram_ids(model, s):
    vocab = model["_ids"]
    scores = [sc for _, sc in model["vocab"]]
    unk = model["unk_id"]
    unk_score = min(scores) - 10.0
    n = len(s)
    best = [None] * (n + 1)  # (score, start, id)
    best[0] = (0.0, None, None)
    maxlen = max(len(p) for p, _ in model["vocab"])
    for start in range(n):
        here = best[start][0]
        single = False
        for end in range(start + 1, min(n, start + maxlen) + 1):
            piece = s[start:end]
            if piece in vocab:
                i = vocab[piece]
                cand = here + scores[i]
                if best[end] is None or cand > best[end][0]:
                    best[end] = (cand, start, i)
                if end == start + 1:
                    single = True
        if not single:
            cand = here + unk_score
            if best[start + 1] is None or cand > best[start + 1][0]:
                best[start + 1] = (cand, start, unk)
    pieces = []  # (text, is_unk) left to right, unknowns fused
    end = n
    while end > 0:
        _, start, i = best[end]
        is_unk = i == unk
        if is_unk and pieces and pieces[-1][1]:
            pieces[-1] = (s[start:end] + pieces[-1][0], True)
        else:
            pieces.append((s[start:end], is_unk))
        end = start
    pieces.reverse()
    ids = []
    for text, _ in pieces:
        if text in vocab:
            ids.append(vocab[text])
            continue
        if model.get("byte_fallback"):
            bs = [byte_piece(b) for b in text.encode()]
            if all(b in vocab for b in bs):
                ids.extend(vocab[b] for b in bs)
                continue
        ids.append(unk)
    return ids


def bpe_ids(model, w):
    vocab = model["vocab"]
    if not w:
        return []
    if model.get("ignore_merges") and w in vocab:
        return [vocab[w]]
    unk = vocab.get(model.get("unk_token")) if model.get("unk_token") else None
    syms = []
    pending = None  # number of fused unknowns (just a flag here)
    for ch in w:
        if ch in vocab:
            if pending is not None:
                syms.append(unk)
                pending = None
            syms.append(vocab[ch])
            continue
        if model.get("byte_fallback"):
            bs = [byte_piece(b) for b in ch.encode()]
            if all(b in vocab for b in bs):
                syms.extend(vocab[b] for b in bs)  # a pending unk stays pending (HF)
                continue
        if unk is not None:
            if pending is not None and not model.get("fuse_unk"):
                syms.append(unk)
            pending = True
    if pending is not None:
        syms.append(unk)
    ranks = {}
    for r, m in enumerate(model["merges"]):
        a, b = m.split(" ", 1) if isinstance(m, str) else m
        ranks[(vocab[a], vocab[b])] = (r, vocab[a + b])
    # positions: keep each symbol's original index so ties go to the leftmost pair
    cur = [(sid, i) for i, sid in enumerate(syms)]
    while True:
        best = None
        for k in range(len(cur) - 1):
            m = ranks.get((cur[k][0], cur[k + 1][0]))
            if m and (best is None or (m[0], cur[k][1]) < best[0]):
                best = ((m[0], cur[k][1]), k, m[1])
        if best is None:
            break
        _, k, nid = best
        cur[k:k + 2] = [(nid, cur[k][1])]
    return [sid for sid, _ in cur]


def encode(tok, cfg, text, context):
    specials = {a["content"]: a["id"] for a in tok["added_tokens"]}
    ids = []
    for i, (seg, sp) in enumerate(split_added(text, list(specials))):
        if sp is not None:
            ids.append(specials[sp])
            continue
        seg = apply_normalizer(tok["normalizer"], seg) if tok["normalizer"] else seg
        pre = tok["pre_tokenizer"]
        if not pre:
            words = [seg] if seg else []
        elif pre["type"] == "Metaspace":
            words = metaspace(pre, seg, i == 0)
        else:  # Split on a string, MergedWithPrevious
            delim = pre["pattern"]["String"]
            words = []
            for part in re.split("(%s)" % re.escape(delim), seg):
                if part == delim and words and not words[-1].endswith(delim):
                    words[-1] += part
                elif part:
                    words.append(part)
        for w in words:
            if tok["model"]["type"] == "Unigram":
                ids.extend(unigram_ids(tok["model"], w))
            else:
                ids.extend(bpe_ids(tok["model"], w))
    post = tok["post_processor"]
    head, tail = [], []
    if post and post["type"] == "RobertaProcessing":
        head, tail = [post["cls"][1]], [post["sep"][1]]
    elif post and post["type"] == "TemplateProcessing":
        seen = False
        for item in post["single"]:
            if "Sequence" in item:
                seen = True
            else:
                i = post["special_tokens"][item["SpecialToken"]["id"]]["ids"]
                (tail if seen else head).extend(i)
    room = context - len(head) - len(tail)
    out = head + ids[:room] + tail
    pad = cfg["pad_token"]
    pad = pad["content"] if isinstance(pad, dict) else pad
    pad_id = specials.get(pad)
    if pad_id is None:
        pad_id = tok["model"]["_ids"][pad] if tok["model"]["type"] == "Unigram" else tok["model"]["vocab"][pad]
    return out + [pad_id] * (context - len(out))


# ---------------------------------------------------------------- fixtures

RULES = {
    "\uff48": "h",            # fullwidth h
    "\uff45": "e",
    "\uff4c": "l",
    "\uff4f": "o",
    "\uff4b": "k",
    "\uff4b\u0301": "\u1e31",  # never used by HF: the shorter "ｋ" prefix wins the grapheme
    "\u2460": "1",            # circled 1
    "\ufb01": "fi",
    "\u216b": "XII",
    "\u3000": " ",
    "\u00a0": " ",
    "\u200d": " ",
    "\u0627\u0653": "\u0622",  # alef + madda above -> alef with madda (a two-char key)
    "e\u0301": "\u00e9",
}

SPECIALS_X = ["<s>", "<pad>", "</s>", "<unk>"]


def added(tokens):
    return [{"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for c, i in tokens]


def xlmr():
    pieces = [(s, 0.0) for s in SPECIALS_X] + [
        (",", -3.5), (".", -3.25), (META, -4.0), ("s", -5.0), ("a", -5.5), ("e", -5.5),
        ("o", -6.0), ("t", -6.0), ("h", -6.5), ("l", -6.5), ("c", -7.0), ("d", -7.0),
        ("r", -7.0), ("n", -7.0), ("i", -7.0), ("f", -7.5), ("p", -7.5), ("m", -7.5),
        ("!", -7.5), ("1", -8.0), ("X", -8.5), ("I", -8.5), ("H", -8.5), ("W", -8.5),
        ("b", -8.0), ("x", -9.0), ("y", -9.0), ("g", -8.0), ("u", -8.0), ("k", -8.5),
        ("w", -8.5), ("'", -8.0), ("\u00e9", -9.0), ("\u00e8", -9.5), ("\u0622", -10.0),
        ("\u0631", -10.0), ("\u0628", -10.0), ("\u064a", -10.0), ("\u0643", -10.5),
        ("\u043e", -9.0), ("\u0442", -9.0), ("\u0444", -9.5), ("\u043a", -9.5), ("\u0448", -10.0),
        ("\u0438", -9.5), ("\u732b", -9.0), ("\u5199", -10.0), ("\u771f", -10.0), ("\u306e", -8.5),
        ("\u5199\u771f", -11.0), ("\t", -12.0), ("\n", -12.0),
        ("\u2581a", -4.5), ("\u2581photo", -9.0), ("\u2581pho", -8.0), ("to", -6.5),
        ("\u2581of", -6.0), ("\u2581cat", -8.5), ("\u2581ca", -7.0), ("\u2581c", -6.0),
        ("at", -6.5), ("\u2581Hello", -9.0), ("\u2581World", -10.0), ("\u2581hello", -9.5),
        ("\u2581hell", -11.0), ("\u2581he", -6.5), ("llo", -8.0),
        # greedy longest match "▁abc"+"d" (-22) loses to Viterbi "▁ab"+"cd" (-12)
        ("\u2581abc", -10.0), ("\u2581ab", -6.0), ("cd", -6.0), ("abcd", -30.0),
        ("\u2581abcde", -40.0), ("de", -6.5),
        # a tie: "▁xy" (-12) vs "▁x"+"y" (-3-9): HF keeps the first found, the longer one
        ("\u2581x", -3.0), ("\u2581xy", -12.0),
        ("\u2581caf\u00e9", -11.0), ("\u2581cr", -8.0), ("\u00e8me", -9.0),
        ("\u2581\u0444\u043e\u0442\u043e", -10.0), ("\u2581\u043a\u043e", -9.0),
        ("\u0448\u043a\u0438", -9.5), ("\u2581\u732b", -8.0), ("\u2581fi", -7.5), ("sh", -6.5),
        ("\u2581XII", -9.0), ("\u2581o", -5.5), ("'", -6.0), ("clock", -9.0),
        ("\u2581family", -9.5), ("\u2581space", -9.5), ("\u2581ideographic", -12.0),
        ("\u2581arabic", -11.0), ("\u2581leading", -11.0), ("\u2581and", -6.5),
        ("\u2581multiple", -11.5), ("\u2581spaces", -10.5), ("\u2581tab", -9.0), ("new", -8.0),
        ("line", -8.0), ("\u2581world", -9.0), ("\u2581red", -8.0), ("\u2581green", -9.0),
        ("\u2581<", -9.0), (">", -9.0),
    ]
    pieces.append(("<mask>", 0.0))
    mask = len(pieces) - 1
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": added([(s, i) for i, s in enumerate(SPECIALS_X)] + [("<mask>", mask)]),
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(build_darts(RULES)).decode()},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": META, "add_prefix_space": True,
                          "str_rep": META},
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                           "trim_offsets": True, "add_prefix_space": True},
        "decoder": {"type": "Metaspace", "replacement": META, "add_prefix_space": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": [[p, s] for p, s in pieces]},
    }
    return tok, {"pad_token": "<pad>", "model_max_length": 512}


def unigram_bf():
    tok, cfg = xlmr()
    vocab = [v for v in tok["model"]["vocab"] if v[0] != "<mask>"]
    # byte tokens for everything but 0xF0 (so 4-byte characters still go to <unk>)
    vocab += [[byte_piece(b), -20.0] for b in range(256) if b != 0xF0]
    vocab += [["\u2581a\u2581photo", -10.0]]  # a piece across words: split false allows it
    tok["added_tokens"] = added([(s, i) for i, s in enumerate(SPECIALS_X)])
    tok["model"] = {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": True}
    tok["normalizer"] = {"type": "Sequence", "normalizers": [
        {"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}
    tok["pre_tokenizer"] = {"type": "Metaspace", "replacement": META, "prepend_scheme": "first",
                            "split": False}
    tok["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                   {"SpecialToken": {"id": "</s>", "type_id": 0}}],
        "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                                        "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}}
    return tok, {"pad_token": {"content": "<pad>", "lstrip": False, "normalized": False,
                               "rstrip": False, "single_word": False, "__type": "AddedToken"}}


def bpe_vocab(specials, base_chars, merges, byte_ok):
    vocab = {}
    for s in specials:
        vocab[s] = len(vocab)
    for b in range(256):
        if byte_ok(b):
            vocab[byte_piece(b)] = len(vocab)
    for c in base_chars:
        if c not in vocab:
            vocab[c] = len(vocab)
    for a, b in merges:
        for t in (a, b, a + b):
            if t not in vocab:
                vocab[t] = len(vocab)
    return vocab


GEMMA_MERGES = [
    (META, "a"), ("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), (META, "hello"),
    ("a", "t"), ("c", "a"), (META, "c"), (META + "c", "at"), ("ca", "t"), (META, "ca"),
    ("p", "h"), ("o", "t"), ("ph", "ot"), ("phot", "o"), (META, "photo"), ("o", "f"),
    (META, "of"), (META, "H"), (META + "H", "e"), ("r", "e"), (META, "re"), (META + "re", "d"),
    ("\u5199", "\u771f"), ("\u00e9", META), (META, META), (META + META, META + META),
    (META, "\u0444"), ("\u043e", "\u0442"),
]


def gemma():
    chars = META + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'-\u00e9\u00e8\u5199\u771f\u306e\u0444\u043e\u0442"
    specials = ["<pad>", "<eos>", "<bos>", "<unk>"]
    vocab = bpe_vocab(specials, chars, GEMMA_MERGES, lambda b: True)
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": added([(s, i) for i, s in enumerate(specials)]),
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": META},
            {"type": "Replace", "pattern": {"String": " "}, "content": META}]},
        # as in Gemma's own files: a no-op once the normalizer has replaced every space
        "pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious",
                          "invert": False},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<eos>", "type_id": 0}}],
            "pair": [], "special_tokens": {"<eos>": {"id": "<eos>", "ids": [1], "tokens": ["<eos>"]}}},
        "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True,
                  "ignore_merges": False, "vocab": vocab, "merges": [[a, b] for a, b in GEMMA_MERGES]},
    }
    return tok, {"pad_token": {"content": "<pad>", "lstrip": False, "normalized": False,
                               "rstrip": False, "single_word": False, "__type": "AddedToken"},
                 "add_bos_token": False}


def spbpe_unk():
    merges = [(META, "a"), ("h", "e"), ("l", "l"), ("c", "a"), ("a", "t"), (META, "ca"), (META + "ca", "t")]
    chars = META + "abcdefghijklmnopqrstuvwxyz!"
    keep = {0xCE, 0xA9, 0xC3}  # Ω = CE A9 falls back to bytes; ж (D0 B6) does not
    vocab = bpe_vocab(["<unk>", "<pad>"], chars, merges, lambda b: b in keep)
    vocab[META + "hello"] = len(vocab)  # reachable only through ignore_merges
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": added([("<unk>", 0), ("<pad>", 1)]),
        "normalizer": None,
        "pre_tokenizer": {"type": "Metaspace", "replacement": META, "prepend_scheme": "always", "split": True},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "fuse_unk": True,
                  "byte_fallback": True, "ignore_merges": True, "vocab": vocab,
                  "merges": [a + " " + b for a, b in merges]},
    }
    return tok, {"pad_token": "<pad>"}


CASES = [
    "Hello World!",
    "a photo of a cat",
    "  leading and   multiple   spaces  ",
    "\uff48\uff45\uff4c\uff4c\uff4f \u2460 \ufb01sh",
    "\uff48\u0301 \uff4b\u0301 k \uff48\u0301\u0301 e\u0301\u0301",
    "\u732b\u306e\u5199\u771f",
    "\u0444\u043e\u0442\u043e \u043a\u043e\u0448\u043a\u0438",
    "caf\u00e9 cr\u00e8me",
    "cafe\u0301",
    "\U0001F469\u200d\U0001F467 family",
    "\U0001F431\U0001F436 cat",
    "abcd abcde",
    "xy xyz",
    "tab\tnew\nline",
    "",
    " ",
    "<s>hello</s> world",
    "hello <mask> world",
    "\u3000ideographic\u00a0space",
    "\u0627\u0653 arabic",
    "\u216b o'clock",
    "\u0436\u03a9a \u03a9\u0436\u0436a hello hellohello",
    "red " * 30,
    "a photo of " * 12 + "a green cat",
]


def main():
    fixtures = {"xlmr": xlmr(), "unigram-bf": unigram_bf(), "gemma": gemma(), "spbpe-unk": spbpe_unk()}
    golden = {"context_length": CONTEXT, "rules": RULES, "tokenizers": {}}
    for name, (tok, cfg) in fixtures.items():
        d = os.path.join(OUT, "sp", name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(tok, f, ensure_ascii=False, indent=1)
        with open(os.path.join(d, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(cfg, f, ensure_ascii=False, indent=1)
        # reference-side helpers (not part of the files written above)
        if tok["model"]["type"] == "Unigram":
            tok["model"]["_ids"] = {p: i for i, (p, _) in enumerate(tok["model"]["vocab"])}
        norm = tok["normalizer"]
        if norm and norm["type"] == "Sequence":
            for n in norm["normalizers"]:
                if n["type"] == "Precompiled":
                    n["_rules"] = RULES
        cases = []
        for text in CASES:
            cases.append({"text": text, "ids": encode(tok, cfg, text, CONTEXT)})
        golden["tokenizers"][name] = cases
    with open(os.path.join(OUT, "sp_tokens_golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
