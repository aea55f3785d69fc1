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
        self._aliases: dict[str, str] = {}
        """Resolved model name -> the ref the user ticked (the runner reports 'minilm' by its HF id)."""
        self._done: set[str] = set()
        self._run = 0
        """Bumped per start(): removal is asynchronous, so a new run must not reuse the old row ids."""

    def compose(self) -> ComposeResult:
        yield from ()

    def start(self, refs: list[str]) -> None:
        self.remove_children()
        self._run += 1
        self._ids = {ref: f"progress-{self._run}-{i}" for i, ref in enumerate(refs)}
        self._aliases, self._done = {}, set()
        for ref, wid in self._ids.items():
            self.mount(
                Horizontal(
                    Label(_short(ref), classes="model-name"),
                    ProgressBar(total=None, show_eta=False, id=f"{wid}-bar"),
                    Label("waiting", id=f"{wid}-status", classes="model-status"),
                    id=wid,
                )
            )

    def _row(self, name: str) -> str | None:
        """The row id for a ref or a resolved name; models run in order, so an unknown name is the first
        row that has not finished yet."""
        ref = name if name in self._ids else self._aliases.get(name)
        if ref is None:
            ref = next(
                (r for r in self._ids if r not in self._done and r not in self._aliases.values()), None
            )
            if ref is None:
                return None
            self._aliases[name] = ref
        return self._ids[ref]

    def advance(self, ref: str, done: int, total: int) -> None:
        wid = self._row(ref)
        if wid is None:
            return
        self.query_one(f"#{wid}-bar", ProgressBar).update(total=total, progress=done)
        self.query_one(f"#{wid}-status", Label).update(f"{done:,}/{total:,}")

    def finish(self, ref: str, status: str, name: str | None = None) -> None:
        """Mark `ref` (the ticked ref, or else the reported `name`) finished with `status`."""
        key = ref if ref in self._ids else (name or ref)
        wid = self._row(key)
        if wid is None:
            return
        self._done.add(next(r for r, w in self._ids.items() if w == wid))
        bar = self.query_one(f"#{wid}-bar", ProgressBar)
        if bar.total is None:
            bar.update(total=1, progress=1 if status == "ok" else 0)
        elif status == "ok":
            bar.update(progress=bar.total)
        self.query_one(f"#{wid}-status", Label).update(status)


def _short(ref: str) -> str:
    """The part after the last '/', cut to fit the 28-cell label column with a space to spare."""
    name = ref.rsplit("/", 1)[-1]
    return name if len(name) <= 26 else name[:25] + "…"
