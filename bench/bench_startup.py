"""Time from launching `embedscout` to its first screen in a real terminal (target < 1 s), and proof that
no torch/transformers module is imported on the way. Run: `python bench/bench_startup.py [--runs N]`.

Each run starts `python -m tui` on a fresh pseudo-terminal (80x24) and stops the clock when the first
question's text has been written to the terminal, i.e. what a user sees; interpreter start-up is included.
A separate headless run reports which heavy modules were loaded once that screen was up.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "sentence_transformers")
MARKER = b"Question 1 of 7"

HEADLESS = r"""
import asyncio, sys
from tui.app import EmbedscoutApp

async def main():
    app = EmbedscoutApp()
    async with app.run_test(size=(80, 24)) as pilot:
        while type(app.screen).__name__ != "QuestionnaireScreen":
            await pilot.pause(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause()
        print(",".join(m for m in %r if m in sys.modules))

asyncio.run(main())
"""


def time_to_first_screen(
    timeout: float = 30.0, argv: list[str] | None = None, marker: bytes = MARKER
) -> float:
    """Seconds from spawning the app (or `argv`, another program) on a pty until `marker` (the first
    question) is on the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv or [sys.executable, "-m", "tui"],
        cwd=ROOT,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.01)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                # Textual writes cell runs with escapes between words: compare with escapes removed.
                if marker in _plain(seen):
                    return time.perf_counter() - started
        raise RuntimeError(f"first screen not seen within {timeout} s; got {seen[-300:]!r}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        os.close(master)


def _plain(data: bytes) -> bytes:
    import re

    return re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", data)


def heavy_modules_after_start() -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", HEADLESS % (HEAVY,)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    return [m for m in line.split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = [time_to_first_screen() for _ in range(args.runs)]
    median = statistics.median(times)
    heavy = heavy_modules_after_start()
    load = os.getloadavg()[0]
    print(
        f"time to first screen: median {median:.3f} s, best {min(times):.3f} s over {args.runs} runs "
        f"(real pty 80x24, interpreter start included; load average {load:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"target < 1 s: {'OK' if median < 1.0 else 'MISSED'}; "
        f"torch/transformers loaded by then: {', '.join(heavy) or 'none'}"
    )
    sys.exit(0 if median < 1.0 and not heavy else 1)


if __name__ == "__main__":
    main()
