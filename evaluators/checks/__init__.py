"""The deeper checks: tokenizer fit, cross-lingual alignment, perturbation stability, neighbourhoods.

`run_checks(kinds, ...)` runs any of them for one model and returns `{kind: CheckResult}`; each result's
`to_dict()` is what a trial stores under `ModelResult.details["checks"]`. The runner passes its loaded encoder
and dataset; the CLI uses `checks_for_ref`, which resolves a model reference and loads the encoder only when a
check needs it (tokenizer fit never does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.checks._common import CheckError, CheckResult, model_name
from evaluators.checks.data import Pairs, ProbeSet, load_pairs, load_probes
from evaluators.types import Dataset, Doc, Encoder, Query

CHECKS: tuple[str, ...] = ("tokenizer", "crosslingual", "stability", "neighbourhood")
__all__ = ["CHECKS", "CheckError", "CheckResult", "checks_for_ref", "expand_kinds", "run_checks"]

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_ERRORS = (CheckError, ValueError, RuntimeError, OSError, ImportError)


def expand_kinds(kinds: Iterable[str] | str) -> list[str]:
    """'all' or names (comma-separated allowed) -> known kinds in CHECKS order; unknown names raise."""
    names = [kinds] if isinstance(kinds, str) else list(kinds)
    wanted = {n.strip().lower() for item in names for n in item.split(",") if n.strip()}
    if "all" in wanted:
        return list(CHECKS)
    unknown = sorted(wanted - set(CHECKS))
    if unknown:
        raise CheckError(f"unknown check {', '.join(unknown)} (choose from {', '.join(CHECKS)}, or all)")
    return [k for k in CHECKS if k in wanted]


class _LazyEncoder:
    """Creates the encoder on first use, so a tokenizer-only run never loads model weights."""

    def __init__(self, encoder: Encoder | None, factory: Callable[[], Encoder] | None) -> None:
        self._encoder, self._factory = encoder, factory

    def get(self) -> Encoder:
        if self._encoder is None:
            if self._factory is None:
                raise CheckError("this check needs an encoder, and none was given")
            self._encoder = self._factory()
        return self._encoder


def run_checks(
    kinds: Iterable[str] | str = CHECKS,
    *,
    texts: Sequence[str] = (),
    queries: Sequence[Query | str] = (),
    dataset: Dataset | None = None,
    encoder: Encoder | None = None,
    encoder_factory: Callable[[], Encoder] | None = None,
    spec: Any = None,
    model: str | None = None,
    model_path: str | Path | None = None,
    max_tokens: int | None = None,
    pairs: str | Path | Pairs | None = None,
    probes: str | Path | ProbeSet | Sequence[ProbeSet] | None = None,
    mine: bool = False,
    force: bool = False,
    corpus_vectors: np.ndarray | None = None,
    seed: int = 0,
    raise_errors: bool = False,
) -> dict[str, CheckResult]:
    """Run `kinds` ('all' or names from CHECKS) for one model.

    texts: the user's documents (tokenizer fit; probe mining). queries: for stability. dataset: a trial's
    Dataset, used for whatever texts/queries are not given (its corpus and qrels also feed stability).
    spec: the catalog ModelSpec (tokenizer, window, languages); model_path: a local folder for the tokenizer.
    force: measure cross-lingual alignment even for a model the catalog calls single-language.
    A check that cannot run becomes a status='failed' result with the reason, unless raise_errors.
    """
    lazy = _LazyEncoder(encoder, encoder_factory)
    name = model or model_name(encoder, spec)
    corpus: Sequence[Doc] = dataset.corpus if dataset is not None else ()
    texts = list(texts) or [d.text for d in corpus]
    queries = list(queries) or (list(dataset.queries) if dataset is not None else [])
    if not corpus and texts:
        corpus = tuple(Doc(id=f"d{i}", text=t) for i, t in enumerate(texts))
    jobs: dict[str, Callable[[], CheckResult]] = {
        "tokenizer": lambda: _tokenizer(name, texts, spec, model_path, max_tokens, dataset, seed),
        "crosslingual": lambda: _crosslingual(name, pairs, spec, lazy, seed, force),
        "stability": lambda: _stability(name, queries, corpus, dataset, corpus_vectors, lazy, seed),
        "neighbourhood": lambda: _neighbourhood(name, probes, mine, texts, queries, spec, lazy, seed),
    }
    out: dict[str, CheckResult] = {}
    for kind in expand_kinds(kinds):
        try:
            out[kind] = jobs[kind]()
        except _ERRORS as exc:
            if raise_errors:
                raise
            msg = " ".join(str(exc).split()) or type(exc).__name__
            out[kind] = CheckResult(kind, name, f"{kind} check failed: {msg}", status="failed", notes=(msg,))
    return out


def _tokenizer(
    name: str,
    texts: list[str],
    spec: Any,
    path: Any,
    max_tokens: int | None,
    dataset: Dataset | None,
    seed: int,
) -> CheckResult:
    from evaluators.checks.tokenizer_fit import load_tokenizer, tokenizer_fit, window_from_folder

    local = path if path is not None and Path(str(path)).exists() else None
    counter = load_tokenizer(spec, path=path, name=name)
    window = max_tokens or getattr(spec, "max_tokens", None) or window_from_folder(local)
    res = tokenizer_fit(
        texts,
        counter,
        model=name,
        max_tokens=window,
        unbounded=bool(getattr(spec, "unbounded_context", False)),
        seed=seed,
    )
    if dataset is not None and any(d.parent_id for d in dataset.corpus):
        note = "measured on the trial's chunks, not whole documents: the over-window share is about chunks"
        res = CheckResult(**{**res.__dict__, "notes": (*res.notes, note)})
    return res


def _crosslingual(
    name: str, pairs: Any, spec: Any, lazy: _LazyEncoder, seed: int, force: bool
) -> CheckResult:
    from evaluators.checks.crosslingual import crosslingual, language_claim

    loaded = pairs if isinstance(pairs, Pairs) else load_pairs(pairs)
    applicable, _ = language_claim(spec, loaded.langs)
    encoder = lazy.get() if applicable or force else None
    return crosslingual(loaded, encoder, model=name, spec=spec, seed=seed, force=force)


def _stability(
    name: str,
    queries: list[Any],
    corpus: Sequence[Doc],
    dataset: Dataset | None,
    corpus_vectors: np.ndarray | None,
    lazy: _LazyEncoder,
    seed: int,
) -> CheckResult:
    from evaluators.checks.stability import stability

    if not queries:
        raise CheckError("stability needs queries (give a dataset with queries, or query texts)")
    res = stability(
        queries,
        lazy.get(),
        model=name,
        corpus=corpus,
        qrels=dataset.qrels if dataset is not None else None,
        qrels_level=dataset.qrels_level if dataset is not None else "unit",
        corpus_vectors=corpus_vectors,
        seed=seed,
    )
    if dataset is not None and dataset.synthetic:
        res = CheckResult(**{**res.__dict__, "notes": (*res.notes, f"queries are {dataset.query_origin}")})
    return res


def _neighbourhood(
    name: str,
    probes: Any,
    mine: bool,
    texts: list[str],
    queries: list[Any],
    spec: Any,
    lazy: _LazyEncoder,
    seed: int,
) -> CheckResult:
    from evaluators.checks.neighbourhood import mine_probes, neighbourhood

    if isinstance(probes, ProbeSet):
        sets = [probes]
    elif isinstance(probes, (str, Path)):
        sets = [load_probes(probes)]
    elif probes:
        sets = list(probes)
    else:
        sets = [load_probes(language=lang) for lang in default_probe_languages(spec, texts, queries)]
    if mine:
        sets.append(mine_probes(texts, seed=seed))
    return neighbourhood(sets, lazy.get(), model=name, seed=seed)


def default_probe_languages(spec: Any, texts: Sequence[str], queries: Sequence[Any]) -> list[str]:
    """English always; Chinese too when the model claims it or the user's text contains Chinese."""
    langs = ["en"]
    sample = [str(getattr(q, "text", q)) for q in list(queries)[:200]] + list(texts)[:200]
    if "zh" in (getattr(spec, "languages", ()) or ()) or any(_CJK.search(t) for t in sample):
        langs.append("zh")
    return langs


