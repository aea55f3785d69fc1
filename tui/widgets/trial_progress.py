"""One progress bar per model in a running trial, with its status (waiting, encoding, ok, failed)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, ProgressBar


class TrialProgress(VerticalScroll):
    """Rows of `label [bar] status`, one per model ref, keyed by a kebab-case id."""

    DEFAULT_CSS = """
    TrialProgress { height: auto; max-height: 6; }
    TrialProgress > Horizontal { height: 1; }
    TrialProgress .model-name { width: 28; }
    TrialProgress .model-status { width: 1fr; padding-left: 1; color: $text-muted; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._ids: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield from ()

    def start(self, refs: list[str]) -> None:
        self.remove_children()
        self._ids = {ref: f"progress-{i}" for i, ref in enumerate(refs)}
        for ref, wid in self._ids.items():
            self.mount(Horizontal(
                Label(ref[-28:], classes="model-name"),
                ProgressBar(total=None, show_eta=False, id=f"{wid}-bar"),
                Label("waiting", id=f"{wid}-status", classes="model-status"),
                id=wid,
            ))

    def advance(self, ref: str, done: int, total: int) -> None:
        wid = self._ids.get(ref)
        if wid is None:
            return
        self.query_one(f"#{wid}-bar", ProgressBar).update(total=total, progress=done)
        self.query_one(f"#{wid}-status", Label).update(f"batch {done}/{total}")

    def finish(self, ref: str, status: str) -> None:
        wid = self._ids.get(ref)
        if wid is None:
            return
        bar = self.query_one(f"#{wid}-bar", ProgressBar)
        if bar.total is None:
            bar.update(total=1, progress=1 if status == "ok" else 0)
        elif status == "ok":
            bar.update(progress=bar.total)
        self.query_one(f"#{wid}-status", Label).update(status)
