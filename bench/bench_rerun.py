"""How long a cached re-run of `embedscout trial` takes (issue 18: <= 0.4 s), as fresh processes.

Three ways to run the same trial a second time, interleaved round by round so the shared machine's load hits
them alike: `replay` (nothing changed: the kept result, evaluators/replay.py), `recompute` (the kept result
removed first: every row computed again from the embeddings cache, the BM25 run cache and the cached chunk
views), and, with `--before DIR` (a checkout of an older commit, e.g. `git worktree add /tmp/before REV`),
that checkout's own cached re-run. Also `python -c pass` and `import numpy` for the floor of any Python run.
Each command runs once first to fill its caches (separate EMBEDSCOUT_HOME per checkout). Prints the machine
(CPU, flags, load) and per command the median, min and max wall and CPU seconds.

Run: `python bench/bench_rerun.py [--rounds 7] [--before DIR] [--corpus tests/data/squad_en] [-m bm25 -m ...]`
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall s, CPU s) of one fresh process; CPU from the children's rusage."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr[-600:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def machine_line() -> str:
    from evaluators.hardware import cpu_info, environment

    name, _ = cpu_info()
    env = environment()
    flags = ", ".join(env["cpu_flags"]) or "none of the notable ones"
    return f"{name}; flags: {flags}; {env['cpu_cores']} cores; {env['ram_gb']} GB RAM"


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", type=Path, help="an older checkout to time alongside")
    parser.add_argument("--corpus", help="corpus folder (default: the bundled demo)")
    parser.add_argument("-m", "--model", dest="models", action="append", help="model refs (default: minilm)")
    args = parser.parse_args()
    data = ["--corpus", args.corpus] if args.corpus else ["--demo"]
    trial = ["-m", "tui", "trial", *data, "--json"]
    for ref in args.models or ["minilm"]:
        trial += ["-m", ref]
    tmp = Path(tempfile.mkdtemp(prefix="bench-rerun-"))
    base = {**os.environ, "HF_HUB_OFFLINE": "1"}
    envs = {"after": {**base, "EMBEDSCOUT_HOME": str(tmp / "after"), "PYTHONPATH": str(ROOT)}}
    cwds = {"after": ROOT}
    if args.before:
        envs["before"] = {**base, "EMBEDSCOUT_HOME": str(tmp / "before"), "PYTHONPATH": str(args.before)}
        cwds["before"] = args.before.resolve()
    py = sys.executable
    commands = {
        "python -c pass": ([py, "-c", "pass"], "after"),
        "python -c 'import numpy'": ([py, "-c", "import numpy"], "after"),
        "replay (nothing changed)": ([py, *trial], "after"),
        "recompute from caches": ([py, *trial], "after"),
        **({"before: cached re-run": ([py, *trial], "before")} if args.before else {}),
    }
    print("machine:", machine_line())
    print("command: embedscout", " ".join(trial[2:]), f"({args.rounds} rounds, interleaved)")
    for side in envs:
        timed([py, *trial], envs[side], cwds[side])  # fill the caches once
    kept = tmp / "after" / "cache" / "replay-off"
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    load = [os.getloadavg()[0]]
    try:
        for _ in range(args.rounds):
            for name, (cmd, side) in commands.items():
                if name == "recompute from caches":  # hide the kept results for this one run
                    shutil.move(str(tmp / "after" / "cache" / "trials"), kept)
                try:
                    times[name].append(timed(cmd, envs[side], cwds[side]))
                finally:
                    if name == "recompute from caches":
                        shutil.rmtree(tmp / "after" / "cache" / "trials", ignore_errors=True)
                        shutil.move(str(kept), tmp / "after" / "cache" / "trials")
            load.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average (1 min) during the run: {min(load):.2f}-{max(load):.2f}")
    for name, runs in times.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"{name:<28} wall median {statistics.median(walls):.3f} s [{min(walls):.3f}-{max(walls):.3f}]  "
            f"CPU median {statistics.median(cpus):.3f} s  (n={len(runs)})"
        )


if __name__ == "__main__":
    main()
