"""Run a `TrialPlan` in the terminal: `execute` in a worker thread, rich progress bars on stderr (made at the
first progress event: a replayed trial imports no rich), the workflow's notes as stderr lines, and Ctrl-C
asking the trial to stop after the current batch.

With `save`, a `LiveRecord` files the trial as it runs (each row as its model finishes).
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from tui.workflow.errors import UserError, user_error
from tui.workflow.execute import TrialEvents, execute
from tui.workflow.plan import TrialPlan
from tui.workflow.recording import LiveRecord
from tui.workflow.services import Services

if TYPE_CHECKING:
    from evaluators.types import TrialResult


@dataclass(frozen=True)
class ConsoleOutcome:
    result: TrialResult
    interrupted: bool
    """The user pressed Ctrl-C: finished models are kept, the rest never ran."""
    saved_line: str | None = None


def run_in_console(
    plan: TrialPlan,
    services: Services,
    *,
    save: bool = False,
    decision: int | None = None,
    title: str | None = None,
) -> ConsoleOutcome:
    """Run `plan` in a worker thread so Ctrl-C in the main thread can ask it to stop between batches."""
    record = LiveRecord(plan, services, decision=decision, title=title) if save else None
    stop, finished = threading.Event(), threading.Event()
    box: dict[str, Any] = {}
    bars = _Bars()

    def on_phase(event: Any) -> None:  # the estimates first, then one-time costs named while they run
        if event.phase in ("estimate", "replay"):
            bars.replaying |= event.phase == "replay"  # a kept result: its rows need no bars
            bars.line(f"Estimate {event.model}: {event.text}" if event.model else event.text)
        elif event.phase in ("download", "export", "verify"):
            bars.update(event.model, description=f"{event.model}: {event.text}")

    saving: dict[str, Any] = {"dataset_ready": record.begin, "model_done": record.add} if record else {}
    events = TrialEvents(
        note=bars.line,
        progress=lambda model, done, total: bars.update(model, completed=done, total=total),
        should_stop=stop.is_set,
        phase=on_phase,
        **saving,
    )

    def work() -> None:
        try:
            box["result"] = execute(plan, events=events, services=services)
        except BaseException as exc:  # re-raised in the main thread, where the group reports it
            box["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=work, name="embedscout-trial", daemon=True).start()
    try:
        interrupted = wait(finished, stop, bars)
    finally:
        bars.close()
    if "error" in box:
        error = box["error"]
        if user_error(error) is None and isinstance(error, Exception):
            raise UserError(f"trial failed: {error}") from error
        raise error
    result: TrialResult = box["result"]
    for warning in record.warnings if record is not None else []:
        click.echo(f"embedscout: warning: {warning}", err=True)
    return ConsoleOutcome(result, interrupted, record.finish(result) if record is not None else None)


class _Bars:
    """rich progress bars on stderr, made at the first progress event: a replayed trial (nothing runs) and
    its lines never import rich (~35 ms of a cached re-run's 0.4 s budget)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self.replaying = False

    def line(self, text: str, colour: str | None = None) -> None:
        """A plain line on stderr, above the bars when they are drawn."""
        with self._lock:
            if self._progress is None:
                click.secho(text, err=True, fg=colour)
            else:
                console = self._progress.console
                console.print(text, style=colour, highlight=False, markup=False, soft_wrap=True)

    def update(self, model: str, **fields: Any) -> None:
        if self.replaying:
            return
        with self._lock:
            progress = self._progress or self._start()
            if model not in self._tasks:
                self._tasks[model] = progress.add_task(model, total=fields.get("total"))
            fields.setdefault("description", model)
            progress.update(self._tasks[model], **fields)

    def _start(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self._progress = Progress(*columns, console=Console(stderr=True), transient=False)
        self._progress.start()
        return self._progress

    def close(self) -> None:
        with self._lock:
            if self._progress is not None:
                self._progress.stop()


def wait(finished: threading.Event, stop: threading.Event, bars: _Bars) -> bool:
    """Wait for the worker; the first Ctrl-C asks it to stop after the current batch, a second one aborts.

    Waits on an Event, not Thread.join: a KeyboardInterrupt inside join() can leave the thread looking dead
    (is_alive() False) while it still runs, and the process would then exit under a running torch thread.
    """
    try:
        while not finished.wait(0.2):
            pass
        return False
    except KeyboardInterrupt:
        stop.set()
        bars.line("Stopping after the current batch (Ctrl-C again to abort)...", "yellow")
    try:
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        # Exit at once: interpreter shutdown under a thread still inside torch aborts with a C++ error.
        bars.line("embedscout: interrupted")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    return True
