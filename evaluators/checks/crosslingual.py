"""Cross-lingual alignment: do a sentence and its translation land together in the model's space?

On parallel pairs: translation retrieval accuracy@1 both ways (each side searches the other side's pool)
and the mean cosine of aligned pairs minus the mean cosine of random (non-aligned) pairs. A model whose
catalog entry claims a single language gets a "not multilingual" result, not a misleading score.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evaluators.checks._common import CheckError, CheckResult, bootstrap_mean_ci, encode_units, seeded
from evaluators.checks.data import Pairs
from evaluators.types import Encoder


def language_claim(spec: Any, langs: tuple[str, str]) -> tuple[bool, str | None]:
    """(applicable, note). Not applicable only when the catalog positively says one language."""
    if spec is None:
        return True, "no catalog entry: whether the model claims multilingual support is unknown"
    languages = tuple(getattr(spec, "languages", ()) or ())
    if getattr(spec, "multilingual", False) or len(languages) > 1:
        missing = [
            lang for lang in langs if languages and lang not in languages and lang not in ("src", "tgt")
        ]
        return True, (f"catalog does not list {', '.join(missing)} for this model" if missing else None)
    if len(languages) == 1:
        return False, (
            f"not multilingual: the catalog lists only '{languages[0]}' for {spec.id}, so a cross-lingual "
            "score would be misleading; choose a multilingual model (or use --force to measure anyway)"
        )
    return True, "catalog does not say which languages this model supports"


def crosslingual(
    pairs: Pairs,
    encoder: Encoder | None,
    *,
    model: str,
    spec: Any = None,
    seed: int = 0,
    force: bool = False,
    max_pairs: int = 2000,
) -> CheckResult:
    """Accuracy@1 both ways and the aligned-minus-random cosine margin, with bootstrap CIs over pairs.
    Above `max_pairs` a seeded sample is used (the similarity matrix is pairs x pairs)."""
    src, tgt = pairs.langs
    ok, note = language_claim(spec, pairs.langs)
    notes = [note] if note else []
    if not ok and not force:
        summary = f"cross-lingual alignment {src}<->{tgt}: not measured (model is not multilingual)"
        return CheckResult("crosslingual", model, summary, {}, {}, 0, tuple(notes), status="not_applicable")
    if encoder is None:
        raise CheckError("cross-lingual check needs an encoder")
    chosen = list(pairs.pairs)
    if len(chosen) > max_pairs:
        chosen = seeded(seed, "crosslingual-sample").sample(chosen, max_pairs)
        notes.append(f"a seeded sample of {max_pairs} of {len(pairs.pairs)} pairs was measured")
    n = len(chosen)
    if n < 2:
        raise CheckError("cross-lingual check needs at least 2 pairs")
    a = encode_units(encoder, [p[0] for p in chosen])
    b = encode_units(encoder, [p[1] for p in chosen])
    sims = (a @ b.T).astype(np.float64)
    items = per_pair_scores(sims)
    values = {
        f"accuracy@1_{src}_to_{tgt}": float(items["fwd"].mean()),
        f"accuracy@1_{tgt}_to_{src}": float(items["bwd"].mean()),
        "aligned_cosine": float(np.diag(sims).mean()),
        "random_cosine": float(items["random"].mean()),
        "margin": float(items["margin"].mean()),
        "chance_accuracy@1": 1.0 / n,
    }
    ci = {
        f"accuracy@1_{src}_to_{tgt}": bootstrap_mean_ci(items["fwd"], seed=seed),
        f"accuracy@1_{tgt}_to_{src}": bootstrap_mean_ci(items["bwd"], seed=seed + 1),
        "margin": bootstrap_mean_ci(items["margin"], seed=seed + 2),
    }
    notes.append(f"pairs: {pairs.source}; each side is encoded as passages, retrieval pool = all {n} targets")
    summary = (
        f"cross-lingual alignment {src}<->{tgt} on {n} parallel pairs: accuracy@1 "
        f"{values[f'accuracy@1_{src}_to_{tgt}']:.3f} / {values[f'accuracy@1_{tgt}_to_{src}']:.3f}, "
        f"margin {values['margin']:.3f}"
    )
    return CheckResult("crosslingual", model, summary, values, ci, n, tuple(notes))


def per_pair_scores(sims: np.ndarray) -> dict[str, np.ndarray]:
    """Per pair i: hit@1 each way, mean cosine to the other side's non-partners, and aligned minus that.

    Ties count against the model: a hit needs the partner strictly above every other candidate, so an
    encoder that returns one constant vector scores 0 rather than "first index wins".
    """
    n = sims.shape[0]
    diag = np.diag(sims)
    off = ~np.eye(n, dtype=bool)
    best_other_row = np.where(off, sims, -np.inf).max(axis=1)
    best_other_col = np.where(off, sims, -np.inf).max(axis=0)
    random_cos = (sims.sum(axis=1) - diag) / (n - 1)
    return {
        "fwd": (diag > best_other_row).astype(np.float64),
        "bwd": (diag > best_other_col).astype(np.float64),
        "random": random_cos,
        "margin": diag - random_cos,
    }
