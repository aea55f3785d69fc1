"""What a user waits for in a real terminal (issue #15): the app runs on a pty (120x40), a key is written to
it, and the time is taken until the terminal has received the frame that shows the key's effect.

`bench_tui.py` times the same actions through Textual's Pilot, which also waits for the app to go idle
(~90 ms for a key bound to nothing on this machine); this bench has no test driver in between: the figure is
key written -> last byte of the redraw read back (the redraw ends when the terminal receives nothing more for
QUIET seconds; that quiet wait is not counted). Sort: `s` on the shortlist until its status line names the
new order. Filter: `/` focuses the filter, then `q` (a few models left) and backspace (all back) in turn, each
until the redraw ends. Screen switch:
F2-F6 in turn until the redraw ends. Cursor blinking is off (TEXTUAL_ANIMATIONS=none) so it sends no bytes.

Run: `python bench/bench_tui_pty.py [--runs 20]`. Prints the CPU, its flags and the load average.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
QUIET = 0.15
LAUNCH = "from tui.app import EmbedscoutApp; EmbedscoutApp(start='shortlist').run()"
FKEYS = {"F4": b"\x1bOS", "F5": b"\x1b[15~", "F6": b"\x1b[17~", "F2": b"\x1bOQ", "F3": b"\x1bOR"}
"""From the shortlist: Trial, Decide, History, Questions, Shortlist, and round again (as bench_tui.py)."""
SORT_NAMES = ("score", "benchmark value", "dims", "max tokens", "size/price", "name")


def _plain(data: bytes) -> str:
    return re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", data).decode("utf-8", "replace")


class Terminal:
    """The app on a pty: write keys, read what it draws."""

    def __init__(self, home: Path) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
        env.update(PYTHONPATH=str(ROOT), EMBEDSCOUT_HOME=str(home), TEXTUAL_ANIMATIONS="none")
        self.proc = subprocess.Popen([sys.executable, "-c", LAUNCH], cwd=ROOT, stdin=slave, stdout=slave,
                                     stderr=slave, env=env, start_new_session=True)  # fmt: skip
        os.close(slave)
        self.master = master

    def read_until(self, text: str | None, timeout: float = 60.0) -> float:
        """Read until `text` has arrived (None: anything) and then QUIET seconds pass with nothing more;
        the time of the last byte read."""
        seen, last, started = b"", 0.0, time.perf_counter()
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([self.master], [], [], 0.005)
            now = time.perf_counter()
            if ready:
                seen += os.read(self.master, 1 << 20)
                last = now
            elif last and (text is None or text in _plain(seen)) and now - last >= QUIET:
                return last
        raise RuntimeError(f"{text!r} not seen in {timeout} s; got {_plain(seen)[-300:]!r}")

    def press(self, key: bytes, text: str | None = None) -> float:
        self.read_until(None, 0.3) if self._pending() else None
        sent = time.perf_counter()
        os.write(self.master, key)
        return self.read_until(text) - sent

    def _pending(self) -> bool:
        return bool(select.select([self.master], [], [], 0)[0])

    def close(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        os.close(self.master)


def _ms(values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]
    return f"p50 {statistics.median(values) * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms (n={len(values)})"


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    from bench_backends import machine

    facts = machine()
    print(f"machine: {facts['cpu']}; flags: {', '.join(facts['cpu_flags_notable'])}; {facts['cores']} cores")
    with tempfile.TemporaryDirectory() as home:
        term = Terminal(Path(home))
        try:
            term.read_until("sort: score")  # the ranking is drawn
            term.read_until(None, 1.0)
            times: dict[str, list[float]] = {"sort": [], "filter: q": [], "filter: backspace": [],
                                             "screen switch": []}  # fmt: skip
            for i in range(args.runs):
                times["sort"].append(term.press(b"s", f"sort: {SORT_NAMES[(i + 1) % len(SORT_NAMES)]}"))
            for _ in range(len(SORT_NAMES) - args.runs % len(SORT_NAMES)):
                term.press(b"s")  # back to the ranking's own order
            term.press(b"/")
            for i in range(args.runs):
                if i % 2 == 0:
                    times["filter: q"].append(term.press(b"q"))  # a few models left
                else:
                    times["filter: backspace"].append(term.press(b"\x7f"))  # all back
            term.press(b"\x1b")
            for i in range(args.runs):
                times["screen switch"].append(term.press(list(FKEYS.values())[i % len(FKEYS)]))
        finally:
            term.close()
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")
    for name, values in times.items():
        print(f"{name:<18} {_ms(values)}")


if __name__ == "__main__":
    main()
