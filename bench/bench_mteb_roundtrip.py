"""The scale-out round trip as a benchmark: local trial -> export-task -> run_mteb.py -> import-results.

Each step runs as a fresh process, as a user would run it, with its wall time; the summary compares the
imported nDCG@10 with the local trial's and the corpus encoding speed of both. Written for issue 17's GPU
check: on a machine with a CUDA GPU run

    python bench/bench_mteb_roundtrip.py --device cuda --results      # writes bench/RESULTS_mteb.md

It needs a Python with embedscout's `local` and `scale` extras and a CUDA build of torch, and nothing from
the network: the data is the bundled demo (or --corpus, a BEIR folder), the model the packaged MiniLM (or
--model, a local sentence-transformers folder). `--device cpu` runs the same steps on a laptop (slow).
bench/RESULTS.md is regenerated wholesale by bench_backends.py, hence the separate RESULTS_mteb.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "mteb_roundtrip"


def step(name: str, cmd: list[str], env: dict[str, str], timeout: int) -> tuple[str, float]:
    """Run one command; its stdout and wall seconds (a failure stops the benchmark with its output)."""
    print(f"[bench] {name}: {' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    secs = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(
            f"[bench] {name} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    print(f"[bench] {name}: {secs:.1f} s", flush=True)
    return done.stdout, secs


def run(args: argparse.Namespace) -> dict[str, Any]:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    env = {
        **os.environ,
        "EMBEDSCOUT_HOME": str(OUT / "home"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "MTEB_CACHE": str(OUT / "mteb-cache"),
        "PYTHONPATH": str(ROOT),
    }
    cli = [sys.executable, "-m", "tui"]
    data = ["--corpus", args.corpus] if args.corpus else ["--demo"]
    sample = ["--sample", str(args.sample)] if args.sample else []
    trial_out, trial_s = step(
        "local trial",
        [
            *cli,
            "trial",
            *data,
            *sample,
            "--chunk-tokens",
            "0",
            "-m",
            args.model,
            "--backend",
            "torch",
            "--no-cache",
            "--save",
            "--json",
        ],
        env,
        3600,
    )
    local = json.loads(trial_out)
    _, export_s = step("export-task", [*cli, "export-task", "1", "-o", str(OUT / "task")], env, 3600)
    runner = [
        sys.executable,
        str(OUT / "task" / "run_mteb.py"),
        "--device",
        args.device,
        "--dtype",
        args.dtype,
        "--label",
        args.label,
        "--batch-size",
        str(args.batch_size),
    ]
    _, runner_s = step("run_mteb.py", runner, env, 7200)
    imported_out, import_s = step(
        "import-results", [*cli, "import-results", str(OUT / "task" / "mteb-results"), "--json"], env, 600
    )
    imported = json.loads(imported_out)
    record = json.loads((OUT / "task" / "mteb-results" / "embedscout_run.json").read_text("utf-8"))
    row = next(r for r in local["results"] if r.get("status") == "ok")
    mteb_row = imported["results"][0]
    stored = _stored_row(env, imported["trial_id"])
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "data": args.corpus or "bundled demo (SQuAD 2.0 sample, CC BY-SA 4.0)",
        "n_docs": local["dataset"]["n_docs"],
        "n_queries": local["dataset"].get("n_queries_evaluated", local["dataset"]["n_queries"]),
        "model": row["model"],
        "local": {
            "ndcg@10": row["ndcg@10"],
            "device": row["details"].get("device"),
            "precision": row["details"].get("precision"),
            "docs_per_s": row.get("docs_per_s"),
        },
        "mteb": {
            "ndcg@10": mteb_row["ndcg@10"],
            "docs_per_s": stored["perf"].get("docs_per_s"),
            "eval_s": stored["perf"].get("eval_s"),
            "load_s": stored["perf"].get("load_s"),
        },
        "abs_diff": abs(mteb_row["ndcg@10"] - row["ndcg@10"]),
        "wall_s": {"trial": trial_s, "export": export_s, "runner": runner_s, "import": import_s},
        "machine": record["machine"],
        "packages": record["packages"],
        "settings": record["settings"],
        "host_cpu": platform.processor() or platform.machine(),
    }


def _stored_row(env: dict[str, str], trial_id: int) -> dict[str, Any]:
    code = (
        "import json,sys; from storage import store; "
        f"t = store.get_trial(store.open_db(), {trial_id}); print(json.dumps(t.results[0]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return dict(json.loads(out.stdout))


def markdown(r: dict[str, Any]) -> str:
    m, loc, mt, w, st, pk = r["machine"], r["local"], r["mteb"], r["wall_s"], r["settings"], r["packages"]
    gpu = ", ".join(m.get("gpus") or []) or "no GPU"
    rows = [
        (
            "nDCG@10",
            f"{loc['ndcg@10']:.6f} ({loc.get('device')}, {loc.get('precision')})",
            f"{mt['ndcg@10']:.6f}",
        ),
        ("abs difference (target <= 1e-3)", f"{r['abs_diff']:.1e}", ""),
        ("documents encoded per second", _num(loc.get("docs_per_s")), f"{_num(mt.get('docs_per_s'))} (*)"),
        ("wall time of the step", f"trial {w['trial']:.1f} s", f"runner {w['runner']:.1f} s"),
        (
            "of which model load / mteb evaluation",
            "",
            f"{_num(mt.get('load_s'))} s / {_num(mt.get('eval_s'))} s",
        ),
        ("export-task / import-results", f"{w['export']:.1f} s", f"{w['import']:.1f} s"),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    return f"""# Scale-out round trip (issue 17): local trial vs mteb

Measured {r["date"]} on {m["label"]} ({gpu}; CPU {r["host_cpu"]}; {m["os"]}).
Runner: device {st["device"]}, {st["dtype"]}, batch {st["batch_size"]}; mteb {pk.get("mteb")},
torch {pk.get("torch")}, sentence-transformers {pk.get("sentence-transformers")}.
Data: {r["data"]}, {r["n_docs"]} documents, {r["n_queries"]} queries, no chunking. Model: {r["model"]}.
Reproduce: `python bench/bench_mteb_roundtrip.py --device {st["device"]} --results`.

| Measure | Local trial (embedscout) | mteb via run_mteb.py |
|---|---|---|
{table}

(*) mteb's 'Searching corpus' phase: encoding every document plus the exact search. Wall times include
process start-up and imports (mteb's import alone takes 10-20 s); each step ran once.
"""


def _num(value: Any) -> str:
    return f"{value:,.1f}" if isinstance(value, (int, float)) else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda", help="cuda (the point of it) or cpu")
    ap.add_argument("--dtype", default="float32", choices=("float32", "float16", "bfloat16"))
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--corpus", help="a BEIR folder (default: the bundled demo)")
    ap.add_argument("--sample", type=int, help="keep N documents")
    ap.add_argument("--model", default="minilm", help="minilm or a local sentence-transformers folder")
    ap.add_argument("--label", default=platform.node() or "bench", help="machine name in the journal")
    ap.add_argument("--results", action="store_true", help="write bench/RESULTS_mteb.md")
    args = ap.parse_args(argv)
    report = run(args)
    (OUT / "summary.json").write_text(json.dumps(report, indent=2), "utf-8")
    text = markdown(report)
    print(text)
    if args.results:
        (ROOT / "bench" / "RESULTS_mteb.md").write_text(text, "utf-8")
    return 0 if report["abs_diff"] <= 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
