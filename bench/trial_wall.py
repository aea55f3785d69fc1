"""Wall time of a full `embedscout trial` vs the peer tool `embedbench` on the same data and model.

Each command runs as a fresh process (what a user waits for), this checkout's code (`python -m tui`) with
bytecode caching on, as an installed package has it. Cold = no embeddings or dataset cache (embedscout keeps
its one-time ONNX export, timed separately as `first_run`); warm = a cached re-run. `embedbench bench` has no
embeddings cache (only its `run` command over a folder of files has one), so its "warm" is a second run right
after the cold one (model files in the OS page cache). Runs are interleaved so machine load hits both tools
alike. embedbench lives in its own venv (see RESULTS.md).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def _timed(cmd: list[str], *, env: dict[str, str], cwd: Path) -> tuple[dict[str, float], str]:
    """({wall_s, cpu_s, peak_rss_mb}, stdout) of one fresh process. CPU from wait4; peak RSS sampled every
    50 ms over the process and its children (wait4's ru_maxrss would start from this benchmark's own RSS,
    inherited at fork)."""
    import threading

    import psutil

    t0 = time.perf_counter()
    peak = [0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        done = threading.Event()

        def sample() -> None:
            try:
                ps = psutil.Process(proc.pid)
                while not done.is_set():
                    rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
                    peak[0] = max(peak[0], rss)
                    done.wait(0.05)
            except psutil.Error:  # the process ended between two samples
                pass

        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {stderr[-800:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak[0] / 2**20}, stdout


def trial_walls(data: Path, model: str, rounds: int, embedbench: Path | None, out: Path,
                reuse_exports: Path | None = None) -> dict[str, Any]:
    """first run (ONNX export), then per round: embedscout cold with a fresh calibration (the estimate from
    the probe alone), cold with the calibration earlier runs left, warm (a cached re-run), and embedbench cold
    and second run. Each figure is median/min/max over rounds; ETA errors come from each cold trial's JSON."""
    from bench.bench_backends import stats

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as installed: .pyc used
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})
    home = out / f"trial-home-{Path(model).name}"
    shutil.rmtree(home, ignore_errors=True)
    if reuse_exports is not None and reuse_exports.is_dir():  # first run then skips the one-time export
        shutil.copytree(reuse_exports, home / "cache" / "onnx")
    es_env = {**env, "EMBEDSCOUT_HOME": str(home)}
    es_cmd = [sys.executable, "-m", "tui", "trial", "--corpus", str(data), "--model", model,
              "--backend", "auto", "--json"]
    res: dict[str, Any] = {"embedscout_cmd": " ".join(["embedscout", *es_cmd[3:]]), "n_docs_dir": data.name,
                           "rss_method": "sampled"}
    first, stdout = _timed(es_cmd, env=es_env, cwd=ROOT)
    res["first_run"] = {**first, **_summary(stdout)}  # nothing cached: includes the one-time export
    runs: dict[str, list[dict[str, float]]] = {}
    eta: dict[str, list[float]] = {"probe": [], "history": []}
    eb_cmd, eb_dir = _embedbench_cmd(embedbench, data, model, out)
    for r in range(rounds):
        for tool in (("es", "eb") if r % 2 == 0 else ("eb", "es")):
            if tool == "es":
                for kind in ("probe", "history"):
                    for sub in ("embeddings", "datasets") + (("calibration",) if kind == "probe" else ()):
                        shutil.rmtree(home / "cache" / sub, ignore_errors=True)
                    got, stdout = _timed(es_cmd, env=es_env, cwd=ROOT)
                    runs.setdefault(f"es_cold_{kind}", []).append(got)
                    err = _summary(stdout).get("eta_encode_error")
                    if err is not None:
                        eta[kind].append(err)
                runs.setdefault("es_warm", []).append(_timed(es_cmd, env=es_env, cwd=ROOT)[0])
            elif eb_cmd is not None:
                shutil.rmtree(eb_dir / ".embedbench_cache", ignore_errors=True)
                runs.setdefault("eb_cold", []).append(_timed(eb_cmd, env=env, cwd=eb_dir)[0])
                runs.setdefault("eb_warm", []).append(_timed(eb_cmd, env=env, cwd=eb_dir)[0])
            print(f"  round {r + 1} {tool}: " + ", ".join(
                f"{k} {v[-1]['wall_s']:.1f}s" for k, v in runs.items() if k.startswith(tool)), flush=True)
    res["last_cold"] = _summary(stdout)
    for key, values in runs.items():
        res[key] = {m: stats([v[m] for v in values]) for m in ("wall_s", "cpu_s", "peak_rss_mb")}
    res["eta_encode_error"] = {k: stats(v) for k, v in eta.items() if v}
    res["eta_encode_error_abs_median"] = {
        k: statistics.median(abs(x) for x in v) for k, v in eta.items() if v}
    if "eb_cold" in runs:
        for kind, es_key in (("cold", "es_cold_history"), ("warm", "es_warm")):
            pairs = [a["wall_s"] / b["wall_s"] for a, b in zip(runs[es_key], runs[f"eb_{kind}"], strict=True)]
            res[f"ratio_{kind}"] = stats(pairs)
        res["embedbench_cmd"] = " ".join(["embedbench", *eb_cmd[1:]]) if eb_cmd else ""
    elif embedbench is not None:
        res["embedbench"] = f"not run: {embedbench} not installed"
    return res


def _embedbench_cmd(embedbench: Path | None, data: Path, model: str,
                    out: Path) -> tuple[list[str] | None, Path]:
    eb_dir = out / "embedbench-run"
    if embedbench is None or not embedbench.exists():
        return None, eb_dir
    eb_dir.mkdir(parents=True, exist_ok=True)
    return [str(embedbench), "bench", "--models", f"hf:{model}", "--dataset",
            str(embedbench_dataset(data, out)), "--output-dir", str(eb_dir / "results"), "--no-plots",
            "--no-progress"], eb_dir


def _summary(stdout: str) -> dict[str, Any]:
    """Backend, precision, threads, nDCG@10, the model's own peak and the ETA record of `trial --json`."""
    try:
        row = json.loads(stdout)["results"][0]
    except (ValueError, KeyError, IndexError):
        return {}
    d, perf = row.get("details", {}), row.get("perf", {})
    eta = d.get("eta") or {}
    return {"ndcg@10": row.get("metrics", {}).get("ndcg@10"), "backend": d.get("backend"),
            "precision": d.get("precision"), "threads": d.get("threads"), "path": eta.get("ran_path"),
            "tokens_per_s": perf.get("tokens_per_s"), "model_peak_mb": perf.get("peak_mem_mb"),
            "process_peak_mb": perf.get("process_peak_mb"), "export_run": d.get("export_run"),
            "eta_estimate_encode_s": (eta.get("estimate") or {}).get("encode_s"),
            "eta_actual_encode_s": (eta.get("actual") or {}).get("encode_s"),
            "eta_basis": (eta.get("estimate") or {}).get("basis"),
            "eta_encode_error": (eta.get("error") or {}).get("encode_s")}