def checks_for_ref(
    kinds: Iterable[str] | str, ref: Any, *, backend: str = "auto", **kwargs: Any
) -> dict[str, CheckResult]:
    """run_checks for a model reference: a string (catalog id, HF id, local folder, `minilm`,
    `provider:model`) or an already resolved `evaluators.models.ModelRef`.

    The catalog entry, tokenizer folder and context window come from the reference. Pass `encoder=` or
    `encoder_factory=` to reuse a loaded model (the runner does); otherwise `load_encoder` runs on first need.
    A hybrid reference is checked through its dense part; `bm25` raises CheckError (nothing to embed).
    """
    from evaluators.models import resolve_model

    mref = resolve_model(ref) if isinstance(ref, str) else ref
    if mref.kind == "hybrid" and mref.parts:
        mref = mref.parts[0]
    if mref.kind not in ("dense", "api"):
        raise CheckError(
            f"'{mref.ref}' is not an embedding model (kind {mref.kind}); checks need a dense or API model"
        )

    def factory() -> Encoder:
        from evaluators.backends import load_encoder

        return load_encoder(mref, backend=backend)

    if kwargs.get("encoder") is None:
        kwargs.setdefault("encoder_factory", factory)
    kwargs.setdefault("model_path", mref.path if mref.kind == "dense" else None)
    kwargs.setdefault("max_tokens", mref.max_tokens)
    kwargs.setdefault("spec", mref.spec)
    kwargs.setdefault("model", mref.name)
    return run_checks(kinds, **kwargs)
