"""Shared base for the assistant's screens: typed access to the App's draft and services, a hook that
re-renders whenever the draft is replaced, and palette entries for every shown binding."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from tui.app.shell import EmbedscoutApp
    from tui.workflow.draft import DecisionDraft
    from tui.workflow.services import Services


class AppScreen(Screen[None]):
    """A screen of EmbedscoutApp (cast instead of a getter: tui.app imports the screens lazily)."""

    @property
    def es_app(self) -> EmbedscoutApp:
        return cast("EmbedscoutApp", self.app)

    @property
    def draft(self) -> DecisionDraft:
        return self.es_app.draft

    @draft.setter
    def draft(self, value: DecisionDraft) -> None:
        self.es_app.draft = value

    @property
    def services(self) -> Services:
        return self.es_app.services

    def on_mount(self) -> None:
        self.watch(self.app, "draft", self._draft_changed, init=False)
        self.render_draft()

    def on_screen_resume(self) -> None:
        self.render_draft()

    def _draft_changed(self) -> None:
        self.render_draft()

    def render_draft(self) -> None:
        """Show what the draft says now (every screen that shows part of it overrides this)."""

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
