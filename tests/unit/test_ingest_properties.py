"""Property tests for ingest (hypothesis): random bytes, random encodings, random names and nesting never
produce a traceback. Reading ends in a Dataset whose every id and text can be stored (UTF-8), or in one
TrialInputError line; nothing else. Example counts stay small so the suite stays fast on 2 cores."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluators.datasets import fingerprint, load_dataset
from evaluators.ingest.encoding import UndecodableError, decode_bytes
from evaluators.ingest.files import SUPPORTED
from evaluators.types import Dataset, TrialInputError

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252", "cp1250", "cp1251", "gb18030",
             "big5", "shift_jis", "euc-kr")
SUFFIXES = (*SUPPORTED, ".bin", ".docx", "", ".TXT")
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "_id", "text", "title", "body", "x"]) | st.text(max_size=8), inner,
        max_size=4),
    max_leaves=12,
)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


@st.composite
def encoded_text(draw: st.DrawFn) -> bytes:
    text = draw(st.one_of(texts, st.sampled_from([
        "The naïve señor ate crème brûlée. Straße, Øresund, Łódź.",
        "中华人民共和国是一个位于东亚的国家。首都是北京。",
        "日本語のテキストです。東京は首都です。",
        "Привет, как дела? Всё хорошо.",
    ])))
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


contents = st.one_of(
    st.binary(max_size=1500),
    encoded_text(),
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8")),
    st.lists(json_values, max_size=5).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
    st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=4), max_size=6).map(
        lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8", errors="replace")),
)
names = st.binary(min_size=1, max_size=24).filter(
    lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b".."))


@st.composite
def trees(draw: st.DrawFn) -> list[tuple[list[bytes], bytes]]:
    """Up to 6 files, each under 0-4 random folder names, with a random name, suffix and content."""
    files = []
    for _ in range(draw(st.integers(1, 6))):
        folders = draw(st.lists(names, max_size=4))
        name = draw(names) + draw(st.sampled_from(SUFFIXES)).encode()
        files.append(([*folders, name], draw(contents)))
    return files


def _storable(ds: Dataset) -> None:
    for doc in ds.corpus:
        (doc.id + doc.text + doc.title + doc.source + (doc.parent_id or "")).encode("utf-8")
    for query in ds.queries:
        (query.id + query.text).encode("utf-8")
    json.dumps(ds.info, ensure_ascii=False).encode("utf-8")
    assert fingerprint(ds.corpus, ds.queries, ds.qrels) == ds.info["fingerprint"]


@QUICK
@given(data=st.one_of(st.binary(max_size=3000), encoded_text()))
def test_decoding_any_bytes_gives_text_or_a_reason(data: bytes) -> None:
    try:
        got = decode_bytes(data)
    except UndecodableError as exc:
        assert str(exc) in ("binary", "unknown encoding")
        return
    got.text.encode("utf-8")  # never a lone surrogate


@SLOW
@given(tree=trees(), synthetic=st.sampled_from(["auto", "keyphrase"]), chunk=st.sampled_from([0, 16, 256]))
def test_any_folder_reads_or_fails_with_one_line(tree: list[tuple[list[bytes], bytes]], synthetic: str,
                                                  chunk: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(os.fsencode(tmp), b"docs")
        os.mkdir(root)
        for parts, data in tree:
            folder = os.path.join(root, *parts[:-1])
            try:
                os.makedirs(folder, exist_ok=True)
                with open(os.path.join(folder, parts[-1]), "wb") as fh:
                    fh.write(data)
            except (IsADirectoryError, FileExistsError, NotADirectoryError):
                continue  # the random tree reused a name as both file and folder
        try:
            ds = load_dataset(Path(os.fsdecode(root)), synthetic=synthetic, chunk_tokens=chunk,
                              chunk_overlap=min(4, max(chunk - 1, 0)))
        except TrialInputError as exc:
            assert "\n" not in str(exc) and str(exc)
            str(exc).encode("utf-8")
            return
        _storable(ds)


@SLOW
@given(data=contents, suffix=st.sampled_from(SUPPORTED))
def test_any_single_file_reads_or_fails_with_one_line(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        try:
            ds = load_dataset(path, synthetic="keyphrase", chunk_tokens=32, chunk_overlap=4)
        except TrialInputError as exc:
            assert "\n" not in str(exc) and str(exc)
            return
        _storable(ds)
