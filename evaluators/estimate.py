"""How long and how much memory each model of a trial will take here, said before it runs.

`estimate_trial(dataset, model_refs, calibration)` is pure arithmetic over: the texts still to encode (the
embeddings cache is consulted), their token counts (the model's own tokenizer when its folder is local, else
1.3 tokens a word), the model's size (its config.json: layers, hidden and FFN sizes, window; else the
catalog's parameter count), and this machine's `Calibration` (a ~0.3 s fp32 GEMM probe, cached per hardware
fingerprint, plus what earlier trials measured here, which replaces the arithmetic once known).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evaluators.estimate_model import Arch, count_tokens, model_arch, path_costs
from evaluators.precision import HardwareFacts, PrecisionPath, fingerprint, plan, probe_facts
from evaluators.types import Dataset

CAL_VERSION = 1
PROBE_BUDGET_S = 0.3


@dataclass(frozen=True)
class Calibration:
    """This machine: fp32 GEMM rate from the probe, and per (model, path) figures earlier trials measured."""

    facts: HardwareFacts
    gflops: float
    """fp32 matrix-multiply rate of this CPU (numpy, [256 x 384] x [384 x 1536], best of the probe)."""
    measured: dict[str, dict[str, float]] = field(default_factory=dict)
    """'<model identity>|<path key>' -> tokens_per_s, load_s, peak_mb of the last trial that encoded here."""
    cache_file: Path | None = None


@dataclass(frozen=True)
class Estimate:
    """One model's expected cost on this sample and machine (None: not knowable before the run)."""

    model: str
    path: str
    """Planned engine-device-precision (e.g. onnx-cpu-fp32)."""
    n_texts: int
    """Passages and queries still to encode (cache hits excluded)."""
    n_tokens: int
    load_s: float | None
    encode_s: float | None
    peak_mb: float | None
    first_run: tuple[str, ...] = ()
    """One-time costs this run will pay first (download, ONNX export, precision check), each with its size."""
    first_run_s: float = 0.0
    basis: str = ""

    @property
    def total_s(self) -> float | None:
        if self.encode_s is None:
            return None
        return (self.load_s or 0.0) + self.encode_s + self.first_run_s

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "first_run": list(self.first_run), "total_s": self.total_s}

    def text(self) -> str:
        """'~12 s (load 0.4 s, encode 11 s: 330 texts, ~45k tokens), peak ~250 MB; first run: ...'."""
        if self.n_texts == 0 and not self.first_run:
            return "cached: nothing to encode"
        if self.total_s is None:
            return f"unknown ({self.basis})"
        parts = (
            f"~{_secs(self.total_s)} (load {_secs(self.load_s or 0)}, encode {_secs(self.encode_s or 0)}: "
            f"{self.n_texts:,} texts, ~{_k(self.n_tokens)} tokens)"
        )
        if self.peak_mb is not None:
            parts += f", peak ~{self.peak_mb:,.0f} MB"
        if self.first_run:
            parts += "; first run: " + ", ".join(self.first_run)
        return parts


