"""A Textual stylesheet that keeps what it parsed while the theme's variables stay the same.

Textual re-parses every CSS source (~40-60 here: each widget type's default CSS and each screen's file)
whenever it refreshes the CSS: at start-up, and each time a screen is shown for the first time. The parse
of a source only depends on its text and the variables, so parsed rules are reused until the variables
(the theme) change. Measured on the 2-core bench machine: see bench/RESULTS.md (issue #15).
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.css.stylesheet import Stylesheet


class KeptParseStylesheet(Stylesheet):
    """`textual.css.stylesheet.Stylesheet` whose `reparse` reuses the parse of unchanged sources."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        # Room for every source at once: Textual's 64 would thrash once the app has more sources than that.
        self._parse_cache = LRUCache(1024)

    def set_variables(self, variables: dict[str, str]) -> None:
        # Textual calls this before every CSS refresh; only a real change (the theme) voids the parses.
        if variables != self._variables:
            super().set_variables(variables)

    def reparse(self) -> None:
        """As Textual's (parse into a fresh stylesheet, keep the old rules if that fails), cache shared."""
        fresh = Stylesheet(variables=self._variables)
        fresh._parse_cache = self._parse_cache
        for read_from, (css, is_defaults, tie_breaker, scope) in self.source.items():
            fresh.add_source(
                css, read_from=read_from, is_default_css=is_defaults, tie_breaker=tie_breaker, scope=scope
            )
        try:
            fresh.parse()
        except Exception:
            self._invalid_css.update(fresh._invalid_css)
            raise
        self._rules = fresh.rules
        self._rules_map = None
        self.source = fresh.source
        self._require_parse = False
