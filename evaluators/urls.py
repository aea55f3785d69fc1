"""Credentials inside URLs (`http://user:secret@host/v1`): found, refused in model references, stripped
from anything shown or stored.

A model reference is echoed in tables, error messages, the journal and exports, so a password written into
an `openai-compatible:<model>@<url>` reference would travel everywhere. Keys belong in the environment
(OPENAI_COMPATIBLE_API_KEY, ...); `storage.redact` strips what still slips through before any write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evaluators.types import TrialInputError

HIDDEN = "***@"
"""What replaces the user name and password of a URL."""
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s?#@]*@")
"""scheme:// then userinfo up to the first '@' before any '/', '?' or '#' (RFC 3986 authority)."""


def has_credentials(text: str) -> bool:
    """Whether `text` holds a URL with a user name or password in it."""
    return bool(_USERINFO.search(text))


def strip_credentials(text: str) -> str:
    """`text` with every URL's user name and password replaced by '***'; the same object when none."""
    return _USERINFO.sub(lambda m: m.group(1) + HIDDEN, text) if "@" in text else text


def credentials_message(ref: str) -> str:
    """The one-line refusal for a reference with credentials (the reference itself shown without them)."""
    return (
        f"{strip_credentials(ref)}: the URL holds a user name or password; remove it from the reference and "
        "put the key in the environment instead (OPENAI_COMPATIBLE_API_KEY for openai-compatible:...)"
    )


def refuse_credentials(refs: Iterable[str | None]) -> None:
    """TrialInputError for the first model reference that carries credentials in a URL."""
    for ref in refs:
        if ref and has_credentials(ref):
            raise TrialInputError(credentials_message(ref))
