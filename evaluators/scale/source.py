"""What an export holds: the trial's models with their exact prompts, and its data, reloaded and verified.

A saved trial keeps where its documents came from and how they were sampled and chunked, not the texts;
`trial_loader` rebuilds the loader call and `load_views` checks the reloaded data against the trial's
fingerprint before anything is written, so an export is the trial's data or an error, never a lookalike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from evaluators.models import resolve_model
from evaluators.types import Dataset, TrialInputError

Loader = Callable[..., Dataset]
"""Called with keyword overrides (chunk_tokens, sample) of the trial's own loader arguments."""


@dataclass(frozen=True)
class ExportModel:
    """One model as the runner must encode it: the trial's prompts and normalisation, and where to load it."""

    name: str
    load: str | None
    """What the trial loaded: a local folder or a Hugging Face id."""
    hf_id: str | None
    """Where another machine downloads it (None: a local folder only)."""
    revision: str | None
    """The Hub commit the trial used, when known (the runner pins it)."""
    query_prompt: str | None
    passage_prompt: str | None
    normalize: bool
    max_tokens: int | None
    prompts_from: str
    """'the trial' or why not (a model resolved now takes its prompts from the catalog/model config)."""
    trial_metrics: dict[str, float] = field(default_factory=dict)
    trial_setup: dict[str, Any] = field(default_factory=dict)
    """backend, precision, device of the local row."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def models_from_trial(
    results: Sequence[dict[str, Any]], wanted: Sequence[str] = ()
) -> tuple[list[ExportModel], list[dict[str, str]]]:
    """The trial's dense rows (or those named in `wanted`, by name or ref; names it lacks are resolved
    now), and a {name, reason} for every row mteb cannot run."""
    models: list[ExportModel] = []
    skipped: list[dict[str, str]] = []
    picked = set()
    for row in results:
        name, details = str(row.get("model", "")), dict(row.get("details") or {})
        keys = {name, str(details.get("ref", ""))}
        if wanted and not keys & set(wanted):
            continue
        picked |= keys
        reason = _not_for_mteb(name, details)
        if reason:
            skipped.append({"name": name, "reason": reason})
        elif row.get("status", "ok") == "ok":
            models.append(_from_details(name, details, row))
        else:  # failed locally (often out of memory): worth running on the bigger machine
            fresh, why = models_from_refs([str(details.get("ref") or name)])
            models += [
                replace(m, prompts_from=f"catalog/model config (failed in the trial: {row.get('error')})")
                for m in fresh
            ]
            skipped += why
    fresh, why = models_from_refs([w for w in wanted if w not in picked])
    return models + fresh, skipped + why


def models_from_refs(refs: Sequence[str]) -> tuple[list[ExportModel], list[dict[str, str]]]:
    """Models the user named (not from a trial): prompts and normalisation as a trial would resolve them."""
    models, skipped = [], []
    for ref in refs:
        try:
            mref = resolve_model(ref)
        except ValueError as exc:
            raise TrialInputError(f"--model {ref}: {exc}") from None
        details = {**mref.describe(), "ref": ref}
        reason = _not_for_mteb(mref.name, details)
        if reason:
            skipped.append({"name": mref.name, "reason": reason})
            continue
        model = _from_details(mref.name, details, {"perf": {"max_tokens": mref.max_tokens}})
        models.append(replace(model, prompts_from="catalog/model config (not run in a local trial)"))
    return models, skipped


def _not_for_mteb(name: str, details: dict[str, Any]) -> str | None:
    kind = details.get("kind")
    if kind == "bm25":
        return "BM25 runs in embedscout itself; mteb would tokenise and score it differently"
    if kind == "hybrid":
        return "hybrid fusion is embedscout's; export its dense model with -m to run that part"
    if kind == "api":
        return "API models stay with `embedscout trial` (keys, --max-usd); see docs/scale.md for servers"
    if "#int8" in str(details.get("identity", "")) or name.endswith("(int8)"):
        return "int8 ONNX variant: mteb runs the fp32 weights (its fp32 row is exported)"
    return None


def _from_details(name: str, details: dict[str, Any], row: dict[str, Any]) -> ExportModel:
    path = details.get("path") or name
    local = Path(str(path)).expanduser().is_dir()
    identity = str(details.get("identity") or "")
    revision = identity.rsplit("@", 1)[1] if not local and "@" in identity else None
    hub_like = "/" in name and not Path(name).expanduser().exists()
    max_tokens = (row.get("perf") or {}).get("max_tokens")
    return ExportModel(
        name=name,
        load=str(path),
        hf_id=None if local and not hub_like else (name if local else str(path)),
        revision=revision,
        query_prompt=details.get("query_prompt"),
        passage_prompt=details.get("passage_prompt"),
        normalize=bool(details.get("normalize", True)),
        max_tokens=int(max_tokens) if max_tokens else None,
        prompts_from="the trial",
        trial_metrics=dict(row.get("metrics") or {}),
        trial_setup={k: details.get(k) for k in ("backend", "precision", "device") if details.get(k)},
    )


def trial_loader(
    dataset: dict[str, Any], settings: dict[str, Any], *, queries: str | None = None, qrels: str | None = None
) -> Loader:
    """The loader call that rebuilds a saved trial's dataset (TrialInputError when it cannot be rebuilt)."""
    origin = str(dataset.get("query_origin", ""))
    if origin.startswith("llm:"):
        raise TrialInputError(
            f"the trial's queries were written by {origin[4:]} and are not stored: export from --corpus "
            "with a queries file instead"
        )
    demo = dataset.get("format") == "demo"
    if not demo and not dataset.get("source"):
        raise TrialInputError("the trial does not record where its documents came from: use --corpus")
    queries = queries or dataset.get("queries_file")
    if origin == "user" and not queries:
        raise TrialInputError(
            "the trial used your own queries file: pass it again with --queries (and --qrels)"
        )
    return corpus_loader(
        None if demo else str(dataset["source"]),
        queries,
        qrels or dataset.get("qrels_file"),
        demo=demo,
        chunk_tokens=dataset.get("chunk_tokens"),
        chunk_overlap=int(dataset.get("chunk_overlap") or 0),
        sample=dataset.get("sample"),
        seed=int(dataset.get("seed") or 0),
        synthetic=settings.get("synthetic") or "auto",
    )


