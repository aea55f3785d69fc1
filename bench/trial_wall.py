"""Wall time of a full `embedscout trial` vs the peer tool `embedbench` on the same data and model.

Each command runs as a fresh process (what a user waits for). Cold = no embeddings cache (embedscout keeps
its one-time ONNX export, timed separately as `first_run`); warm = the embeddings cache filled by the previous
run. `embedbench bench` has no embeddings cache (only its `run` command over a folder of files has one), so
its "warm" is a second run right after the cold one (model files in the OS page cache). Runs are
interleaved so machine load hits both tools alike. embedbench lives in its own venv (see RESULTS.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def embedbench_dataset(data: Path, out: Path) -> Path:
    """squad_en as embedbench's JSONL: documents ('title text', as embedscout indexes them) + queries."""
    path = out / f"{data.name}.embedbench.jsonl"
    qrels: dict[str, list[str]] = {}
    for line in (data / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, grade = line.split("\t")
        if int(grade) > 0:
            qrels.setdefault(qid, []).append(did)
    with path.open("w", encoding="utf-8") as fh:
        for line in (data / "corpus.jsonl").open(encoding="utf-8"):
            d = json.loads(line)
            text = f"{d.get('title', '')} {d['text']}".strip()
            fh.write(json.dumps({"type": "document", "doc_id": d["_id"], "text": text}) + "\n")
        for line in (data / "queries.jsonl").open(encoding="utf-8"):
            q = json.loads(line)
            if q["_id"] in qrels:
                fh.write(json.dumps({"type": "query", "query_id": q["_id"], "query": q["text"],
                                     "relevant_doc_ids": qrels[q["_id"]]}) + "\n")
    return path


def subset(data: Path, out: Path, n_docs: int) -> Path:
    """A BEIR folder with the first n_docs documents and only the queries whose relevant docs all survive,
    so both tools see exactly the same corpus and questions."""
    if n_docs <= 0:
        return data
    dst = out / f"{data.name}_{n_docs}"
    dst.mkdir(parents=True, exist_ok=True)
    lines = (data / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[:n_docs]
    keep = {json.loads(line)["_id"] for line in lines}
    (dst / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = (data / "qrels.tsv").read_text(encoding="utf-8").splitlines()
    by_q: dict[str, list[str]] = {}
    for row in rows[1:]:
        by_q.setdefault(row.split("\t")[0], []).append(row)
    good = {q for q, rs in by_q.items() if all(r.split("\t")[1] in keep for r in rs)}
    kept_rows = [rows[0]] + [r for q in by_q if q in good for r in by_q[q]]
    (dst / "qrels.tsv").write_text("\n".join(kept_rows) + "\n", encoding="utf-8")
    queries = [q for q in (data / "queries.jsonl").read_text(encoding="utf-8").splitlines()
               if json.loads(q)["_id"] in good]
    (dst / "queries.jsonl").write_text("\n".join(queries) + "\n", encoding="utf-8")
    return dst


def _timed(cmd: list[str], *, env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-800:]}")
    return wall, proc


def trial_walls(data: Path, model: str, rounds: int, embedbench: Path, out: Path) -> dict[str, Any]:
    """Seconds: first_run_s, es_cold/es_warm, eb_cold/eb_warm, ratio_cold/ratio_warm (median/min/max)."""
    from bench.bench_backends import stats

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    home = out / "trial-home"
    shutil.rmtree(home, ignore_errors=True)
    es_env = {**env, "EMBEDSCOUT_HOME": str(home)}
    es_cmd = [str(ROOT / ".venv" / "bin" / "embedscout"), "trial", "--corpus", str(data), "--model", "minilm",
              "--backend", "auto", "--json"]
    eb_dir = out / "embedbench-run"
    eb_dir.mkdir(parents=True, exist_ok=True)
    eb_cmd = [str(embedbench), "bench", "--models", f"hf:{model}", "--dataset",
              str(embedbench_dataset(data, out)), "--output-dir", str(eb_dir / "results"), "--no-plots",
              "--no-progress"]
    res: dict[str, Any] = {"embedscout_cmd": " ".join(es_cmd[1:]), "embedbench_cmd": " ".join(eb_cmd[1:])}
    first, proc = _timed(es_cmd, env=es_env, cwd=ROOT)
    res["first_run_s"] = first  # nothing cached: includes the one-time ONNX export + verification
    res["embedscout_result"] = _summary(proc.stdout)
    walls: dict[str, list[float]] = {k: [] for k in ("es_cold", "es_warm", "eb_cold", "eb_warm")}
    have_eb = embedbench.exists()
    for r in range(rounds):
        for tool in (("es", "eb") if r % 2 == 0 else ("eb", "es")):
            if tool == "es":
                shutil.rmtree(home / "cache" / "embeddings", ignore_errors=True)
                walls["es_cold"].append(_timed(es_cmd, env=es_env, cwd=ROOT)[0])
                walls["es_warm"].append(_timed(es_cmd, env=es_env, cwd=ROOT)[0])
            elif have_eb:
                shutil.rmtree(eb_dir / ".embedbench_cache", ignore_errors=True)
                walls["eb_cold"].append(_timed(eb_cmd, env=env, cwd=eb_dir)[0])
                walls["eb_warm"].append(_timed(eb_cmd, env=env, cwd=eb_dir)[0])
            print(f"  round {r + 1} {tool}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in walls.items()
                                                         if v and k.startswith(tool)), flush=True)
    res.update({k: stats(v) for k, v in walls.items() if v})
    if have_eb:
        for kind in ("cold", "warm"):
            pairs = [a / b for a, b in zip(walls[f"es_{kind}"], walls[f"eb_{kind}"], strict=True)]
            res[f"ratio_{kind}"] = stats(pairs)
    else:
        res["embedbench"] = f"pending: {embedbench} not installed"
    return res


def _summary(stdout: str) -> dict[str, Any]:
    """Backend, precision, threads and nDCG@10 of the MiniLM row of `embedscout trial --json`."""
    try:
        row = json.loads(stdout)["results"][0]
    except (ValueError, KeyError, IndexError):
        return {}
    d = row.get("details", {})
    return {"ndcg@10": row.get("metrics", {}).get("ndcg@10"), "backend": d.get("backend"),
            "precision": d.get("precision"), "threads": d.get("threads"),
            "tokens_per_s": row.get("perf", {}).get("tokens_per_s")}
