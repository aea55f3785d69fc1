"""Turn raw file bytes into text: BOMs first, then strict UTF-8, then a charset-normalizer guess
(GB18030, Big5, ...).

Kept apart from file walking so the rule for "binary or unreadable" lives in one place: such files are
skipped and counted by the caller, never fatal.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
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
_SURROGATE = re.compile("[\ud800-\udfff]")
_WESTERN_SYMBOLS = frozenset("€‚ƒ„…†‡ˆ‰‹›‘’“”•–—˜™\xa0¡¢£¤¥¦§¨©ª«¬\xad®¯°±²³´µ¶·¸¹º»¼½¾¿×÷")
"""Non-letters of cp1252 that Western text uses (see `_western`)."""
_NON_ASCII = re.compile("[^\x00-\x7f]")
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_MAX_ACCENTED_SHARE = 0.4
"""In Western European text accented letters are a minority (French ~4%, Portuguese ~6% of letters; short
Portuguese phrases reach ~30%); Cyrillic, Greek or CJK bytes read as cp1252 are nearly all accented."""
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
"""The control characters _MAX_CONTROL_SHARE counts (a regex: a per-character loop cost 0.5 ms a file)."""


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
    western = _western(data)
    if western is not None:
        return western, "cp1252"
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


def _western(data: bytes) -> str | None:
    """`data` decoded as cp1252 when that reads as Western European text, else None.

    charset-normalizer cannot tell the single-byte code pages apart on short or mostly-ASCII text (every one
    decodes "naïve" without a mess) and ranks them arbitrarily: Latin-1 came back as cp1250 ("naďve",
    "seńor") or cp1006, and typographic quotes and € as cp437. cp1252 (a superset of Latin-1's letters) is
    by far the most common, so it is tried first and kept when its reading is plausible: every non-ASCII
    character a Latin letter or Western punctuation, accented letters a minority (but not all letters) and
    never three in a row, and no symbol inside a word (Polish "Za¿ó³æ" is cp1250; Russian, Greek or Chinese
    bytes read as cp1252 are almost all accented letters). Ambiguous text (Czech without ť) reads as cp1252.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are undefined in cp1252
        return None
    ascii_only = text.encode("ascii", "ignore")
    plain = len(ascii_only) - len(ascii_only.translate(None, _ASCII_LETTERS))
    accented, last = 0, -2
    run = 0
    for m in _NON_ASCII.finditer(text):  # only the non-ASCII characters: a few percent of Western text
        i, ch = m.start(), m.group()
        if ch.isalpha():
            if not unicodedata.name(ch, "").startswith("LATIN") and ch not in _WESTERN_SYMBOLS:
                return None  # ª º µ are letters to Python, and Western; Cyrillic or Greek are not
            accented += 1
            run = run + 1 if last == i - 1 else 1
            last = i
            if run >= 3:
                return None
        elif ch not in _WESTERN_SYMBOLS or (
            ch not in "’·" and 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
        ):
            return None
    # Western text always has unaccented letters ("±±¾©" is GBK for 北京).
    return text if plain and accented <= _MAX_ACCENTED_SHARE * (plain + accented) else None


def printable(text: str) -> str:
    """`text` made storable: lone surrogates (a file name that is not UTF-8, a JSON "\\udXXX" escape)
    become '\\xNN' for the raw byte of a file name, else U+FFFD. They cannot be encoded as UTF-8, so they
    broke hashing, the journal and printing far from where they came in. Returns `text` itself when clean."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(_escape_surrogate, text)


def _escape_surrogate(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


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
        control = len(_CONTROL.findall(sample))
        if control / len(sample) > _MAX_CONTROL_SHARE:
            raise UndecodableError("binary")
    return Decoded(text=text, encoding=encoding)
