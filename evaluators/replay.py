"""Replaying an unchanged trial: the finished result of a trial kept under `<cache dir>/trials/`, keyed by
everything that decides its numbers, so running the same trial again answers at once (issue 18: a cached
re-run in <= 0.4 s; computing it again from cached vectors costs ~1 s here, most of it importing numpy,
which alone takes ~0.27 s to load on a 2-core AMD EPYC).

The key: the dataset's content (documents, chunks, questions, labels and chunking options), the trial's
settings, each model's identity (a local folder's weights mtime, the Hugging Face commit in the local cache),
the stamp of any model or reranker given as a path, the embedscout code that computes a result (catalog,
evaluators, tui/workflow: every file's size and mtime), the installed inference and search libraries, the
CPU and the environment variables the trial reads. Every metric, interval and test in a trial is a
deterministic function of those (seeded resampling, cached vectors), so a replay gives what a re-run would.
Only complete trials whose every row is ok are kept: a failure may be fixed by something outside the key (a
key set, a server up). A replayed result says so (`environment["replayed"]`); `--no-cache` runs it again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from evaluators.dataset_cache import file_stats, write_text_atomic
from evaluators.ingest.view_cache import dataset_key
from evaluators.types import Dataset, ModelResult, PhaseEvent, PhaseFn, TrialResult

FORMAT = 1
FOLDER = "trials"
_CODE = ("catalog", "evaluators", "tui/workflow")
"""What computes a result (tui/cli and tui/app only show it)."""
LIBRARIES = (
    "numpy", "scipy", "bm25s", "Stemmer", "jieba", "onnxruntime", "openvino", "torch", "transformers",
    "sentence_transformers", "tokenizers", "tiktoken", "huggingface_hub", "sqlite_utils",
)  # fmt: skip
"""Whose version can change a vector, a ranking or a statistic (each stamped by its __init__ file)."""
_NOT_SETTINGS = ("should_stop", "etas")
"""run_trial arguments that do not change a result: the stop poll, estimates made beforehand."""
REPLAY_NOTE = (
    "Unchanged since the trial of {when} UTC (same documents, questions, models, settings and embedscout): "
    "its result is shown again, nothing recomputed; 'embedscout trial --no-cache' measures again."
)
_ENV_PREFIXES = ("EMBEDSCOUT_", "OMP_", "MKL_", "OPENBLAS_", "HF_", "OLLAMA_", "TIKTOKEN_", "CUDA_")
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD")
"""Variables with these in their name are never read into the key (a key's value is not a setting)."""


def trial_key(dataset: Dataset, settings: dict[str, Any], model_refs: Sequence[str]) -> str | None:
    """The replay key of a trial of `model_refs` over `dataset` with `settings`; None when a model does not
    resolve (the trial itself then says why)."""
    from evaluators.models import resolve_model

    reranker = settings.get("rerank")
    refs = [*model_refs, *([reranker] if isinstance(reranker, str) and reranker else [])]
    try:  # the reranker's too: its scores are computed on every run, from weights that may have changed
        identities = [resolve_model(ref).identity for ref in refs]
    except ValueError:
        return None
    paths = refs
    parts = {
        "format": FORMAT,
        "dataset": dataset_key(dataset),
        "settings": settings,
        "models": identities,
        "paths": [file_stats(Path(p)) for p in paths if isinstance(p, str) and p and os.path.exists(p)],
        "code": _code_stamp(),
        "libraries": {name: _library_stamp(name) for name in LIBRARIES},
        "cpu": _cpu(),
        "env": {k: v for k, v in sorted(os.environ.items()) if _setting(k)},
    }
    raw = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def read_trial(cache_dir: Path, key: str) -> TrialResult | None:
    """The kept result for `key`, marked as replayed, or None (none kept, damaged, or another format)."""
    file = Path(cache_dir) / FOLDER / f"{key}.json"
    try:
        data = json.loads(file.read_text("utf-8"))
        if data.get("format") != FORMAT:
            return None
        result = TrialResult.from_dict(data["result"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged: run the trial
    result.environment = {**result.environment, "replayed": {"kept_at": data.get("kept_at"), "key": key}}
    return result


def keep_trial(cache_dir: Path, key: str, result: TrialResult) -> bool:
    """Keep `result` for replay when it is complete and every row is ok; True when kept."""
    if not result.complete or not result.results or any(r.status != "ok" for r in result.results):
        return False
    kept_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = json.dumps({"format": FORMAT, "kept_at": kept_at, "result": result.to_dict()}, default=str)
    write_text_atomic(Path(cache_dir) / FOLDER / f"{key}.json", text)
    return True


def _code_stamp() -> list[tuple[str, int, int]]:
    root = Path(__file__).resolve().parent.parent
    out = []
    for name in _CODE:
        out += [(p, s, m) for p, s, m in file_stats(root / name) if p.endswith((".py", ".json", ".toml"))]
    return out


def _library_stamp(name: str) -> tuple[str, int, int] | None:
    """(path, size, mtime) of a package's __init__ (or module) file: an upgrade rewrites it. No import."""
    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.has_location or not spec.origin:
        return None
    try:
        stat = os.stat(spec.origin)
    except OSError:
        return None
    return (spec.origin, stat.st_size, stat.st_mtime_ns)


def _cpu() -> dict[str, Any]:
    """The machine the backends adapt to: architecture, cores, and the CPU's model and flags."""
    from evaluators.hardware import cpu_info

    name, flags = cpu_info()
    return {"machine": os.uname().machine, "cpus": os.cpu_count(), "model": name, "flags": sorted(flags)}


def _setting(name: str) -> bool:
    return name.startswith(_ENV_PREFIXES) and not any(word in name for word in _SECRET_WORDS)


def run_or_replay(
    dataset: Dataset,
    model_refs: Sequence[str],
    *,
    cache_dir: str | Path | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    on_model_done: Callable[[ModelResult], None] | None = None,
    on_phase: PhaseFn | None = None,
    **options: Any,
) -> TrialResult:
    """`evaluators.runner.run_trial` with the same arguments, or, when an identical trial was kept in
    `cache_dir`, its result: the same events are sent (a 'replay' phase, each row's progress and row)."""
    settings = {k: v for k, v in options.items() if k not in _NOT_SETTINGS}
    key = trial_key(dataset, settings, model_refs) if cache_dir is not None else None
    kept = read_trial(Path(cache_dir), key) if cache_dir is not None and key else None
    if kept is not None:
        when = kept.environment["replayed"]["kept_at"]
        if on_phase:
            on_phase(PhaseEvent("", "replay", REPLAY_NOTE.format(when=str(when)[:16].replace("T", " "))))
        for row in kept.results:
            n = int(row.details.get("n_units") or 1)
            if on_progress:
                on_progress(row.model, n, n)
            if on_model_done:
                on_model_done(row)
        return kept
    from evaluators.runner import run_trial

    result = run_trial(dataset, model_refs, cache_dir=cache_dir, on_progress=on_progress,
                       on_model_done=on_model_done, on_phase=on_phase, **options)  # fmt: skip
    if cache_dir is not None and key:
        keep_trial(Path(cache_dir), key, result)
    return result
