"""One side-by-side benchmark of every encoding path this machine has, against sentence-transformers fp32.

Per model (the packaged all-MiniLM-L6-v2; all-mpnet-base-v2 assembled from its PyPI parts by bench/mpnet.py):
texts/s and tokens/s of each path in interleaved rounds (ratios paired per round), min cosine to
sentence-transformers fp32 and the nDCG@10 difference on a SQuAD subset; then `embedscout trial` vs
`embedbench` on the same data (cold and warm wall, CPU, peak RSS) and the ETA error of the estimates. Paths:
ONNX Runtime fp32, OpenVINO (f32 here; bf16 on AMX/AVX512-BF16), torch bf16 autocast (emulated, slow, on a
CPU without native bf16: timed on a few texts only), int8 (opt-in), and CUDA fp16/bf16 or MPS fp16 where a GPU
is present. Not part of the test run. Usage: `.venv/bin/python bench/bench_backends.py [--results]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "squad_en"
OUT = ROOT / "bench" / "out"
EMBEDBENCH = Path("/tmp/embedbench-venv/bin/embedbench")
EMULATED_DOCS = 24
"""Texts for a path the CPU only emulates (bf16 on AVX2): ~100x slower, so a small sample, one round."""


def stats(values: list[float]) -> dict[str, float]:
    """median, min, max (and n) of repeated measurements."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def load_squad(data: Path, n_docs: int) -> tuple[list[str], list[str], list[str], list[str], dict]:
    """(doc ids, 'title text' passages, query ids, query texts, qrels) for the first n_docs documents and the
    questions whose relevant documents are all among them."""
    docs = [json.loads(line) for line in (data / "corpus.jsonl").open(encoding="utf-8")][:n_docs]
    keep = {d["_id"] for d in docs}
    qrels: dict[str, dict[str, int]] = {}
    for line in (data / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, grade = line.split("\t")
        qrels.setdefault(qid, {})[did] = int(grade)
    qrels = {q: r for q, r in qrels.items() if set(r) <= keep}
    queries = [json.loads(line) for line in (data / "queries.jsonl").open(encoding="utf-8")]
    queries = [q for q in queries if q["_id"] in qrels]
    texts = [f"{d.get('title', '')} {d['text']}".strip() for d in docs]
    return [d["_id"] for d in docs], texts, [q["_id"] for q in queries], [q["text"] for q in queries], qrels


def machine() -> dict[str, Any]:
    from evaluators.hardware import cpu_info, environment
    from evaluators.precision import probe_facts, summary

    name, flags = cpu_info()
    env = environment()
    return {
        "cpu": name,
        "cpu_flags_notable": env["cpu_flags"],
        "cpu_flags_all": sorted(flags),
        "cores": env["cpu_cores"],
        "ram_gb": env["ram_gb"],
        "load_avg_start": os.getloadavg(),
        "precision": summary(probe_facts(allow_torch=True)),
        "packages": env["packages"],
    }


def paths_here() -> list[tuple[Any, str]]:
    """(PrecisionPath, note) for every path this machine can run, reference first."""
    from evaluators.hardware import native_bf16
    from evaluators.precision import PrecisionPath, probe_facts

    facts = probe_facts(allow_torch=True)
    out = [
        (PrecisionPath("torch", "cpu", "fp32"), "sentence-transformers fp32 (reference)"),
        (PrecisionPath("onnx", "cpu", "fp32"), "ONNX Runtime fp32 (auto here)"),
    ]
    if "openvino" in facts.engines:
        out.append(
            (PrecisionPath("openvino", "cpu", "bf16"), "OpenVINO, bf16 asked (runs f32 without native bf16)")
        )
    out.append((PrecisionPath("onnx", "cpu", "int8"), "int8 dynamic (opt-in)"))
    bf16_note = "native" if native_bf16(facts.cpu_flags) else "EMULATED: this CPU has no native bf16"
    out.append((PrecisionPath("torch", "cpu", "bf16"), f"torch bf16 autocast ({bf16_note})"))
    if facts.gpu == "cuda":
        out += [(PrecisionPath("torch", "cuda", p), f"CUDA {p}") for p in ("fp32", "fp16", "bf16")]
    elif facts.gpu == "mps":
        out += [(PrecisionPath("torch", "mps", p), f"MPS {p}") for p in ("fp32", "fp16")]
    return out


def bench_model(model: str, label: str, corpus: tuple, rounds: int, cache: Path,
                emulated_ok: bool = True) -> dict[str, Any]:
    """Every path on the same texts: interleaved timed rounds, then fidelity and nDCG@10 vs the reference."""
    from evaluators.engines import load_path
    from evaluators.hardware import native_bf16
    from evaluators.models import resolve_model
    from evaluators.precision import probe_facts

    doc_ids, texts, qids, qtexts, qrels = corpus
    mref = resolve_model(model)
    encoders: dict[str, Any] = {}
    notes: dict[str, str] = {}
    emulated = {"torch-cpu-bf16"} if not native_bf16(probe_facts().cpu_flags) else set()
    for path, note in paths_here():
        if path.key in emulated and not emulated_ok:
            notes[path.key] = f"{note}; not run for this model (emulated: too slow to time here)"
            continue
        try:
            t0 = time.perf_counter()
            encoders[path.key] = load_path(mref, path, cache)
            notes[path.key] = f"{note}; load {time.perf_counter() - t0:.1f} s"
        except Exception as exc:  # a path this machine cannot run is reported, not fatal
            notes[path.key] = f"{note}; unavailable: {type(exc).__name__}: {str(exc)[:160]}"
    tokens = _token_counts(encoders["onnx-cpu-fp32"], texts + qtexts)
    timed: dict[str, list[tuple[float, float]]] = {k: [] for k in encoders}
    vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for r in range(rounds):
        order = list(encoders) if r % 2 == 0 else list(reversed(encoders))
        for key in order:
            if key in emulated and r > 0:
                continue
            n = EMULATED_DOCS if key in emulated else len(texts)
            t0 = time.perf_counter()
            docs = encoders[key].encode_passages(texts[:n])
            qs = encoders[key].encode_queries(qtexts if n == len(texts) else qtexts[:4])
            took = time.perf_counter() - t0
            n_q = len(qtexts) if n == len(texts) else 4
            timed[key].append(((n + n_q) / took, (sum(tokens[:n]) + sum(tokens[len(texts) :][:n_q])) / took))
            vectors[key] = (docs, qs)
            print(f"  {label} round {r + 1} {key}: {timed[key][-1][0]:.1f} texts/s", flush=True)
    return {
        "model": label,
        "path": model,
        "n_docs": len(texts),
        "n_queries": len(qtexts),
        "n_tokens": sum(tokens),
        "notes": notes,
        "emulated": sorted(emulated),
        "paths": _path_rows(timed, vectors, doc_ids, qids, qrels, emulated),
    }


def _token_counts(enc: Any, texts: list[str]) -> list[int]:
    """Tokens each text really feeds the model (truncated at its window), the same count for every path."""
    return [len(ids) for ids in enc.token_ids(texts)]


def _path_rows(
    timed: dict, vectors: dict, doc_ids: list[str], qids: list[str], qrels: dict, emulated: set[str]
) -> dict[str, Any]:
    from evaluators.fast.verify import min_cosine
    from evaluators.metrics import mean_metrics, per_query_metrics
    from evaluators.search import search

    ref_key = "torch-cpu-fp32"
    ref_docs, ref_q = vectors[ref_key]

    def ndcg(docs: np.ndarray, qs: np.ndarray) -> float:
        idx, _ = search(qs, docs, 10)
        ranked = {q: [doc_ids[i] for i in row] for q, row in zip(qids, idx.tolist(), strict=True)}
        return float(mean_metrics(per_query_metrics(ranked, qrels))["ndcg@10"])

    base = ndcg(ref_docs, ref_q)
    rows: dict[str, Any] = {}
    for key, runs in timed.items():
        docs, qs = vectors[key]
        n = len(docs)
        row: dict[str, Any] = {
            "texts_per_s": stats([t for t, _ in runs]),
            "tokens_per_s": stats([k for _, k in runs]),
            "min_cosine": min(min_cosine(ref_docs[:n], docs), min_cosine(ref_q[: len(qs)], qs)),
        }
        if key not in emulated:  # paired with the reference's run in the same round
            ref_runs = timed[ref_key]
            row["speedup"] = stats([a[0] / b[0] for a, b in zip(runs, ref_runs, strict=False)])
            row["ndcg@10"] = ndcg(docs, qs)
            row["ndcg_diff"] = row["ndcg@10"] - base
        else:
            row["speedup"] = stats([runs[0][0] / statistics.median(t for t, _ in timed[ref_key])])
            row["sample"] = f"{n} passages, {len(qs)} queries (emulated path: small sample)"
        rows[key] = row
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--minilm-docs", type=int, default=300)
    ap.add_argument("--mpnet-docs", type=int, default=100)
    ap.add_argument("--mpnet-rounds", type=int, default=None, help="default: --rounds")
    ap.add_argument("--models", default="all-MiniLM-L6-v2,all-mpnet-base-v2", help="comma-separated labels")
    ap.add_argument("--trial-models", default="all-MiniLM-L6-v2,all-mpnet-base-v2")
    ap.add_argument("--mpnet-wheels", type=Path, help="folder of the downloaded part wheels (else installed)")
    ap.add_argument("--trial-rounds", type=int, default=2)
    ap.add_argument("--trial-docs", type=int, default=100, help="documents in the trial-vs-embedbench subset")
    ap.add_argument("--skip-paths", action="store_true")
    ap.add_argument("--skip-trial", action="store_true")
    ap.add_argument("--results", action="store_true", help="write bench/RESULTS.md")
    ap.add_argument("--reuse", type=Path, help="an earlier backends.json whose skipped parts are kept")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bench.mpnet import assemble
    from bench.results_md import render
    from evaluators.models import packaged_minilm_path

    OUT.mkdir(parents=True, exist_ok=True)
    cache = OUT / "cache"
    models = {
        "all-MiniLM-L6-v2": (str(packaged_minilm_path()), args.minilm_docs),
        "all-mpnet-base-v2": (str(assemble(cache, args.mpnet_wheels)), args.mpnet_docs),
    }
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "models": {}}
    if args.reuse:
        old = json.loads(args.reuse.read_text(encoding="utf-8"))
        report.update({k: old[k] for k in ("models", "trial") if k in old})
        report["machine"]["load_avg_start"] = old["machine"]["load_avg_start"]
    if not args.skip_paths:
        for label, (path, n_docs) in models.items():
            if label not in args.models.split(","):
                continue
            minilm = label == "all-MiniLM-L6-v2"
            rounds = args.rounds if minilm or args.mpnet_rounds is None else args.mpnet_rounds
            print(f"{label}: every path on {n_docs} SQuAD documents, {rounds} rounds", flush=True)
            corpus = load_squad(args.data, n_docs)
            report["models"][label] = bench_model(path, label, corpus, rounds, cache, emulated_ok=minilm)
            _save(report)
    if not args.skip_trial:
        from bench.trial_wall import subset, trial_walls

        report["trial"] = dict(report.get("trial") or {})
        for label, (path, n_docs) in models.items():
            if label not in args.trial_models.split(","):
                continue
            minilm = label == "all-MiniLM-L6-v2"
            data = subset(args.data, OUT, args.trial_docs if minilm else n_docs)
            rounds = args.trial_rounds if minilm else 1
            # the peer comparison and the first-export memory are MiniLM's; mpnet reuses its export (time)
            eb, reuse = (EMBEDBENCH, None) if minilm else (None, cache / "onnx")
            print(f"trial wall time, {label} on {data.name}, {rounds} rounds:", flush=True)
            report["trial"][label] = trial_walls(data, path, rounds, eb, OUT, reuse_exports=reuse)
            _save(report)
    report["machine"]["load_avg_end"] = os.getloadavg()
    _save(report)
    text = render(report)
    print(text)
    if args.results:
        (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")
    return 0


def _save(report: dict[str, Any]) -> None:
    (OUT / "backends.json").write_text(json.dumps(report, indent=2, default=float), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
