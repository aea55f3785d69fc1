"""A modal folder/file browser for the trial's documents; returns the chosen path (or None on escape).

Separate from the trial screen so the same picker can serve the questionnaire's "measure a folder" too.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Label


class PathPickerScreen(ModalScreen[str | None]):
    """Enter on a file picks it; 'Use this folder' picks the highlighted folder; backspace (or 'Up') shows
    the parent folder, so documents outside the starting folder can be reached."""

    CSS_PATH = "path_picker.tcss"
    BINDINGS = [
        Binding("escape", "dismiss_none", "Close"),
        Binding("backspace", "up", "Parent folder"),
    ]

    def __init__(self, root: str | Path | None = None) -> None:
        super().__init__()
        self.root = Path(root or Path.cwd()).resolve()
        self._folder = self.root

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Label(self._title(), id="picker-title")
            yield DirectoryTree(self.root, id="picker-tree")
            with Horizontal(id="picker-buttons"):
                yield Button("↑ Up (backspace)", id="up", compact=True)
                yield Button("Use this folder", id="use-folder", variant="primary", compact=True)
                yield Button("Close", id="close", compact=True)

    def _title(self) -> str:
        return f"Pick documents under {self.root}"

    def action_up(self) -> None:
        """Re-root the tree at the parent folder (nothing happens at the file system's root)."""
        parent = self.root.parent
        if parent == self.root:
            self.app.bell()
            return
        self.root = self._folder = parent
        tree = self.query_one("#picker-tree", DirectoryTree)
        tree.path = parent
        tree.focus()
        self.query_one("#picker-title", Label).update(self._title())

    @on(Button.Pressed, "#up")
    def _on_up(self) -> None:
        self.action_up()

    @on(DirectoryTree.FileSelected)
    def _on_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(str(event.path))

    @on(DirectoryTree.DirectorySelected)
    def _on_folder_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        self._folder = event.path
        self.query_one("#picker-title", Label).update(f"Folder: {event.path}")

    @on(Button.Pressed, "#use-folder")
    def _on_use_folder(self) -> None:
        self.dismiss(str(self._folder))

    @on(Button.Pressed, "#close")
    def action_dismiss_none(self) -> None:
        self.dismiss(None)
