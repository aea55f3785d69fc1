"""Time from a cold `python` process to the assistant's first screen (target < 1 s), and prove no torch/
transformers were imported on the way. Run: `python bench/bench_startup.py [--runs N]`.

Each run is a fresh interpreter that imports `tui.app`, starts the real app headless (real lazy Services)
and stops as soon as the questionnaire is mounted and painted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "sentence_transformers")

CHILD = r"""
import time
t0 = time.perf_counter()
import asyncio, json, sys
from tui.app import EmbedscoutApp
t_import = time.perf_counter() - t0

async def main():
    app = EmbedscoutApp()
    async with app.run_test(size=(80, 24)) as pilot:
        while type(app.screen).__name__ != "QuestionnaireScreen":
            await pilot.pause(0.005)
        await pilot.pause()
        shown = time.perf_counter() - t0
        heavy = [m for m in %r if m in sys.modules]
    print(json.dumps({"import_s": t_import, "first_screen_s": shown, "heavy": heavy}))

asyncio.run(main())
"""


def one_run() -> dict[str, float | list[str]]:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD % (HEAVY,)], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["process_s"] = time.perf_counter() - started  # includes interpreter start-up and teardown
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    first = statistics.median(float(r["first_screen_s"]) for r in runs)  # type: ignore[arg-type]
    imp = statistics.median(float(r["import_s"]) for r in runs)  # type: ignore[arg-type]
    proc = statistics.median(float(r["process_s"]) for r in runs)  # type: ignore[arg-type]
    heavy = sorted({m for r in runs for m in r["heavy"]})  # type: ignore[union-attr]
    print(f"first screen: {first:.3f} s median of {args.runs} (import tui.app {imp:.3f} s; "
          f"whole process incl. interpreter {proc:.3f} s)")
    print(f"target < 1 s: {'OK' if first < 1.0 else 'MISSED'}; heavy modules loaded: {heavy or 'none'}")
    sys.exit(0 if first < 1.0 and not heavy else 1)


if __name__ == "__main__":
    main()
