"""Turn raw file bytes into text: BOMs first, then strict UTF-8, then a charset-normalizer guess
(GB18030, Big5, ...).

Kept apart from file walking so the rule for "binary or unreadable" lives in one place: such files are
skipped and counted by the caller, never fatal.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF = 8192
"""Bytes looked at for NUL/control characters when deciding a file is binary."""
_MAX_CONTROL_SHARE = 0.05
"""Decoded text with more than this share of control characters (not tab/newline/CR/FF) counts as binary."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


class UndecodableError(ValueError):
    """The bytes are binary or in no encoding we can trust; the message is the skip reason."""


def decode_bytes(data: bytes) -> Decoded:
    """Decode `data`, or raise UndecodableError('binary' | 'unknown encoding')."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(name), name)
            except UnicodeDecodeError as exc:
                raise UndecodableError("unknown encoding") from exc
    if b"\x00" in data[:_SNIFF]:
        raise UndecodableError("binary")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    return _checked(*_guess(data))


def _guess(data: bytes) -> tuple[str, str]:
    # Imported here: charset-normalizer is only needed for the rare non-UTF file and costs ~50 ms to import.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise UndecodableError("unknown encoding")
    name = _widen(best.encoding)
    try:
        return data.decode(name), name
    except UnicodeDecodeError as exc:
        raise UndecodableError("unknown encoding") from exc


def _widen(encoding: str) -> str:
    """Prefer the superset codec: GB2312/GBK text is valid GB18030, and Big5 text is valid Big5-HKSCS."""
    low = encoding.lower().replace("-", "_")
    if low in ("gb2312", "gbk", "gb18030"):
        return "gb18030"
    if low in ("big5", "big5hkscs", "big5_hkscs", "cp950"):
        return "big5hkscs"
    return encoding


def _checked(text: str, encoding: str) -> Decoded:
    sample = text[:_SNIFF]
    if sample:
        control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
        if control / len(sample) > _MAX_CONTROL_SHARE:
            raise UndecodableError("binary")
    return Decoded(text=text, encoding=encoding)
