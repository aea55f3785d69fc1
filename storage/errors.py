"""The journal's one error type, apart so that `storage.paths` can raise it without importing the database."""

from __future__ import annotations


class StorageError(Exception):
    """A journal problem worth one line to the user: corrupt file, missing decision, database busy, a data
    folder that cannot be created, a journal from a newer embedscout."""


class DecisionNotFound(StorageError):
    """No decision (or trial) with the given id."""
