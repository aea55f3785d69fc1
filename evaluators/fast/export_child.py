"""Run the one-time ONNX export in a child process, so torch never enters the trial's process.

Importing torch and loading the model for export costs ~1 GB of RSS that a process never returns; in a child
it is returned when the child exits, and the trial process holds only ONNX Runtime (MiniLM: 1.47 GB peak
in-process vs well under 800 MB this way). The child publishes the export as `export.export_model` does;
the parent reads the manifest. `python -m evaluators.fast.export_child ARGS_JSON` is the child's entry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from evaluators.fast.errors import FastPathUnavailable

TIMEOUT_S = 3600
"""A very large model on a slow laptop still exports well within this; a hung child is then stopped."""


def export_in_child(
    model_path: str, *, revision: str | None, content_hash: str, export_dir: Path, threads: int | None
) -> dict[str, Any]:
    """Export (and verify) in a fresh interpreter; returns the published manifest with `export_run` added
    (child wall seconds and peak RSS). Raises FastPathUnavailable with the child's reason on failure."""
    from evaluators.fast.stconfig import read_manifest

    args = {
        "model_path": model_path,
        "revision": revision,
        "content_hash": content_hash,
        "export_dir": str(export_dir),
        "threads": threads,
    }
    root = str(Path(__file__).resolve().parents[2])  # this checkout's packages, not an installed copy
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "evaluators.fast.export_child", json.dumps(args)],
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise FastPathUnavailable(f"ONNX export took over {TIMEOUT_S} s and was stopped") from None
    manifest = read_manifest(export_dir)
    report = _last_json(proc.stdout)
    if manifest is None:
        reason = report.get("error") or (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise FastPathUnavailable(f"ONNX export failed in its child process: {reason[:300]}")
    return {
        **manifest,
        "export_run": {
            "process": "child",
            "wall_s": round(time.perf_counter() - started, 2),
            "peak_rss_mb": report.get("peak_rss_mb"),
        },
    }


def _last_json(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        try:
            return dict(json.loads(line))
        except (ValueError, TypeError):
            continue
    return {}


def _peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)  # bytes on macOS, KiB on Linux


def main(argv: list[str]) -> int:
    from evaluators.fast.export import export_model
    from evaluators.fast.stconfig import read_st_config, resolve_model_dir

    args = json.loads(argv[0])
    error = None
    try:
        model_dir, _ = resolve_model_dir(args["model_path"])
        export_model(
            args["model_path"],
            read_st_config(model_dir),
            revision=args["revision"],
            content_hash=args["content_hash"],
            export_dir=Path(args["export_dir"]),
            threads=args["threads"],
        )
    except FastPathUnavailable as exc:  # a refused export is cached by export_model; the parent reads it
        error = str(exc)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"error": error, "peak_rss_mb": _peak_rss_mb()}))
    return 0 if error is None else 3


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
