"""Offline pseudo-queries for a corpus that came without any: seeded, deterministic, always labelled.

- 'ict' (inverse cloze, Lee et al. 2019): a sentence is removed from its chunk and becomes the query; the
  chunk minus that sentence is what gets indexed, so the match must come from context, not copied words.
  A sentence that also occurs in another chunk (e.g. in an overlap) is never used.
- 'keyphrase': a question built from a chunk's top tf-idf terms ("What does the text say about X, Y and Z?").
  It favours lexical matching (BM25), which is why 'auto' means 'ict'.
Results carry `query_origin = "synthetic:<method>"`; numbers from them are a smoke test, not a benchmark.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass

from evaluators.ingest.chunking import CJK_RANGES, count_tokens, sentence_spans
from evaluators.types import Doc, Query, TrialInputError

METHODS = ("ict", "keyphrase")
DEFAULT_COUNT = 100
"""Synthetic queries made when no count is given (fewer if the corpus has fewer usable chunks)."""
_MIN_SENTENCE, _MAX_SENTENCE, _MIN_REST = 6, 64, 8
"""ICT limits in regex-v1 tokens: query sentence length, and what must remain of the chunk."""
_STOP = frozenset("""a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how however i if in into is it its itself just me more most my no nor
not now of off on once only or other our ours out over own same she should so some such than that the their
theirs them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours one two first new may many much used use""".split())
_WORD = re.compile(r"[^\W\d_][\w'-]*")
_CJK_RUN = re.compile(f"[{CJK_RANGES}]+")


@dataclass(frozen=True)
class Synthetic:
    units: list[Doc]
    """The corpus to index (ICT replaces each used chunk by the chunk minus its query sentence)."""
    queries: list[Query]
    qrels: dict[str, dict[str, int]]


def parse_synthetic(value: str | None) -> tuple[str, int]:
    """'auto' | 'ict' | 'keyphrase', optionally ':<count>' -> (method, count); None/'none' refuses."""
    if value is None or str(value).strip().lower() in ("", "none", "off", "false", "no"):
        raise TrialInputError("no queries given: pass a queries file, or allow synthetic queries")
    name, _, count_s = str(value).strip().lower().partition(":")
    method = "ict" if name == "auto" else name
    if method not in METHODS:
        raise TrialInputError(f"unknown synthetic query method {value!r} (use auto, ict or keyphrase)")
    try:
        count = int(count_s) if count_s else DEFAULT_COUNT
    except ValueError:
        raise TrialInputError(f"synthetic query count must be a number: {value!r}") from None
    if count < 1:
        raise TrialInputError(f"synthetic query count must be at least 1: {value!r}")
    return method, count


def make_synthetic(units: list[Doc], method: str, *, count: int = DEFAULT_COUNT, seed: int = 0) -> Synthetic:
    """Up to `count` pseudo-queries, one per chunk, from chunks visited in a seeded random order."""
    if method == "ict":
        return _inverse_cloze(units, count, random.Random(seed))
    if method == "keyphrase":
        return _keyphrase(units, count, random.Random(seed))
    raise TrialInputError(f"unknown synthetic query method {method!r}")


def _inverse_cloze(units: list[Doc], count: int, rng: random.Random) -> Synthetic:
    seen = _sentence_counts(units)
    order = list(range(len(units)))
    rng.shuffle(order)
    out = list(units)
    queries: list[Query] = []
    qrels: dict[str, dict[str, int]] = {}
    for i in order:
        if len(queries) >= count:
            break
        picked = _pick_sentence(units[i].text, seen, _neighbours(units, i), rng)
        if picked is None:
            continue
        sentence, rest = picked
        qid = f"syn-ict-{len(queries)}"
        queries.append(Query(id=qid, text=sentence))
        qrels[qid] = {units[i].id: 1}
        u = units[i]
        out[i] = Doc(id=u.id, text=rest, title=u.title, source=u.source, parent_id=u.parent_id)
    return Synthetic(out, queries, qrels)


def _sentence_counts(units: list[Doc]) -> Counter[str]:
    """How many times each sentence occurs in the corpus, in one pass over all the text: a blank line between
    units is a sentence break, so this gives the sentences of each unit (one exception: a unit ending in a
    numbered-list line such as "\n1." is split once more there, as if it were followed by text)."""
    joined = "\n\n".join(u.text for u in units)
    return Counter(joined[s:e] for s, e in sentence_spans(joined))


def _neighbours(units: list[Doc], i: int) -> tuple[str, ...]:
    """Texts of the chunks just before and after unit i from the same document: where an overlap repeats
    part of a long sentence (cut inside it, so the repeat is not a whole sentence the counts would see).
    Only neighbours: chunks overlap only with the next one, and searching every sibling made one large
    file quadratic (a 49 MB file took over 10 minutes)."""
    parent = units[i].parent_id
    if not parent:
        return ()
    near = (units[j] for j in (i - 1, i + 1) if 0 <= j < len(units))
    return tuple(u.text for u in near if u.parent_id == parent)


def _pick_sentence(text: str, seen: Counter[str], neighbours: tuple[str, ...], rng: random.Random
                   ) -> tuple[str, str] | None:
    """(sentence, text without it) for a random usable sentence of `text` found nowhere else, or None."""
    spans = sentence_spans(text)
    if len(spans) < 2:
        return None
    usable = [(s, e) for s, e in spans
              if seen[text[s:e]] == 1 and not any(text[s:e] in t for t in neighbours)
              and _MIN_SENTENCE <= count_tokens(text, s, e) <= _MAX_SENTENCE]
    rng.shuffle(usable)
    for s, e in usable:
        rest = (text[:s].rstrip() + " " + text[e:].lstrip()).strip()
        if count_tokens(rest) >= _MIN_REST:
            return text[s:e], rest
    return None


def _terms(text: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text) if not _CJK_RUN.fullmatch(w)]
    terms = [w for w in words if len(w) >= 3 and w not in _STOP and not _CJK_RUN.search(w)]
    for run in _CJK_RUN.findall(text):
        terms.extend(run[i:i + 2] for i in range(len(run) - 1))
    return terms


def _keyphrase(units: list[Doc], count: int, rng: random.Random) -> Synthetic:
    bags = [Counter(_terms(u.text)) for u in units]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(units)
    order = list(range(n))
    rng.shuffle(order)
    queries: list[Query] = []
    qrels: dict[str, dict[str, int]] = {}
    seen: set[str] = set()
    for i in order:
        if len(queries) >= count:
            break
        scored = sorted(((tf * math.log((1 + n) / df[t]), t) for t, tf in bags[i].items()
                         if df[t] < n or n == 1), key=lambda p: (-p[0], p[1]))
        top = [t for _, t in scored[:3]]
        if len(top) < 2:
            continue
        text = _question(top)
        if text in seen:
            continue
        seen.add(text)
        qid = f"syn-keyphrase-{len(queries)}"
        queries.append(Query(id=qid, text=text))
        qrels[qid] = {units[i].id: 1}
    return Synthetic(list(units), queries, qrels)


def _question(terms: list[str]) -> str:
    if _CJK_RUN.search("".join(terms)):
        return f"关于{'、'.join(terms[:-1])}和{terms[-1]}，文中说了什么？"
    return f"What does the text say about {', '.join(terms[:-1])} and {terms[-1]}?"
