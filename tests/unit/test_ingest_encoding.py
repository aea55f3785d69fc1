"""Encoding detection: every supported encoding decodes exactly; binary input is refused, never guessed."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from evaluators.datasets import load_dataset
from evaluators.ingest.encoding import UndecodableError, decode_bytes

ZH = "中华人民共和国是一个位于东亚的国家，首都是北京。它拥有悠久的历史和灿烂的文化。长城是著名的建筑。"
TW = "中華民國是一個位於東亞的國家，首都是臺北。它擁有悠久的歷史和燦爛的文化。故宮收藏了許多珍貴的文物。"


@pytest.mark.parametrize(
    ("text", "encoding", "expect"),
    [
        ("plain ascii and ünïcödé", "utf-8", "utf-8"),
        ("with a byte-order mark", "utf-8-sig", "utf-8-sig"),
        (ZH, "utf-16", "utf-16"),  # Python writes a BOM
        ("little endian", "utf-16", "utf-16"),
        (ZH, "gb18030", "gb18030"),
        (TW, "big5", "big5hkscs"),
    ],
)
def test_decodes_exactly(text: str, encoding: str, expect: str) -> None:
    """Each encoding the issue names round-trips to the same text."""
    got = decode_bytes(text.encode(encoding))
    assert got.text == text
    assert got.encoding == expect


def test_utf16_big_endian_bom() -> None:
    data = codecs.BOM_UTF16_BE + "big endian text".encode("utf-16-be")
    assert decode_bytes(data).text == "big endian text"


def test_utf8_bom_is_stripped() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + b"hi").text == "hi"


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)


@pytest.mark.parametrize("data", [PNG, bytes(range(1, 32)) * 40], ids=["nul", "control"])
def test_binary_is_refused(data: bytes) -> None:
    """NUL bytes or a high share of control characters mean binary: skipped, not decoded as junk."""
    with pytest.raises(UndecodableError, match="binary"):
        decode_bytes(data)


def test_folder_of_mixed_encodings(tmp_path: Path) -> None:
    """A folder mixing UTF-8, UTF-8-BOM, UTF-16 and GB18030 files reads all of them and counts encodings."""
    (tmp_path / "a.txt").write_text("Alpha document about rivers and lakes.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Beta document about mountains.", encoding="utf-8-sig")
    (tmp_path / "c.txt").write_text(ZH, encoding="utf-16")
    (tmp_path / "d.txt").write_bytes(ZH.encode("gb18030"))
    (tmp_path / "e.bin.txt").write_bytes(bytes(512))
    ds = load_dataset(tmp_path, chunk_tokens=0, synthetic="keyphrase")
    texts = {d.id: d.text for d in ds.corpus}
    assert texts["c.txt"] == ZH and texts["d.txt"] == ZH
    assert texts["b.txt"].startswith("Beta")
    assert ds.info["files_read"] == 4
    assert ds.info["files_skipped"] == {"binary": 1}
    assert ds.info["encodings"] == {"utf-8": 1, "utf-8-sig": 1, "utf-16": 1, "gb18030": 1}
