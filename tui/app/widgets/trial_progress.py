"""One progress bar per model in a running trial, with its status (waiting with its estimate, loading,
exporting, checking precision, encoding, searching, checks, ok, failed, stopped at N%), under one status
line: the estimate for the whole trial up front, then what runs now and the time left.

The runner reports by resolved model name; this maps names back to the ticked refs (its estimates come in
the refs' order, which names each ref). Two names are special: 'checks: <model>' (the deeper checks after a
model's retrieval run) updates that model's status, and '<model> (int8)' (the opt-in int8 variant) gets a
row of its own under its fp32 model. The clock and the words are in `tui.workflow.eta` and
`tui.present.trial_progress`.
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Label, ProgressBar

from tui.present import trial_progress as words
from tui.workflow.eta import TrialClock

monotonic = time.monotonic
"""The clock the time left and the elapsed time are read from (tests freeze it for snapshots)."""

CHECKS_PREFIX = "checks: "
INT8_SUFFIX = " (int8)"


class TrialProgress(VerticalScroll):
    """Rows of `label [bar] status`, one per model ref, keyed by a kebab-case id."""

    DEFAULT_CSS = """
    TrialProgress { height: auto; max-height: 7; }
    TrialProgress > Horizontal { height: 1; }
    TrialProgress > #progress-line { width: 1fr; color: $text; text-style: bold; }
    TrialProgress > #progress-line.-stopped { color: $warning; }
    TrialProgress .model-name { width: 26; }
    TrialProgress ProgressBar Bar { width: 24; }
    TrialProgress .model-status { width: 1fr; padding-left: 1; color: $text-muted; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._ids: dict[str, str] = {}
        self._aliases: dict[str, str] = {}
        """Resolved model name -> the ref the user ticked (the runner reports 'minilm' by its HF id)."""
        self._done: set[str] = set()
        self._rows: dict[str, tuple[Horizontal, ProgressBar, Label]] = {}
        """Row id -> (row, bar, status): kept, since a row mounted a moment ago cannot be queried yet."""
        self._run = 0
        """Bumped per start(): removal is asynchronous, so a new run must not reuse the old row ids."""
        self.clock = TrialClock()
        self._line = Label("", id="progress-line")
        self._n_estimates = 0
        self._status: dict[str, str] = {}
        """Ref -> what its row says now (the status line repeats the running model's)."""
        self._started = 0.0
        self._ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        yield self._line

    def start(self, refs: list[str]) -> None:
        for child in list(self.children):
            if child is not self._line:
                child.remove()
        self._run += 1
        self._ids = {}
        self._aliases, self._done, self._rows, self._status = {}, set(), {}, {}
        self._n_estimates = 0
        self.clock.start(refs)
        self._started = monotonic()
        self._line.remove_class("-stopped")
        self.say(words.READING)
        for ref in refs:
            self._add_row(ref)
        if self._ticker is None:
            self._ticker = self.set_interval(1.0, self._tick)
        self._ticker.resume()

    def say(self, line: str) -> None:
        """Put `line` on the status line (over the bars)."""
        self._line.update(line)

    # -- phases and the clock -------------------------------------------------------------------------
    def estimate(self, name: str, text: str, seconds: float | None) -> str | None:
        """The engine's estimate for the next ref in order (`name` is its resolved model name); after the
        last one, the estimate for the whole trial (also returned, for the log)."""
        refs = list(self._ids)
        if not name:  # the engine could not estimate at all: every ref stays unknown
            self.say(f"Estimate: {text}")
            return None
        if self._n_estimates >= len(refs):
            return None
        ref = refs[self._n_estimates]
        self._n_estimates += 1
        if name != ref:
            self._aliases[name] = ref
        self.clock.estimate(ref, seconds)
        self._set_status(ref, f"waiting · ~{words.secs(seconds)}" if seconds is not None else "waiting")
        if self._n_estimates < len(refs):
            return None
        line = words.estimate_line(self.clock.estimates)
        self.say(line)
        return line

    def phase(self, name: str, phase: str) -> None:
        """A model entered `phase` (load, export, verify, download, encode): its row says so."""
        ref = self._ref(name)
        if ref is None:
            return
        self.clock.begin(ref, monotonic())
        self._set_status(ref, words.PHASE_WORDS.get(phase, phase))
        self._tick()

    def _ref(self, name: str) -> str | None:
        wid = self._row(name)
        return next((r for r, w in self._ids.items() if w == wid), None) if wid else None

    def _set_status(self, ref: str, status: str) -> None:
        self._status[ref] = status
        wid = self._ids.get(ref)
        if wid is not None:
            self._rows[wid][2].update(status)

    def _tick(self) -> None:
        """Refresh the status line once a model runs: what it does, the time left, the time spent."""
        current = self.clock.current()
        if current is None:
            return
        now = monotonic()
        left = self.clock.remaining(now)
        self.say(words.running_line(current, self._status.get(current, ""), left, now - self._started))

    def _add_row(self, ref: str, after: str | None = None) -> str:
        wid = f"progress-{self._run}-{len(self._ids)}"
        self._ids[ref] = wid
        bar = ProgressBar(total=None, show_eta=False, id=f"{wid}-bar")
        status = Label("waiting", id=f"{wid}-status", classes="model-status")
        row = Horizontal(Label(_short(ref), classes="model-name"), bar, status, id=wid)
        self._rows[wid] = (row, bar, status)
        self.mount(row, after=self._rows[after][0] if after else None)
        return wid

    def _row(self, name: str) -> str | None:
        """The row id for a ref or a resolved name; models run in order, so an unknown name is the first
        row that has not finished yet. An unknown '<model> (int8)' gets a new row under its model's."""
        ref = name if name in self._ids else self._aliases.get(name)
        if ref is None and name.endswith(INT8_SUFFIX):
            base = self._row(name.removesuffix(INT8_SUFFIX))
            return self._add_row(name, after=base)
        if ref is None:
            ref = next(
                (r for r in self._ids if r not in self._done and r not in self._aliases.values()), None
            )
            if ref is None:
                return None
            self._aliases[name] = ref
        return self._ids[ref]

    def advance(self, ref: str, done: int, total: int) -> None:
        if ref.startswith(CHECKS_PREFIX):  # the model's bar stays full; its status counts the checks
            wid = self._row(ref.removeprefix(CHECKS_PREFIX))
            if wid is not None:
                self._rows[wid][2].update(f"checks {done}/{total}")
            return
        wid = self._row(ref)
        if wid is None:
            return
        _, bar, _ = self._rows[wid]
        bar.update(total=total, progress=done)
        ref = self._ref(ref) or ref
        self.clock.progress(ref, done, total, monotonic())
        self._set_status(ref, words.encoding_status(done, total))

    def finish(self, ref: str, status: str, name: str | None = None) -> None:
        """Mark `ref` (the ticked ref, or else the reported `name`) finished with `status`."""
        if name and name.endswith(INT8_SUFFIX):  # the variant shares its model's ref: go by its name
            ref = name
        key = ref if ref in self._ids else (name or ref)
        wid = self._row(key)
        if wid is None:
            return
        done_ref = next(r for r, w in self._ids.items() if w == wid)
        self._done.add(done_ref)
        self.clock.finish(done_ref, monotonic())
        self._status[done_ref] = status
        _, bar, label = self._rows[wid]
        if bar.total is None:
            bar.update(total=1, progress=1 if status == "ok" else 0)
        elif status == "ok":
            bar.update(progress=bar.total)
        label.update(status)

    def stop_waiting(self, status: str, *, stopped: bool = False) -> str | None:
        """Rows that never finished say so instead of 'waiting': `status` for those that never started;
        with `stopped` (a cancel) the one that was running says where it stopped ('stopped at 50%
        (128/255)'), which is returned for the status line."""
        if self._ticker is not None:
            self._ticker.pause()
        running = self.clock.current() if stopped else None
        at = None
        for ref, wid in self._ids.items():
            if ref in self._done:
                continue
            if ref == running:
                at = f"{words.model_label(ref)} {words.stopped_status(self.clock.stopped_at(ref))}"
                self._rows[wid][2].update(words.stopped_status(self.clock.stopped_at(ref)))
            else:
                self._rows[wid][2].update(status)
        return at

    def stopped(self, line: str) -> None:
        """The status line once a stop is asked for, and after it (styled as a warning; the clock's
        line no longer replaces it)."""
        if self._ticker is not None:
            self._ticker.pause()
        self._line.add_class("-stopped")
        self.say(line)

    def done(self, line: str) -> None:
        self._line.remove_class("-stopped")
        self.say(line)


def _short(ref: str) -> str:
    return words.model_label(ref)
