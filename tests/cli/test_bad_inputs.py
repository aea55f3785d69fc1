"""A corpus of bad inputs through the real `embedscout` command: odd files, encodings, names, formats, flags,
journals and imports. Every case is generated in a temp folder (no big files in git) and checks the three
promises: the exit code, one line that says what to do (never a traceback), and a journal that is byte for
byte what it was before."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaluators.ingest.files import MAX_FILE_BYTES
from storage import store
from storage.db import SCHEMA_VERSION
from tests.unit._journal_data import model_result, recommendation, trial
from tui.cli import main

PROSE = ("The river runs north through the valley for many miles. Farmers along its banks grow wheat and "
         "barley in the summer. In winter the water freezes and children skate on it every day.")
SECRET_REF = "openai-compatible:m@http://user:secret@host/v1"
Build = Callable[[Path], list[str]]
ACTIONS = (r"see '|\bpass |\bgive |\bcheck |\buse |\badd |\bset |\bpoint |\bremove |\bupgrade |"
           r"export it again|move it away|\bfix |\binstall|\btry |\bchoose |\bput |\(use |\bexports are")
"""Words of a message that tells the user what to do next (every error here must have one)."""


def _docs(tmp: Path, files: dict[str, bytes | str]) -> Path:
    folder = tmp / "docs"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return folder


def _trial(*extra: str) -> Build:
    """trial on a small good folder plus `extra` flags."""
    return lambda tmp: ["trial", "--corpus", str(_docs(tmp, {"a.txt": PROSE})), "-m", "bm25", *extra]


def _corpus(files: dict[str, bytes | str], *extra: str) -> Build:
    return lambda tmp: ["trial", "--corpus", str(_docs(tmp, files)), "-m", "bm25", *extra]


def _file(name: str, data: bytes | str, *extra: str) -> Build:
    def build(tmp: Path) -> list[str]:
        path = tmp / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return ["trial", "--corpus", str(path), "-m", "bm25", *extra]
    return build


def _huge(tmp: Path) -> list[str]:
    folder = _docs(tmp, {})
    with open(folder / "dump.txt", "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse
    return ["trial", "--corpus", str(folder), "-m", "bm25"]


def _queries(lines: str, *extra: str) -> Build:
    def build(tmp: Path) -> list[str]:
        folder = _docs(tmp, {"a.txt": PROSE, "b.txt": PROSE.replace("river", "road")})
        (tmp / "q.jsonl").write_text(lines, encoding="utf-8")
        return ["trial", "--corpus", str(folder), "--queries", str(tmp / "q.jsonl"), "-m", "bm25", *extra]
    return build


def _import(data: bytes | str) -> Build:
    def build(tmp: Path) -> list[str]:
        path = tmp / "in.json"
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return ["import", str(path)]
    return build


def _doc(**parts: object) -> str:
    base: dict[str, object] = {"format": "embedscout-decision", "version": 1, "decision": {"title": "x"}}
    return json.dumps({**base, **parts})


def _db_file(content: bytes) -> Build:
    def build(tmp: Path) -> list[str]:
        (tmp / "other.db").write_bytes(content)
        return ["--db", str(tmp / "other.db"), "history"]
    return build


def _foreign_db(tmp: Path) -> list[str]:
    conn = sqlite3.connect(tmp / "photos.db")
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    return ["--db", str(tmp / "photos.db"), "history"]


def SAVE_BAD_DB(tmp: Path) -> list[str]:  # noqa: N802
    bad = _docs(tmp, {"journal.db": "not sqlite"}) / "journal.db"
    return ["--db", str(bad), "trial", "--demo", "-m", "bm25", "--save"]

# (id, build, exit code, what the one-line error must say)
FAILING: list[tuple[str, Build, int, str]] = [
    # files
    ("empty folder", _corpus({}), 1, r"no documents found in .*docs: give a folder or file of"),
    ("only binary", _corpus({"a.txt": bytes(300), "b.md": b"\x89PNG\r\n\x1a\n" + bytes(50)}), 1,
     r"no readable documents .*2 skipped: 2 binary"),
    ("only blank", _corpus({"a.txt": "  \n\t"}), 1, r"no readable documents .*1 empty"),
    ("only hidden/unsupported", _corpus({".a.txt": PROSE, "b.docx": PROSE}), 1,
     r"1 hidden, 1 unsupported type"),
    ("file over 50 MB", _huge, 1, r"too large \(over the 50 MB per-file limit\)"),
    ("missing corpus", lambda tmp: ["trial", "--corpus", str(tmp / "nope"), "-m", "bm25"], 2,
     r"does not exist.*see '.*trial --help'"),
    ("too short for queries", _corpus({"a.txt": "Tiny."}), 1, r"Pass a queries file"),
    # encodings
    ("random bytes", _corpus({"a.txt": bytes(range(256)) * 4}), 1, r"no readable documents"),
    ("utf-16 odd length", _corpus({"a.txt": b"\xff\xfeA\x00B"}), 1,
     r"no readable documents .*unknown encoding"),
    # formats
    ("json number", _file("x.json", "42"), 1, r"no readable documents .*record without text"),
    ("json broken", _file("x.json", "{nope"), 1, r"no readable documents .*invalid JSON"),
    ("jsonl deep nesting", _file("x.jsonl", "[" * 50_000 + "]" * 50_000), 1, r"invalid JSON line"),
    ("csv header only", _file("x.csv", "id,text\n"), 1, r"no readable documents .*empty"),
    ("squad without paragraphs", _file("x.json", '{"data": [{"title": "t", "paragraphs": "x"}]}'), 1,
     r"not a SQuAD-style file"),
    ("beir bad qrels", lambda tmp: ["trial", "-m", "bm25", "--corpus", str(_docs(tmp, {
        "corpus.jsonl": json.dumps({"_id": "d1", "text": PROSE}) + "\n",
        "queries.jsonl": json.dumps({"_id": "q1", "text": "river"}) + "\n",
        "qrels.tsv": "query-id\tcorpus-id\tscore\nq1\td1\thigh\n"}))], 1,
     r"qrels\.tsv:2: score 'high' is not a number"),
    ("queries all unknown ids", _queries(json.dumps({"question": "Where?", "doc_id": "nope.txt"}) + "\n"), 1,
     r"none of the 1 queries has a relevant document in the corpus \(check the doc ids"),
    ("queries csv without question",
     lambda tmp: _trial("--queries", str(_write(tmp / "q.csv", "a,b\n1,2\n")))(tmp), 1,
     r"needs a 'question' \(or 'query'/'text'\) column"),
    # flags
    ("ram nan", lambda tmp: ["recommend", "--ram-gb", "nan"], 2, r"ram_gb must be a finite number.*--help"),
    ("ram inf", lambda tmp: ["recommend", "--ram-gb", "inf"], 2, r"ram_gb must be a finite number.*--help"),
    ("ram negative", lambda tmp: ["recommend", "--ram-gb", "-1"], 2, r"--ram-gb.*range.*--help"),
    ("vram nan", lambda tmp: ["recommend", "--vram-gb", "nan"], 2, r"vram_gb must be a finite number"),
    ("budget nan", lambda tmp: ["recommend", "--budget", "nan"], 2, r"max_usd_per_1m must be a finite"),
    ("priority nan", lambda tmp: ["recommend", "--priority", "nan,1,1"], 2,
     r"priority weights must be finite"),
    ("max-usd nan", _trial("--max-usd", "nan"), 2, r"--max-usd must be a finite number.*--help"),
    ("max-usd inf", _trial("--max-usd", "inf"), 2, r"--max-usd must be a finite number"),
    ("sample 0", _trial("--sample", "0"), 2, r"--sample.*range"),
    ("overlap >= size", _trial("--chunk-tokens", "10", "--chunk-overlap", "10"), 1,
     r"chunk overlap must be in"),
    ("synthetic bogus", _trial("--synthetic", "magic"), 1, r"unknown synthetic query method 'magic' \(use"),
    ("checks bogus", _trial("--checks", "vibes"), 2, r"'--checks': unknown check vibes"),
    ("model with credentials", _trial("-m", SECRET_REF), 2,
     r"\*\*\*@host/v1: .*put the key in the environment"),
    ("llm with credentials", _trial("--generate-queries", "2", "--llm", SECRET_REF), 2,
     r"\*\*\*@host.*environment"),
    ("decision without save", _trial("--decision", "1"), 2, r"--decision and --title only apply with --save"),
    # journals
    ("db is text", _db_file(b"hello, not a database"), 1, r"not an SQLite database.*--db PATH"),
    ("db is a folder", lambda tmp: ["--db", str(_docs(tmp, {})), "history"], 2, r"--db.*is a directory"),
    ("db is another program's", _foreign_db, 1, r"another program's SQLite database.*--db PATH"),
    ("save to a non-SQLite journal", SAVE_BAD_DB, 1, r"--save: .*not an SQLite database.*--db PATH"),
    ("decide with credentials", lambda tmp: ["decide", "1", "--model", SECRET_REF], 1,
     r"\*\*\*@host.*environment"),
    # imports
    ("import not json", _import("hello"), 1, r"not a JSON document"),
    ("import binary", _import(b"\x00\xff\xfe" * 30), 1, r"cannot read .*exports are UTF-8 JSON"),
    ("import array", _import("[1, 2]"), 1, r"not an embedscout decision export"),
    ("import trials abc", _import(_doc(trials="abc")), 1,
     r"trials must be a list, got 'abc'.*export it again"),
    ("import recommendations ints", _import(_doc(recommendations=[1, 2])), 1,
     r"recommendations\[0\] must be an object"),
    ("import model null", _import(_doc(trials=[{"results": [{"model": None, "metrics": {"ndcg@10": 0.5}}]}])),
     1, r"results\[0\]\.model must be a string, got None"),
    ("import ndcg high",
     _import(_doc(trials=[{"results": [{"model": "m", "metrics": {"ndcg@10": "high"}}]}])), 1,
     r"metrics\.ndcg@10 must be a finite number, got 'high'"),
    ("import version text", _import(_doc(version="x")), 1, r"version must be a whole number"),
    ("import version future", _import(_doc(version=99)), 1, r"newer than this embedscout understands"),
    ("import no title",
     _import(json.dumps({"format": "embedscout-decision", "version": 1, "decision": {}})), 1,
     r"decision\.title must be a string, got nothing"),
]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A journal with one decision, a recommendation and a trial: what every bad input must leave alone."""
    path = tmp_path / "journal.db"
    monkeypatch.setenv("EMBEDSCOUT_DB", str(path))
    db = store.open_db(path)
    did = store.create_decision(db, title="Keep me", tags=["prod"])
    store.attach_recommendation(db, did, recommendation("BAAI/bge-m3", "minilm"))
    store.save_trial(db, did, trial(model_result("minilm", 0.6)))
    db.close()
    return path