def _secs(s: float) -> str:
    if s < 0.1:
        return "<0.1 s"
    return f"{s:.1f} s" if s < 10 else (f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min")


def _k(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def calibrate(cache_dir: str | Path | None, facts: HardwareFacts | None = None) -> Calibration:
    """The cached calibration of this machine, or a fresh ~0.3 s probe (then cached). Without a cache dir
    (`trial --no-cache` turns off the embeddings cache only) it lives where the ONNX exports do."""
    facts = facts or probe_facts()
    if not cache_dir:
        from evaluators.fast import _default_cache_dir

        cache_dir = _default_cache_dir()
    file = Path(cache_dir) / "calibration" / f"{fingerprint(facts)}.json"
    data = _read(file)
    if data.get("version") != CAL_VERSION or not data.get("gflops"):
        data = {
            "version": CAL_VERSION,
            "gflops": gemm_gflops(),
            "measured": data.get("measured", {}),
            "probed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        _write(file, data)
    return Calibration(facts, float(data["gflops"]), dict(data.get("measured", {})), file)


def gemm_gflops(budget_s: float = PROBE_BUDGET_S) -> float:
    """Best fp32 GEMM rate over ~budget_s at a transformer layer's shape (256 tokens x 384 -> 1536), run by
    ONNX Runtime with the encoder's own thread settings (numpy's OpenBLAS when onnxruntime is missing; its
    spinning threads measure a fraction of the machine when other work shares the cores)."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.random((256, 384), dtype=np.float32)
    b = rng.random((384, 1536), dtype=np.float32)
    flops = 2 * 256 * 384 * 1536
    try:
        run = _ort_matmul(b)
    except Exception:  # onnx/onnxruntime missing or broken: numpy's BLAS is the next best measure

        def run(x: Any) -> Any:
            return np.matmul(x, b)

    run(a)  # thread-pool start-up is not part of the rate
    best, t_end = float("inf"), time.perf_counter() + budget_s
    while time.perf_counter() < t_end:
        t0 = time.perf_counter()
        for _ in range(4):
            run(a)
        best = min(best, (time.perf_counter() - t0) / 4)
    return round(flops / best / 1e9, 2)


def _ort_matmul(weight: Any) -> Any:
    from onnx import TensorProto, helper, numpy_helper

    from evaluators.fast.onnx_encoder import make_session_from_bytes

    k, n = weight.shape
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["A", "W"], ["Y"])],
        "gemm",
        [helper.make_tensor_value_info("A", TensorProto.FLOAT, ["m", k])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["m", n])],
        [numpy_helper.from_array(weight, "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    session = make_session_from_bytes(model.SerializeToString())
    return lambda x: session.run(None, {"A": x})


def record_actual(cal: Calibration, identity: str, path: str, perf: Mapping[str, float | None]) -> None:
    """Keep what a trial measured (tokens/s, load, peak) so the next estimate for this model uses it."""
    if cal.cache_file is None or not perf.get("tokens_per_s"):
        return
    data = _read(cal.cache_file) or {"version": CAL_VERSION, "gflops": cal.gflops}
    keep = {k: float(v) for k in ("tokens_per_s", "load_s", "peak_mem_mb") if (v := perf.get(k)) is not None}
    data.setdefault("measured", {})[f"{identity}|{path}"] = keep
    _write(cal.cache_file, data)


def _read(file: Path | None) -> dict[str, Any]:
    try:
        return dict(json.loads(file.read_text("utf-8"))) if file else {}
    except (OSError, ValueError):
        return {}


def _write(file: Path | None, data: dict[str, Any]) -> None:
    if file is None:
        return
    from evaluators.fast.stconfig import write_json_atomic

    file.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(file, data)


def estimate_trial(
    dataset: Dataset,
    model_refs: Sequence[str],
    calibration: Calibration | None = None,
    *,
    cache_dir: str | Path | None = None,
    backend: str = "auto",
) -> list[Estimate]:
    """One Estimate per model reference, in order (a reference that does not resolve gets an unknown one)."""
    from evaluators.models import resolve_model

    units = _Units(dataset, cache_dir)
    queries = [q.text for q in dataset.queries if dataset.qrels.get(q.id)]
    memo: dict[str, Calibration] = {"cal": calibration} if calibration else {}

    def cal() -> Calibration:  # probed only when some model has texts to encode (not on a cached re-run)
        if "cal" not in memo:
            memo["cal"] = calibrate(cache_dir)
        return memo["cal"]

    out = []
    for ref in model_refs:
        try:
            mref = resolve_model(ref)
        except ValueError as exc:
            out.append(Estimate(str(ref), "", 0, 0, None, None, None, basis=str(exc)))
            continue
        out.append(_estimate(mref, units.of(mref), queries, cal, cache_dir, backend))
    return out


class _Units:
    """The passages each model will encode: its own cut of the corpus (evaluators.ingest.model_chunking; the
    trial reuses the same cut), or the dataset's chunks when a cut cannot be made."""

    def __init__(self, dataset: Dataset, cache_dir: str | Path | None = None) -> None:
        self.dataset, self.cache_dir = dataset, cache_dir
        self._plain: list[str] | None = None

    def plain(self) -> list[str]:
        if self._plain is None:
            from evaluators.ingest.model_chunking import passage_text

            self._plain = [passage_text(d) for d in self.dataset.corpus]
        return self._plain

    def of(self, mref: Any) -> list[str]:
        from evaluators.ingest.views import shared_views

        part = mref.parts[0] if mref.kind == "hybrid" else mref
        try:
            views = shared_views(self.dataset, self.cache_dir)
            view = views.regex(None) if part.kind == "bm25" else views.for_model(part, None)
        except Exception:  # a tokenizer that will not load: the run will say so; estimate from the chunks
            return self.plain()
        return list(view.texts)


def _estimate(
    mref: Any,
    texts: list[str],
    queries: list[str],
    get_cal: Callable[[], Calibration],
    cache_dir: str | Path | None,
    backend: str,
) -> Estimate:
    if mref.kind == "bm25":
        n_tok = sum(len(t.split()) for t in texts)
        return Estimate(
            mref.name, "bm25s", len(texts), n_tok, 0.0, n_tok / 2e6, None, basis="BM25 indexing (~2M words/s)"
        )
    if mref.kind == "hybrid":
        dense = _estimate(mref.parts[0], texts, queries, get_cal, cache_dir, backend)
        return Estimate(
            mref.name,
            dense.path,
            dense.n_texts,
            dense.n_tokens,
            dense.load_s,
            dense.encode_s,
            dense.peak_mb,
            dense.first_run,
            dense.first_run_s,
            dense.basis + " (+ BM25)",
        )
    if mref.kind != "dense":
        return Estimate(
            mref.name,
            "api",
            len(texts) + len(queries),
            0,
            None,
            None,
            None,
            basis="API model: depends on the network and the provider's rate limits",
        )
    todo = _misses(mref, texts, queries, cache_dir)
    if not todo:
        return Estimate(
            mref.name, "cached", 0, 0, 0.0, 0.0, None, basis="every text is in the embeddings cache"
        )
    cal = get_cal()
    path, pending = _planned_path(mref, cal, cache_dir, backend)
    arch = model_arch(mref)
    lengths = count_tokens(mref, todo, arch)
    return _from_costs(mref, path, pending, arch, lengths, cal, cache_dir)


def _from_costs(
    mref: Any,
    path: PrecisionPath,
    pending: list[str],
    arch: Arch | None,
    lengths: list[int],
    cal: Calibration,
    cache_dir: str | Path | None,
) -> Estimate:
    seen = cal.measured.get(f"{mref.identity}|{path.key}")
    costs = path_costs(mref, path, arch, lengths, cal.gflops, seen, cache_dir)
    first = tuple(pending) + costs.first_run
    extra_s = costs.first_run_s + (costs.load_s or 0.0) * len(pending)  # a check loads a second path
    return Estimate(
        mref.name,
        path.key,
        len(lengths),
        sum(lengths),
        costs.load_s,
        costs.encode_s,
        costs.peak_mb,
        first,
        round(extra_s, 2),
        costs.basis,
    )


def _misses(mref: Any, texts: list[str], queries: list[str], cache_dir: str | Path | None) -> list[str]:
    """The passages and queries the embeddings cache does not hold (all of them without a cache)."""
    if not cache_dir:
        return texts + queries
    from evaluators.cache import EmbeddingCache

    out: list[str] = []
    for items, prompt in ((texts, mref.passage_prompt), (queries, mref.query_prompt)):
        _, _, missed = EmbeddingCache(cache_dir, mref.identity, prompt, mref.normalize).lookup(items)
        out += [items[i] for i in missed]
    return out


def _planned_path(
    mref: Any, cal: Calibration, cache_dir: str | Path | None, backend: str
) -> tuple[PrecisionPath, list[str]]:
    """The path auto will most likely run, and a note when a precision check will run first."""
    if backend != "auto":
        engine = "torch" if backend == "torch" else backend
        return PrecisionPath(engine, "cpu", "fp32"), []
    the_plan = plan(cal.facts)
    if not the_plan.candidates:
        return the_plan.fallback, []
    from evaluators.fidelity import VerdictStore

    store = VerdictStore(cache_dir, mref.identity, fingerprint(cal.facts))
    verdicts = [(p, store.get(p)) for p in the_plan.candidates]
    passed = [p for p, v in verdicts if v and v.get("passed")]
    if passed:
        return passed[0], []
    if all(v is not None for _, v in verdicts):
        return the_plan.fallback, []  # every candidate failed before: fp32, no check
    keys = ", ".join(p.key for p, v in verdicts if v is None)
    return the_plan.candidates[0], [f"precision check of {keys} vs fp32"]


def download_note(mref: Any) -> str | None:
    """'downloading <id> (~N MB)' when the weights are neither a local folder nor in the HF cache."""
    from evaluators.estimate_model import needs_download

    size = needs_download(mref)
    if size is None:
        return None
    return f"downloading {mref.path} ({'~' + format(size, ',.0f') + ' MB' if size else 'size unknown'})"
