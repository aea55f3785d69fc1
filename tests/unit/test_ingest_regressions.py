"""Ingest cases from issue 14, each replayed as reported: tracebacks, silently wrong data, a quadratic step,
and messages that did not say what to do."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import pytest

from evaluators.datasets import fingerprint, load_dataset, reading_notes
from evaluators.ingest.chunking import chunk_docs, chunk_spans
from evaluators.ingest.encoding import decode_bytes
from evaluators.ingest.files import MAX_FILE_BYTES, ReadReport, read_documents
from evaluators.ingest.synthetic import make_synthetic
from evaluators.models import resolve_model
from evaluators.types import Doc, TrialInputError

PROSE = ("The river runs north through the valley for many miles. Farmers along its banks grow wheat and "
         "barley in the summer. In winter the water freezes and children skate on it every day. ")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_file_name_that_is_not_utf8_gets_a_printable_id(tmp_path: Path) -> None:
    """A Latin-1 file name (surrogate escapes in Python) used to crash the dataset fingerprint."""
    folder = tmp_path / "docs"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.txt"), "wb") as fh:
        fh.write(PROSE.encode())
    _write(folder / "ok.txt", PROSE.replace("river", "road"))
    ds = load_dataset(folder)
    ids = {d.id for d in ds.corpus}
    assert ids == {"caf\\xe9.txt", "ok.txt"}
    assert all(d.source.encode("utf-8") for d in ds.corpus)  # storable as UTF-8
    assert len(ds.info["fingerprint"]) == 64
    assert fingerprint(ds.corpus, ds.queries, ds.qrels) == ds.info["fingerprint"]


@pytest.mark.parametrize("text", ["naïve", "señor", "The naïve señor ate crème brûlée at the café."])
def test_latin1_text_is_not_read_as_cp1250(text: str) -> None:
    """Latin-1 bytes came back as cp1250 ("naďve", "seńor"): cp1252 now wins when it reads as Western."""
    got = decode_bytes(text.encode("latin-1"))
    assert got.text == text and got.encoding == "cp1252"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("Zażółć gęślą jaźń. Dzień dobry, jak się masz?", "cp1250"),
     ("Příliš žluťoučký kůň úpěl ďábelské ódy.", "cp1250"),
     ("Привет, как дела? Москва — столица России.", "cp1251"),
     ("Price: 5€ — “quoted” text… isn’t it?", "cp1252")],
)
def test_other_single_byte_encodings_still_decode(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding)).text == text


def test_csv_without_a_header_keeps_its_first_row(tmp_path: Path) -> None:
    """A headerless CSV ate its first row as the header: every text became '<id0>: <idN>\\n<text0>: ...'."""
    rows = [("d1", "The river runs north through the valley."), ("d2", "Farmers grow wheat and barley."),
            ("d3", "Children skate on the frozen water in winter.")]
    path = _write(tmp_path / "docs.csv", "".join(f"{i},{t}\n" for i, t in rows))
    report = ReadReport()
    docs = read_documents(path, report)
    assert [(d.id, d.text) for d in docs] == rows
    assert report.notes and "no header row" in report.notes[0] and "'text' column" in report.notes[0]


def test_csv_with_a_header_is_unchanged(tmp_path: Path) -> None:
    path = _write(tmp_path / "docs.csv", "id,text\nd1,First text here.\nd2,Second text here.\n")
    report = ReadReport()
    assert [(d.id, d.text) for d in read_documents(path, report)] == [("d1", "First text here."),
                                                                    ("d2", "Second text here.")]
    assert report.notes == []


def test_csv_with_old_mac_line_ends_reads_its_rows(tmp_path: Path) -> None:
    """A lone '\\r' ended the read with a csv.Error traceback (found by the ingest property test: a file
    holding b'\\r ')."""
    path = tmp_path / "docs.csv"
    path.write_bytes(b"id,text\rd1,First text here.\rd2,Second text here.\r")
    assert [(d.id, d.text) for d in read_documents(path, ReadReport())] == [("d1", "First text here."),
                                                                          ("d2", "Second text here.")]
    lone = tmp_path / "lone.csv"
    lone.write_bytes(b"\r ")
    report = ReadReport()
    assert read_documents(lone, report) == [] and [r for _, r in report.examples] == ["empty"]


def test_a_csv_the_csv_module_refuses_is_skipped_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import csv

    from evaluators.ingest import records

    real = records.MAX_FIELD_CHARS
    monkeypatch.setattr(records, "MAX_FIELD_CHARS", 10)  # the real limit (50M characters) is past any test
    path = _write(tmp_path / "docs.csv", 'id,text\nd1,"a field longer than ten characters"\n')
    report = ReadReport()
    try:
        assert read_documents(path, report) == []
    finally:
        csv.field_size_limit(real)  # the limit is process-wide: leave the real one for the next test
    assert report.examples and "unreadable CSV (field larger than field limit" in report.examples[0][1]


def test_dropped_queries_are_a_reading_note(tmp_path: Path) -> None:
    """Queries dropped for unknown doc ids were visible only in --json; the notes every front end prints
    now say how many, why, which ids, and what to check."""
    folder = tmp_path / "docs"
    folder.mkdir()
    _write(folder / "a.txt", PROSE)
    _write(folder / "b.txt", PROSE.replace("river", "road"))
    rows = [{"question": "Where does the river run?", "doc_id": "a.txt"},
            {"question": "Who skates?", "doc_id": "nope.txt"}]
    queries = _write(tmp_path / "q.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    ds = load_dataset(folder, queries)
    notes = reading_notes(ds.info)
    assert len(ds.queries) == 1
    assert any("Dropped 1 query" in n and "'nope.txt'" in n and "check the queries' doc ids" in n
               for n in notes)


def test_long_sentence_windows_start_where_the_sentence_starts() -> None:
    """A sentence longer than the chunk size was cut at offsets shifted by its own start: text before the
    cut was lost and words were split ('W' | '6 W17')."""
    text = "Short intro here. " + " ".join(f"W{i}" for i in range(50)) + " end"
    pieces = [text[s:e] for s, e in chunk_spans(text, 16, 4)]
    assert pieces[0] == "Short intro here."
    assert pieces[1].startswith("W0 W1 ")
    assert all(p.split()[0] in text.split() and p.split()[-1] in text.split() for p in pieces)
    assert "W49 end" in pieces[-1]


def _one_file_units(n_sentences: int) -> list[Doc]:
    text = " ".join(f"Sentence number {i} tells about river {i % 97} and hill {i % 89} today." for i in
                    range(n_sentences))
    return chunk_docs([Doc("big.txt", text)], 128, 16)


def test_synthetic_queries_are_linear_in_one_large_file() -> None:
    """ICT compared each sentence with every sibling chunk of its document: 5 MB took 20 s, 49 MB over 10
    minutes. Four times the text must now take about four times the CPU, not sixteen."""
    def cpu(units: list[Doc]) -> float:
        best = float("inf")
        for _ in range(2):
            start = time.process_time()
            make_synthetic(units, "ict", count=50, seed=0)
            best = min(best, time.process_time() - start)
        return best

    small, large = _one_file_units(4_000), _one_file_units(16_000)
    assert len(large) > 3.5 * len(small) > 100
    ratio = cpu(large) / max(cpu(small), 1e-3)
    assert ratio < 9, f"4x the text took {ratio:.1f}x the CPU time"


def test_no_synthetic_queries_says_what_to_do(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "Too short.")
    with pytest.raises(TrialInputError) as err:
        load_dataset(tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and "Pass a queries file" in msg and "keyphrase" in msg


def _broken_pdf() -> bytes:
    pypdf = pytest.importorskip("pypdf")
    import io

    out = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(out)
    data = out.getvalue()
    return data[: len(data) // 2]  # truncated: pypdf logs "EOF marker not found" before failing


def test_a_broken_pdf_is_one_skip_reason_and_nothing_from_pypdf(tmp_path: Path,
                                                               capfd: pytest.CaptureFixture[str],
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """pypdf's own warnings spilled onto stderr before our message."""
    (tmp_path / "broken.pdf").write_bytes(_broken_pdf())
    _write(tmp_path / "ok.txt", PROSE)
    report = ReadReport()
    with caplog.at_level(logging.DEBUG):
        docs = read_documents(tmp_path, report)
    assert [d.id for d in docs] == ["ok.txt"] and report.skipped == {"unreadable pdf": 1}
    out, err = capfd.readouterr()
    assert "EOF" not in out + err and not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_a_folder_that_is_not_a_model_gets_our_message(tmp_path: Path) -> None:
    """transformers said "should have a `model_type` key in its config.json"."""
    _write(tmp_path / "config.json", "{}")
    _write(tmp_path / "notes.txt", "not a model")
    with pytest.raises(ValueError) as err:
        resolve_model(str(tmp_path))
    msg = str(err.value)
    assert "is not a model folder" in msg and "Hugging Face id" in msg and "model_type` key" not in msg