def load_views(load: Loader, *, expected: str | None, full: bool = False) -> tuple[Dataset, Dataset]:
    """(what the trial ranked, what mteb gets). Chunks scored by their document (MaxP) cannot be an mteb
    task, so those trials export whole documents; `full` drops the sample. `expected` is the trial's
    fingerprint: reloaded data that differs is refused."""
    trial_view = load()
    found = trial_view.info.get("fingerprint")
    if expected and found != expected:
        raise TrialInputError(
            f"the documents at {trial_view.info.get('source', 'the source')} changed since the trial "
            f"(fingerprint {str(found)[:12]}, trial {expected[:12]}): export with --corpus to take them as is"
        )
    overrides: dict[str, Any] = {}
    if trial_view.qrels_level == "parent":
        overrides["chunk_tokens"] = None
    if full:
        overrides["sample"] = None
    return trial_view, (load(**overrides) if overrides else trial_view)


def corpus_loader(
    corpus: str | None,
    queries: str | None = None,
    qrels: str | None = None,
    *,
    demo: bool = False,
    chunk_tokens: int | None = 256,
    chunk_overlap: int = 32,
    sample: int | None = None,
    seed: int = 0,
    synthetic: str | None = "auto",
) -> Loader:
    """The loader for data given directly (as `embedscout trial` reads it), for an export without a trial."""
    from evaluators import datasets

    kwargs: dict[str, Any] = {
        "chunk_tokens": chunk_tokens or None,
        "chunk_overlap": chunk_overlap if chunk_tokens else 0,
        "sample": sample,
        "seed": seed,
        "synthetic": None if (synthetic or "").lower() == "none" else synthetic,
    }
    if demo:
        return partial(datasets.load_demo, **kwargs)
    if not corpus:
        raise TrialInputError("give --corpus PATH (or --demo)")
    return partial(datasets.load_dataset, corpus, queries, qrels, **kwargs)
