"""One progress bar per model in a running trial, with its status (waiting, encoding, checks, ok, failed).

The runner reports by resolved model name; this maps names back to the ticked refs. Two names are special:
'checks: <model>' (the deeper checks after a model's retrieval run) updates that model's status, and
'<model> (int8)' (the opt-in int8 variant) gets a row of its own under its fp32 model.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, ProgressBar

CHECKS_PREFIX = "checks: "
INT8_SUFFIX = " (int8)"


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
        self._aliases: dict[str, str] = {}
        """Resolved model name -> the ref the user ticked (the runner reports 'minilm' by its HF id)."""
        self._done: set[str] = set()
        self._rows: dict[str, tuple[Horizontal, ProgressBar, Label]] = {}
        """Row id -> (row, bar, status): kept, since a row mounted a moment ago cannot be queried yet."""
        self._run = 0
        """Bumped per start(): removal is asynchronous, so a new run must not reuse the old row ids."""

    def compose(self) -> ComposeResult:
        yield from ()

    def start(self, refs: list[str]) -> None:
        self.remove_children()
        self._run += 1
        self._ids = {}
        self._aliases, self._done, self._rows = {}, set(), {}
        for ref in refs:
            self._add_row(ref)

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
        _, bar, label = self._rows[wid]
        bar.update(total=total, progress=done)
        label.update(f"{done:,}/{total:,}")

    def finish(self, ref: str, status: str, name: str | None = None) -> None:
        """Mark `ref` (the ticked ref, or else the reported `name`) finished with `status`."""
        if name and name.endswith(INT8_SUFFIX):  # the variant shares its model's ref: go by its name
            ref = name
        key = ref if ref in self._ids else (name or ref)
        wid = self._row(key)
        if wid is None:
            return
        self._done.add(next(r for r, w in self._ids.items() if w == wid))
        _, bar, label = self._rows[wid]
        if bar.total is None:
            bar.update(total=1, progress=1 if status == "ok" else 0)
        elif status == "ok":
            bar.update(progress=bar.total)
        label.update(status)

    def stop_waiting(self, status: str) -> None:
        """Rows that never finished (the trial stopped or never started) say so instead of 'waiting'."""
        for ref, wid in self._ids.items():
            if ref not in self._done:
                self._rows[wid][2].update(status)


def _short(ref: str) -> str:
    """The part after the last '/', cut to fit the 28-cell label column with a space to spare."""
    name = ref.rsplit("/", 1)[-1]
    return name if len(name) <= 26 else name[:25] + "…"