def test_the_file_size_limit_is_named_when_a_file_is_skipped(tmp_path: Path) -> None:
    with open(tmp_path / "huge.txt", "wb") as fh:  # sparse: no 50 MB written
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(TrialInputError) as err:
        load_dataset(tmp_path)
    assert "too large (over the 50 MB per-file limit)" in str(err.value)


@pytest.mark.parametrize(
    "line",
    ['{"id": "d1", "text": "lone \\ud800 surrogate in a record"}',
     "[" * 100_000 + "]" * 100_000,
     '{"id": "d1", "text": "big number", "n": ' + "9" * 5000 + "}"],
    ids=["lone-surrogate", "deep-nesting", "5000-digit-number"],
)
def test_odd_json_lines_never_raise(tmp_path: Path, line: str) -> None:
    """Legal-but-odd JSON (a lone surrogate escape) is read and made storable; JSON that Python cannot
    parse (deep nesting, huge numbers) is a skipped line, not a traceback."""
    _write(tmp_path / "a.jsonl", line + "\n" + json.dumps({"id": "d2", "text": PROSE}) + "\n")
    report = ReadReport()
    docs = read_documents(tmp_path, report)
    assert "d2" in {d.id for d in docs}
    for d in docs:
        d.text.encode("utf-8")
    assert sum(report.skipped.values()) == (0 if "surrogate" in line else 1)
