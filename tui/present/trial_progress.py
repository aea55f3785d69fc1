"""The words of a running trial: the estimate up front, the time left, what each model is doing (reading,
loading, exporting once, checking precision, encoding, searching) and where a stopped one stopped.

Plain strings shared by the TUI's progress widget (and any front end that reads `tui.workflow.eta`).
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.present.formats import cut
from tui.present.trial_rows import ResultRow

READING = "Reading documents…"
PHASE_WORDS = {
    "download": "downloading",
    "export": "exporting to ONNX (once)",
    "verify": "checking precision",
    "load": "loading the model",
    "encode": "encoding",
}
"""PhaseEvent.phase -> the short status of a model's row (the event's own text goes to the log)."""


def model_label(ref: str, width: int = 24) -> str:
    """A ref as a progress row names it: the part after the last '/', on at most `width` characters."""
    return cut(ref.rsplit("/", 1)[-1], width)


def secs(seconds: float) -> str:
    """'<1 s', '8 s', '40 s', '2.5 min': rounded the way a person reads an estimate."""
    if seconds < 1:
        return "<1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def estimate_line(estimates: Sequence[tuple[str, float | None]]) -> str:
    """'Estimate: about 40 s for 2 models (bm25 <1 s, all-MiniLM-L6-v2 39 s)'; a model the engine could
    not estimate makes the total unknown, and the line says which."""
    n = len(estimates)
    models = f"{n} model{'s' if n != 1 else ''}"
    each = ", ".join(f"{model_label(ref, 40)} {secs(s) if s is not None else '?'}" for ref, s in estimates)
    unknown = [model_label(ref, 40) for ref, s in estimates if s is None]
    if unknown:
        return f"Estimate for {models}: unknown for {', '.join(unknown)} ({each})"
    total = sum(s for _, s in estimates if s is not None)
    return f"Estimate: about {secs(total)} for {models} ({each})"


def running_line(current: str | None, status: str, left: float | None, elapsed: float) -> str:
    """'all-MiniLM-L6-v2: exporting to ONNX (once per model) · about 25 s left · 12 s elapsed'."""
    parts = []
    if current:
        name = model_label(current, 40)
        parts.append(f"{name}: {status}" if status else name)
    parts.append(f"about {secs(left)} left" if left is not None else "time left unknown")
    parts.append(f"{secs(elapsed)} elapsed")
    return " · ".join(parts)


def encoding_status(done: int, total: int) -> str:
    """A row's status while it encodes; once every text is encoded the queries are searched and timed."""
    if total and done >= total:
        return f"searching ({total:,} encoded)"
    return f"encoding {done:,}/{total:,}"


def stopped_status(at: tuple[int, int] | None) -> str:
    """Where a cancelled model stopped: 'stopped at 50% (128/255)', or before it encoded anything."""
    if at is None:
        return "stopped before encoding"
    done, total = at
    if done >= total:
        return "stopped after encoding, before scoring"
    return f"stopped at {done / total:.0%} ({done:,}/{total:,})"


def kept(rows: Sequence[ResultRow]) -> int:
    """Rows of a stopped trial that finished (ok)."""
    return sum(r.status not in ("cancelled", "failed") for r in rows)


def stopped_line(n_kept: int, at: str | None) -> str:
    """The status line after a cancel: what was kept, and where the running model stopped."""
    line = f"Stopped: {n_kept} finished model{'s' if n_kept != 1 else ''} kept"
    return line + (f"; {at}" if at else "")


Notice = tuple[str, str, str]
"""(severity, title, message) of a notification."""


def outcome_notices(rows: Sequence[ResultRow], *, complete: bool) -> list[Notice]:
    """What to tell the user when a trial ends. 'No embedding model could be loaded' only when every
    embedding model that ran failed: one that was stopped (it loaded) or finished is no failure. A model
    that failed beside others that ran needs no toast: its row says 'failed' and the Details pane why."""
    failed = [r for r in rows if r.status == "failed"]
    dense = [r for r in rows if r.model != "bm25" and r.details.get("kind", "dense") != "bm25"]
    out: list[Notice] = []
    if failed and dense and all(r.status == "failed" for r in dense):
        reasons = "; ".join(f"{r.model}: {r.error}" for r in failed)
        out.append(("error", "Models failed",
                    cut("No embedding model could be loaded (offline, or not installed?): " + reasons, 300)))
    if not complete:
        out.append(("warning", "Trial stopped", f"Stopped; {kept(rows)} finished model(s) kept."))
    return out
