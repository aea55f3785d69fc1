"""Seeded query perturbations for the stability check: typos, casing, punctuation, word order, rephrasing.

Separate from the scoring so the perturbations can be read, tested and shown on their own: `perturb(text,
kind, rng)` returns the changed text, or None where a kind cannot apply (e.g. casing on Chinese text).
"""

from __future__ import annotations

import random
import re
import string

PERTURBATIONS = ("typo", "case", "punctuation", "word_order", "rephrase")

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z]{3,}")
_PUNCT = set(string.punctuation) | set("，。？！；：、“”‘’（）《》")
_KEYS = "qwertyuiop asdfghjkl zxcvbnm".split()
# Near-identical rephrasings, each group applied at most once (first alternative that matches), e.g.
# "the cat sat on the mat" -> "a cat was sitting on the mat".
_EN_GROUPS: tuple[tuple[tuple[str, str], ...], ...] = (
    ((r"\bthe\b", "a"), (r"\ban?\b", "the")),
    ((r"\bsat\b", "was sitting"), (r"\bwas sitting\b", "sat")),
    (
        (r"\bwhat is\b", "what's"),
        (r"\bwhat's\b", "what is"),
        (r"\bwho is\b", "who's"),
        (r"\bwho's\b", "who is"),
    ),
    ((r"\bhow do i\b", "how can I"), (r"\bhow can i\b", "how do I")),
    (
        (r"\bdon't\b", "do not"),
        (r"\bdoesn't\b", "does not"),
        (r"\bcan't\b", "cannot"),
        (r"\bisn't\b", "is not"),
    ),
    (
        (r"\bbig\b", "large"),
        (r"\blarge\b", "big"),
        (r"\bbuy\b", "purchase"),
        (r"\bstart\b", "begin"),
        (r"\bhelp\b", "assist"),
        (r"\bshow\b", "display"),
        (r"\bquick\b", "fast"),
        (r"\bget\b", "obtain"),
    ),
)
_ZH_SWAPS = (("什么", "啥"), ("怎么", "如何"), ("为什么", "为何"), ("哪里", "哪儿"), ("是否", "是不是"))


def perturb(text: str, kind: str, rng: random.Random) -> str | None:
    """`text` changed by one perturbation of `kind`; None when that kind cannot change this text."""
    fn = {
        "typo": _typo,
        "case": _case,
        "punctuation": _punct,
        "word_order": _order,
        "rephrase": _rephrase,
    }.get(kind)
    if fn is None:
        raise ValueError(f"unknown perturbation '{kind}' (choose from {', '.join(PERTURBATIONS)})")
    out = fn(text, rng)
    return out if out is not None and out != text and out.strip() else None


def _typo(text: str, rng: random.Random) -> str | None:
    words = list(_WORD.finditer(text))
    if not words:
        cjk = [m.start() for m in _CJK.finditer(text)]
        if not cjk:
            return None
        i = rng.choice(cjk)  # drop or double one Chinese character (a common input-method slip)
        return text[:i] + text[i + 1 :] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]
    m = rng.choice(words)
    w, op = m.group(), rng.choice(("swap", "drop", "double", "key"))
    i = rng.randrange(1, len(w) - 1)
    if op == "swap":
        new = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    elif op == "drop":
        new = w[:i] + w[i + 1 :]
    elif op == "double":
        new = w[:i] + w[i] + w[i:]
    else:
        new = w[:i] + _neighbour_key(w[i], rng) + w[i + 1 :]
    return text[: m.start()] + new + text[m.end() :]


def _neighbour_key(ch: str, rng: random.Random) -> str:
    for row in _KEYS:
        j = row.find(ch.lower())
        if j >= 0:
            near = [row[x] for x in (j - 1, j + 1) if 0 <= x < len(row)]
            out = rng.choice(near)
            return out.upper() if ch.isupper() else out
    return ch


def _case(text: str, rng: random.Random) -> str | None:
    if not any(c.isalpha() and c.isascii() for c in text):
        return None
    options = [text.lower(), text.upper(), text[:1].swapcase() + text[1:]]
    options = [o for o in options if o != text]
    return rng.choice(options) if options else None


def _punct(text: str, rng: random.Random) -> str | None:
    stripped = "".join(c for c in text if c not in _PUNCT).strip()
    if stripped != text.strip():
        return " ".join(stripped.split()) if not _CJK.search(text) else stripped
    return text.rstrip() + ("？" if _CJK.search(text) else rng.choice(("?", "!", ".")))


def _order(text: str, rng: random.Random) -> str | None:
    words = text.split()
    if len(words) >= 3:
        i = rng.randrange(0, len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
        return " ".join(words)
    chars = [
        m.start()
        for m in _CJK.finditer(text)
        if m.start() + 1 < len(text) and _CJK.match(text[m.start() + 1])
    ]
    if not chars:
        return None
    i = rng.choice(chars)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _rephrase(text: str, rng: random.Random) -> str | None:
    if _CJK.search(text):
        for a, b in _ZH_SWAPS:
            if a in text:
                return text.replace(a, b, 1)
        return text[2:] if text.startswith("请问") else "请问" + text
    out = text
    for group in _EN_GROUPS:
        for pattern, repl in group:
            m = re.search(pattern, out, flags=re.IGNORECASE)
            if m:
                repl = repl[:1].upper() + repl[1:] if m.group()[:1].isupper() else repl
                out = out[: m.start()] + repl + out[m.end() :]
                break
    if out != text:
        return out
    return "Tell me " + text[:1].lower() + text[1:] if text[:1].isupper() else "tell me " + text