def _state(tmp: Path) -> dict[str, str]:
    """sha256 of every journal-looking file under the test's folder (the journal and any --db target)."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tmp.rglob("*")) if p.is_file() and p.suffix in (".db", ".sqlite", ".db-wal")}


@pytest.mark.parametrize(("build", "code", "message"), [c[1:] for c in FAILING], ids=[c[0] for c in FAILING])
def test_bad_input_is_one_line_that_says_what_to_do(journal: Path, tmp_path: Path, build: Build,
                                                    code: int, message: str) -> None:
    args = build(tmp_path)
    before = _state(tmp_path)
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output and not isinstance(result.exception, AssertionError)
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("embedscout: error: ")]
    assert len(lines) == 1, result.stderr
    assert re.search(message, lines[0]), lines[0]
    assert re.search(ACTIONS, lines[0], re.IGNORECASE), f"says nothing about what to do: {lines[0]}"
    assert _state(tmp_path) == before, "a bad input changed a stored file"


def test_a_newer_journal_is_read_with_a_note_and_never_written(journal: Path) -> None:
    conn = sqlite3.connect(journal)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = hashlib.sha256(journal.read_bytes()).hexdigest()
    shown = CliRunner().invoke(main, ["history"])
    assert shown.exit_code == 0 and "Keep me" in shown.stdout
    assert "embedscout: note: " in shown.stderr and "open read-only" in shown.stderr
    for args in (["decide", "1", "--model", "minilm"], ["recommend", "--save"],
                 ["trial", "--demo", "-m", "bm25", "--save"], ["import", "-"]):
        result = CliRunner().invoke(main, args, input=_doc())
        assert result.exit_code == 1, (args, result.output)
        assert "newer embedscout" in result.stderr and "upgrade embedscout" in result.stderr
    assert hashlib.sha256(journal.read_bytes()).hexdigest() == before


def test_an_unusable_data_folder_with_save_is_one_line(journal: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`trial --save` when the journal cannot be used: StorageError escaped tui/commands/trial_save.py."""
    (tmp_path / "blocker").write_text("x")
    monkeypatch.setenv("EMBEDSCOUT_HOME", str(tmp_path / "blocker" / "home"))
    monkeypatch.delenv("EMBEDSCOUT_DB")
    result = CliRunner().invoke(main, ["trial", "--demo", "-m", "bm25", "--save"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("embedscout: error: --save: cannot use the journal")


def test_odd_names_and_encodings_are_read(journal: Path, tmp_path: Path) -> None:
    """Input that is odd but fine works: a Latin-1 file name and text, a name with spaces and a newline,
    a deep folder, a UTF-16 file, a headerless CSV (with a note saying how it was read)."""
    folder = _docs(tmp_path, {"deep/er/and/deeper/a b.txt": PROSE, "zh.txt": "中文的句子。" * 20,
                              "u16.txt": PROSE.replace("river", "stream").encode("utf-16"),
                              "latin.txt": ("Le garçon a mangé une crème brûlée. " * 5).encode("latin-1"),
                              "rows.csv": "r1,The first row talks about rivers and lakes.\n"
                                          "r2,The second row talks about hills and roads.\n"})
    with open(os.path.join(os.fsencode(folder), b"caf\xe9\nnew.txt"), "wb") as fh:
        fh.write(PROSE.replace("river", "canal").encode())
    result = CliRunner().invoke(main, ["trial", "--corpus", str(folder), "-m", "bm25", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dataset"]["files_read"] == 6 and data["dataset"]["n_docs"] == 7
    assert data["dataset"]["encodings"].get("cp1252") == 1
    assert "no header row" in result.stderr or "no header row" in json.dumps(data["dataset"]["read_notes"])


def test_dropped_queries_show_in_the_table_output(journal: Path, tmp_path: Path) -> None:
    """Queries dropped for unknown doc ids were visible only in --json."""
    args = _queries(json.dumps({"question": "Where does the river run north?", "doc_id": "a.txt"}) + "\n"
                    + json.dumps({"question": "Who skates?", "doc_id": "nope.txt"}) + "\n")(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Dropped 1 query" in text and "'nope.txt'" in text and "check the queries' doc ids" in text
