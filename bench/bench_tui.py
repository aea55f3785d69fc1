"""How fast the TUI answers (issue #15 targets): a sort or filter on the shortlist (<= 100 ms), a screen
switch (F2-F6, p95 <= 150 ms) and the first screen (<= 0.5 s). Run: `python bench/bench_tui.py [--runs N]`.

Sort, filter and switches run in one headless app (Textual's pilot, 120x40) on the real catalog and ranking,
with a throw-away EMBEDSCOUT_HOME; each time is from the key press until the screen has handled it and
repainted. The first screen is bench_startup's: a real pty, interpreter start included. Numbers are
benchmarks, not tests: on a shared machine report ratios from one run (the old sort path is timed alongside).
Each line ends with the same action's cost in a bare Textual app (bench/tui_floor.py) in the same run: the
floor no change to embedscout can go below.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

NOTABLE_FLAGS = (
    *("avx", "avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16"),
    *("neon", "asimd", "sve"),
)
SCREENS = ("f3", "f4", "f5", "f6", "f2")
"""A round trip over the five screens (Shortlist, Trial, Decide, History, Questions)."""


def _ms(values: list[float]) -> str:
    cut = statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]
    return f"p50 {statistics.median(values) * 1e3:.0f} ms, p95 {cut * 1e3:.0f} ms (n={len(values)})"


async def _timed(pilot: Any, *keys: str) -> float:
    started = time.perf_counter()
    await pilot.press(*keys)
    await pilot.pause()
    return time.perf_counter() - started


async def _measure(runs: int) -> dict[str, list[float]]:
    from tui.app import EmbedscoutApp

    app = EmbedscoutApp(start="shortlist")
    times: dict[str, list[float]] = {"sort": [], "filter": [], "old sort": [], "switch": []}
    async with app.run_test(size=(120, 40)) as pilot:
        while app.draft.recommendation is None:  # the real ranking of the real catalog
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen: Any = app.screen
        models = len(app.draft.recommendation.candidates) + len(app.draft.recommendation.excluded)
        print(f"shortlist: {len(app.draft.recommendation.candidates)} candidates of {models} catalog models")
        for _ in range(runs):
            times["sort"].append(await _timed(pilot, "s"))
        for _ in range(runs):
            started = time.perf_counter()
            screen._render_all()  # what every sort did before: candidates, excluded table and plot
            screen.query_one("QualityPlot").show(screen._shown)
            await pilot.pause()
            times["old sort"].append(time.perf_counter() - started)
        await pilot.press("slash")
        for i in range(runs):
            times["filter"].append(await _timed(pilot, "e" if i % 2 == 0 else "backspace"))
        await pilot.press("escape", "tab")
        for _ in range(max(1, runs // len(SCREENS))):
            for key in SCREENS:
                times["switch"].append(await _timed(pilot, key))
                while app._keys_from == float("inf"):  # until the new screen accepts keys
                    await pilot.pause(0.005)
                times["switch"][-1] = max(times["switch"][-1], 0.0)
    return times


def _cpu() -> str:
    from evaluators.hardware import cpu_info

    name, flags = cpu_info()
    notable = [f for f in NOTABLE_FLAGS if f in flags]
    return f"CPU {name or 'unknown'} ({os.cpu_count()} cores; flags: {', '.join(notable) or 'none of note'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="presses per measure (default 20)")
    parser.add_argument("--first-screen-runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ["EMBEDSCOUT_HOME"] = tempfile.mkdtemp(prefix="bench-tui-")
    print(_cpu())
    print(f"load average {os.getloadavg()[0]:.1f} (a shared machine: compare ratios within one run)")
    times = asyncio.run(_measure(args.runs))
    from tui_floor import measure_floor

    floor = asyncio.run(measure_floor(args.runs, _timed))
    print(f"bare Textual app, a key bound to nothing (the pilot's own wait): {_ms(floor['no-op key'])}")
    print(f"sort (candidates table only): {_ms(times['sort'])}; bare Textual DataTable: {_ms(floor['sort'])}")
    print(f"old sort path (candidates + excluded + plot): {_ms(times['old sort'])}")
    ratio = statistics.median(times["old sort"]) / statistics.median(times["sort"])
    print(f"  -> a sort is {ratio:.1f}x faster than before in this run")
    print(f"filter keystroke: {_ms(times['filter'])}; bare Textual (rows rebuilt): {_ms(floor['filter'])}")
    print(f"screen switch (F2-F6, until keys are accepted): {_ms(times['switch'])}")
    print(f"  bare Textual, 5 screens (Header, one widget, Footer): {_ms(floor['switch'])}")
    from bench_startup import time_to_first_screen

    first = [time_to_first_screen() for _ in range(args.first_screen_runs)]
    print(
        f"first screen (real pty 80x24, interpreter included): median {statistics.median(first):.3f} s, "
        f"best {min(first):.3f} s (n={len(first)})"
    )
    bare_argv = [sys.executable, str(ROOT / "bench" / "tui_floor.py"), "--first-screen"]
    bare = [time_to_first_screen(argv=bare_argv) for _ in range(args.first_screen_runs)]
    print(
        f"  bare Textual app's first screen, same pty: median {statistics.median(bare):.3f} s, "
        f"best {min(bare):.3f} s (n={len(bare)})"
    )


if __name__ == "__main__":
    main()
