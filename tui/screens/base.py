"""Shared base for the assistant's screens: typed access to the App's session/services and palette entries.

Every screen's visible bindings become command-palette entries here, so "an entry for each action" holds
without each screen repeating its bindings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from tui.app import EmbedscoutApp
    from tui.services import Services
    from tui.state import Session


class AppScreen(Screen[None]):
    """A screen of EmbedscoutApp (cast instead of a getter: tui.app imports the screens lazily)."""

    @property
    def es_app(self) -> EmbedscoutApp:
        return cast("EmbedscoutApp", self.app)

    @property
    def session(self) -> Session:
        return self.es_app.session

    @property
    def services(self) -> Services:
        return self.es_app.services

    def palette_commands(self) -> Iterable[SystemCommand]:
        """One palette entry per shown binding of this screen."""
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.show and binding.description:
                action = binding.action
                yield SystemCommand(
                    binding.description,
                    f"{binding.description} ({binding.key})",
                    # run_action is a coroutine: schedule it rather than leave it un-awaited.
                    lambda a=action: self.call_later(self.run_action, a),  # type: ignore[misc]
                )
