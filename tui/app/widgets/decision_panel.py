"""Renders a `tui.present.panels.Panel`: label/value grids that wrap in their own column, model names on
lines of their own, reasons as bullets with a hanging indent. Only layout: the words are the presenter's."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui.present.panels import Entry, Panel, Section


def _grid(entries: list[Entry]) -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    # Labels take their natural width up to 26 columns (a long question wraps), values the rest.
    grid.add_column(style="dim", max_width=26)
    grid.add_column(ratio=1, overflow="fold")
    for entry in entries:
        grid.add_row(entry.label, entry.value)
    return grid


def _bullets(lines: tuple[str, ...], indent: int = 2) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=indent - 1 if indent > 1 else 1, justify="right", style="dim")
    grid.add_column()
    for line in lines:
        grid.add_row("•", line)
    return grid


def section_renderables(section: Section) -> list[RenderableType]:
    out: list[RenderableType] = [Text(section.title, style="bold underline")]
    if section.note:
        out.append(Text(section.note, style="dim italic"))
    plain: list[Entry] = []
    for entry in section.entries:
        if not entry.heading:
            plain.append(entry)
            continue
        if plain:
            out.append(_grid(plain))
            plain = []
        if len(entry.value) <= 20:  # 'score 67.9' stays on the name's line
            out.append(Text.assemble((entry.label, "bold"), (f"  {entry.value}" if entry.value else "", "")))
        else:
            out += [
                Text(entry.label, style="bold", overflow="fold"),
                Padding(Text(entry.value), (0, 0, 0, 2)),
            ]
        if entry.bullets:
            out.append(_bullets(entry.bullets))
    if plain:
        out.append(_grid(plain))
    if section.footnote:
        out.append(Text(section.footnote, style="dim italic"))
    return out


def panel_renderable(panel: Panel, hint: str = "") -> Group:
    parts: list[RenderableType] = [Text(panel.title, style="bold"), Text(panel.subtitle, style="dim")]
    if hint:
        parts.append(Text(hint, style="dim italic"))
    for section in panel.sections:
        parts += [Text(""), *section_renderables(section)]
    return Group(*parts)


class DecisionPanel(Static):
    """A decision laid out for a narrow pane; `show(None, message)` for the empty states."""

    DEFAULT_CSS = """
    DecisionPanel { padding: 0 1; }
    """

    def __init__(self, content: str = "", *, hint: str = "", id: str | None = None) -> None:
        super().__init__(content, id=id)
        self.hint = hint
        """A line under the title saying what the keys do with this decision (History: Enter, e)."""

    def show(self, panel: Panel | None, message: str = "") -> None:
        self.update(panel_renderable(panel, self.hint) if panel is not None else Text(message, style="dim"))
