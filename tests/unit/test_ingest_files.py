"""Plain document folders: every supported format is read; broken or foreign files are counted, not fatal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from evaluators.datasets import load_dataset
from evaluators.ingest.files import ReadReport, html_to_text, read_documents
from evaluators.types import TrialInputError


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF with `text` in Helvetica (real xref offsets, so strict readers accept it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "guide" / "deep").mkdir(parents=True)
    (root / "readme.txt").write_text("Plain text about installing the tool.", encoding="utf-8")
    (root / "guide" / "intro.md").write_text("# Getting started\n\nRun the installer.", encoding="utf-8")
    (root / "guide" / "deep" / "page.html").write_text(
        "<html><head><title>Deep page</title><style>p{}</style><script>var x=1;</script></head>"
        "<body><p>Visible &amp; useful.</p><div>Second block</div></body></html>", encoding="utf-8")
    (root / "records.jsonl").write_text(
        json.dumps({"id": "r1", "title": "One", "text": "First record."}) + "\n{broken json\n\n"
        + json.dumps({"content": "Second record without id."}) + "\n" + json.dumps({"other": 3}) + "\n",
        encoding="utf-8")
    (root / "list.json").write_text(json.dumps([{"_id": "j1", "body": "Json body text."}, "A bare string."]))
    (root / "table.csv").write_text("id,title,text\nc1,Row one,CSV row text.\nc2,Row two,\n",
                                    encoding="utf-8")
    (root / "paper.pdf").write_bytes(_pdf("Portable document words"))
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "blank.txt").write_text("   \n", encoding="utf-8")
    (root / "nul.md").write_bytes(b"abc\x00def" * 10)
    (root / ".hidden.txt").write_text("secret", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD.txt").write_text("ref", encoding="utf-8")
    return root


def test_every_format_read_with_ids(folder: Path) -> None:
    """One doc per text/markdown/html/pdf file (id = relative path); one per JSON/JSONL/CSV record."""
    docs = {d.id: d for d in read_documents(folder, ReadReport())}
    assert set(docs) == {"readme.txt", "guide/intro.md", "guide/deep/page.html", "r1", "records.jsonl:1",
                         "j1", "list.json:1", "c1", "paper.pdf"}
    assert docs["guide/intro.md"].title == "Getting started"
    assert docs["guide/deep/page.html"].title == "Deep page"
    assert docs["guide/deep/page.html"].text == "Visible & useful.\n\nSecond block"
    assert docs["r1"].title == "One" and docs["c1"].text == "CSV row text."
    assert "Portable document words" in docs["paper.pdf"].text
    assert docs["readme.txt"].source.endswith("readme.txt")


def test_skips_are_counted_by_reason(folder: Path) -> None:
    """Binary, empty, hidden, foreign files and broken records are each counted and reported, never fatal."""
    seen: list[tuple[str, str]] = []
    ds = load_dataset(folder, chunk_tokens=0, synthetic="keyphrase", on_skip=lambda p, r: seen.append((p, r)))
    skipped = ds.info["files_skipped"]
    assert skipped["binary"] == 1 and skipped["empty"] == 1 and skipped["unsupported type"] == 1
    assert skipped["hidden"] == 2  # .hidden.txt and the .git folder (not walked)
    assert skipped["invalid JSON line"] == 1
    assert skipped["record without text"] == 2  # {"other": 3} has no string field; c2 has an empty text
    assert ds.info["files_read"] == 7
    assert len(seen) == sum(skipped.values())
    assert any(p.endswith("nul.md") and r == "binary" for p, r in seen)


def test_pdf_without_pypdf_is_skipped(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF support is an optional extra: without pypdf the file is skipped with a reason naming the extra."""
    monkeypatch.setitem(sys.modules, "pypdf", None)
    report = ReadReport()
    ids = {d.id for d in read_documents(folder, report)}
    assert "paper.pdf" not in ids
    assert any("pdf support not installed" in reason for reason in report.skipped)


def test_broken_pdf_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (tmp_path / "ok.txt").write_text("Fine text here.", encoding="utf-8")
    report = ReadReport()
    assert [d.id for d in read_documents(tmp_path, report)] == ["ok.txt"]
    assert report.skipped["unreadable pdf"] == 1


def test_single_file_input(tmp_path: Path) -> None:
    f = tmp_path / "one.md"
    f.write_text("Just one file. It has two sentences.", encoding="utf-8")
    ds = load_dataset(f, synthetic="keyphrase")
    assert [d.id for d in ds.corpus] == ["one.md"]
    assert ds.info["name"] == "one" and ds.info["format"] == "files"


def test_duplicate_record_ids_made_unique(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "x", "text": "From a."}) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "x", "text": "From b."}) + "\n", encoding="utf-8")
    ids = [d.id for d in read_documents(tmp_path, ReadReport())]
    assert ids == ["x", "b.jsonl:x"]


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrialInputError, match=r"^no documents found in .*empty: give a folder or file of"):
        (tmp_path / "empty").mkdir()
        load_dataset(tmp_path / "empty")


def test_only_unreadable_files_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(bytes(100))
    (tmp_path / "b.txt").write_text("", encoding="utf-8")
    with pytest.raises(TrialInputError) as err:
        load_dataset(tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and str(tmp_path) in msg and "1 binary" in msg and "1 empty" in msg


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrialInputError, match="corpus not found"):
        load_dataset(tmp_path / "nope")


def test_html_text_extraction() -> None:
    title, text = html_to_text("<title> T </title><ul><li>a</li><li>b &lt; c</li></ul><noscript>x</noscript>")
    assert title == "T"
    assert text == "a\n\nb < c"
