"""Neighbourhood consistency: do a term's nearest neighbours stay on topic, for every sense of the term?

For each probe (e.g. "bank": river items, money items, plus unrelated distractors) the term is compared with
all its candidates; the intrusion rate is the share of unrelated items among the k nearest, and sense coverage
the share of senses with at least one item there. Probes come from labelled sets (built-in en/zh or the
user's JSON) or are mined from the corpus with lexical labels (`mine_probes`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from evaluators.checks._common import CheckError, CheckResult, bootstrap_mean_ci, encode_units, seeded
from evaluators.checks.data import Probe, ProbeSet
from evaluators.checks.tokenizer_fit import _is_domain_word, split_words
from evaluators.types import Encoder

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")


def probe_scores(
    probe: Probe, term_vec: np.ndarray, cand_vecs: np.ndarray, k: int, seed: int
) -> tuple[float, float]:
    """(intrusion rate, sense coverage) of one probe's k nearest candidates.

    Candidates are shuffled (seeded) before a stable sort, so ties never favour the related items: an encoder
    that cannot tell them apart scores the chance rate, not a perfect one.
    """
    labels = [s for s, items in probe.senses.items() for _ in items] + [None] * len(probe.unrelated)
    order = list(range(len(labels)))
    seeded(seed, "neighbourhood", probe.term).shuffle(order)
    sims = cand_vecs[order] @ term_vec
    top = [labels[order[j]] for j in np.argsort(-sims, kind="stable")[:k]]
    intrusion = sum(1 for s in top if s is None) / k
    coverage = len({s for s in top if s is not None}) / len(probe.senses)
    return intrusion, coverage


def neighbourhood(
    probe_sets: Sequence[ProbeSet], encoder: Encoder, *, model: str, k: int = 5, seed: int = 0
) -> CheckResult:
    """Intrusion rate and sense coverage over all probes; CIs resample probes. k is capped per probe at its
    number of related items, so a perfect model scores 0 intrusion."""
    rows: list[tuple[str, float, float, float]] = []  # language, intrusion, coverage, chance
    for ps in probe_sets:
        texts = [t for p in ps.probes for t in (p.term, *p.related, *p.unrelated)]
        vecs = encode_units(encoder, texts) if texts else np.zeros((0, 1), dtype=np.float32)
        start = 0
        for probe in ps.probes:
            n_cand = len(probe.related) + len(probe.unrelated)
            term, cands = vecs[start], vecs[start + 1 : start + 1 + n_cand]
            start += 1 + n_cand
            intr, cov = probe_scores(probe, term, cands, min(k, len(probe.related)), seed)
            rows.append((ps.language or "?", intr, cov, len(probe.unrelated) / n_cand))
    if not rows:
        raise CheckError("neighbourhood check: no probes")
    intr_all = np.array([r[1] for r in rows])
    cov_all = np.array([r[2] for r in rows])
    values: dict[str, Any] = {
        "intrusion_rate": float(intr_all.mean()),
        "sense_coverage": float(cov_all.mean()),
        "chance_intrusion_rate": float(np.mean([r[3] for r in rows])),
        "k": k,
    }
    ci = {
        "intrusion_rate": bootstrap_mean_ci(intr_all, seed=seed),
        "sense_coverage": bootstrap_mean_ci(cov_all, seed=seed),
    }
    langs = list(dict.fromkeys(r[0] for r in rows))
    if len(langs) > 1:
        for lang in langs:
            sel = np.array([r[0] == lang for r in rows])
            values[f"intrusion_rate:{lang}"] = float(intr_all[sel].mean())
            ci[f"intrusion_rate:{lang}"] = bootstrap_mean_ci(intr_all[sel], seed=seed)
    notes = [
        f"{ps.source}: {len(ps.probes)} {ps.labels} probes ({ps.language or 'language unknown'})"
        for ps in probe_sets
    ]
    if any(ps.labels == "mined" for ps in probe_sets):
        notes.append(
            "mined probes use lexical labels (related = sentences containing the term), so a bag of "
            "words scores well on them; the labelled sets test meaning"
        )
    summary = (
        f"neighbourhood consistency on {len(rows)} probe terms ({', '.join(langs)}), k<={k}: intrusion rate "
        f"{values['intrusion_rate']:.3f} (chance {values['chance_intrusion_rate']:.3f}), "
        f"sense coverage {values['sense_coverage']:.3f}"
    )
    return CheckResult("neighbourhood", model, summary, values, ci, len(rows), tuple(notes))


def mine_probes(
    texts: Sequence[str], *, n_terms: int = 10, per_side: int = 4, seed: int = 0, language: str = "mined"
) -> ProbeSet:
    """Probe terms from the user's corpus: frequent domain words that appear in a minority of sentences.

    Related items are sentences containing the term (with the term itself left in: the labels are lexical);
    unrelated items are sentences that share no domain word with the term's sentences.
    """
    sentences = list(
        dict.fromkeys(s.strip() for t in texts for s in _SENTENCE.split(t) if 20 <= len(s.strip()) <= 300)
    )
    words = [{w.lower() for w in split_words(s) if _is_domain_word(w)} for s in sentences]
    df = Counter(w for ws in words for w in ws)
    limit = max(per_side, len(sentences) // 5)
    # Longer words first (more often domain terms than 'time' or 'system'), then the more frequent.
    terms = sorted((w for w, c in df.items() if per_side <= c <= limit), key=lambda w: (-len(w), -df[w], w))
    rng = seeded(seed, "mine-probes")
    probes = []
    for term in terms:
        having = [i for i, ws in enumerate(words) if term in ws]
        related = rng.sample(having, per_side)
        vocab = set().union(*(words[i] for i in related))
        pool = [i for i, ws in enumerate(words) if term not in ws and not (ws & vocab)]
        if len(pool) < per_side:
            continue
        unrelated = rng.sample(pool, per_side)
        probes.append(
            Probe(
                term, {"corpus": tuple(sentences[i] for i in related)}, tuple(sentences[i] for i in unrelated)
            )
        )
        if len(probes) == n_terms:
            break
    if not probes:
        raise CheckError("could not mine probes: the corpus needs more sentences with recurring domain words")
    return ProbeSet(language, tuple(probes), source="mined from corpus", labels="mined")
