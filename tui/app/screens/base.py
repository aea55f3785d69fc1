"""Shared base for the assistant's screens: typed access to the App's draft and services, a hook that
re-renders whenever the draft is replaced, palette entries for every shown binding, and the chrome every
screen shares (the screen keys in the header, a compact footer, keys accepted only once it is painted)."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from typing import TYPE_CHECKING, cast

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.types import NoActiveAppError
from textual.widgets import Footer

if TYPE_CHECKING:
    from tui.app.shell import EmbedscoutApp
    from tui.workflow.draft import DecisionDraft
    from tui.workflow.services import Services


class AppScreen(Screen[None]):
    """A screen of EmbedscoutApp (cast instead of a getter: tui.app imports the screens lazily).

    Two Textual defaults are skipped because they redo work for nothing on every screen switch (see
    bench/RESULTS.md, issue #15): a screen built now is marked as styled by the current CSS (Textual
    marks it stale, then restyles every widget of every screen on its first show), and a resumed screen
    is restyled only if the CSS changed while it was away (the theme); widgets keep their own styles
    up to date while their screen is hidden."""

    def __init__(self) -> None:
        super().__init__()
        with suppress(NoActiveAppError):  # built outside a running app: left to Textual
            self._css_update_count = self.app._css_update_count

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
        for footer in self.query(Footer).results(Footer):
            footer.compact = True  # every binding of a screen fits 80 columns (the screens build it so)
        self.render_draft()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler (Textual dispatches down the MRO), which reads this flag.
        if self._css_update_count == self.app._css_update_count:
            event.refresh_styles = False
        self.sub_title = self.app.current_mode  # the header lists the screens and marks this one
        self.render_draft()
        # Keys stamped before now were typed while this screen was built or switched to (meant for the one
        # before): dropped. Marked here, not after a paint, so a key typed once it is shown always counts.
        self.es_app.screen_ready()

    def _draft_changed(self) -> None:
        self.render_draft()

    def render_draft(self) -> None:
        """Show what the draft says now (every screen that shows part of it overrides this)."""

    def palette_commands(self) -> Iterable[SystemCommand]:
        """One palette entry per shown binding of this screen."""
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.show and binding.description:
                action = binding.action
                # The footer's label is kept short for 80 columns; a longer tooltip is the palette's title.
                title = binding.tooltip or binding.description
                yield SystemCommand(
                    title,
                    f"{title} ({binding.key})",
                    # run_action is a coroutine: schedule it rather than leave it un-awaited.
                    lambda a=action: self.call_later(self.run_action, a),  # type: ignore[misc]
                )
