"""The one user-facing error type: what went wrong and what to do about it.

The core raises many exception classes (bad input, a broken journal, no network); `user_error` translates
them once, here, so the CLI prints one line and the TUI shows one notification for all of them.
"""

from __future__ import annotations

import sys


class UserError(Exception):
    """A problem the user can fix: `message` says what is wrong, `hint` what to do (may be empty)."""

    def __init__(self, message: str, hint: str = "", *, usage: bool = False) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())
        self.hint = hint
        self.usage = usage
        """True when the request itself is malformed (the CLI exits 2, as for a bad flag)."""

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


# (module, class, hint): core errors that are the user's to fix. A class can only have been raised if its
# module is loaded, so looking it up in sys.modules costs nothing and imports nothing.
_KNOWN: tuple[tuple[str, str, str], ...] = (
    ("evaluators.types", "TrialInputError", ""),
    ("storage.db", "StorageError", ""),
    ("catalog.load", "CatalogError", "the catalog did not validate: reinstall embedscout"),
    ("evaluators.api.http", "ApiError", ""),
    ("evaluators.checks._common", "CheckError", ""),
)


def user_error(exc: BaseException) -> UserError | None:
    """The UserError for a known core exception (trial input, journal, catalog, API, checks), else None."""
    if isinstance(exc, UserError):
        return exc
    for module, name, hint in _KNOWN:
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type) and isinstance(exc, cls):
            return UserError(str(exc), hint)
    return None
