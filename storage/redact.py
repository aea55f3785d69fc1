"""Make values safe to store: secrets out, JSON-clean numbers in.

Every JSON value and text the journal writes passes through `clean()`, so an API key that leaks into an
error message, an environment dict or a settings blob, or a password inside a model URL, is never written
to the database or an export.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from enum import Enum
from pathlib import PurePath
from typing import Any

from evaluators.urls import strip_credentials

REDACTED = "[redacted]"
SECRET_ENV_SUFFIXES = ("_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
"""An environment variable whose name ends in one of these holds a secret: its value is never stored."""
_SECRET_FIELD = re.compile(
    r"(?i)^(.*[_\- ])?(api[_\- ]?key|secret|password|passwd|token|access[_\- ]?token|authorization)$"
)
"""Keys whose value is a credential by name (api_key, hf_token, Authorization), not n_tokens or tokenizer."""
_MIN_SECRET_LEN = 6
"""Shorter env values ('1', 'true') are flags, not secrets; replacing them would mangle ordinary text."""


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of secret-named environment variables, longest first (so overlapping ones redact fully)."""
    env = os.environ if environ is None else environ
    found = {
        value
        for name, value in env.items()
        if name.upper().endswith(SECRET_ENV_SUFFIXES) and len(value) >= _MIN_SECRET_LEN
    }
    return sorted(found, key=len, reverse=True)


def redact_text(text: str, secrets: list[str] | None = None) -> str:
    """`text` with every secret value replaced by '[redacted]' and every URL's user name and password by
    '***' (`http://user:secret@host` -> `http://***@host`); unchanged (same object) when none occur."""
    for secret in secret_values() if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return strip_credentials(text)


def clean(value: Any, secrets: list[str] | None = None) -> Any:
    """A JSON-ready copy: secrets redacted, tuples as lists, non-finite floats as None, enums as values."""
    secrets = secret_values() if secrets is None else secrets
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Enum):
        return clean(value.value, secrets)
    if isinstance(value, PurePath):
        return redact_text(str(value), secrets)
    if isinstance(value, Mapping):
        return {
            str(k): (REDACTED if _is_secret_field(str(k), v) else clean(v, secrets)) for k, v in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [clean(v, secrets) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return clean(asdict(value), secrets)
    if hasattr(value, "tolist"):  # numpy scalars and arrays, without importing numpy
        return clean(value.tolist(), secrets)
    return redact_text(str(value), secrets)


def _is_secret_field(name: str, value: Any) -> bool:
    return bool(_SECRET_FIELD.match(name)) and isinstance(value, str) and value != ""
