"""SQuAD-style JSON: paragraphs become documents, answerable questions queries with their answer text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluators.datasets import load_dataset
from evaluators.types import TrialInputError

SQUAD = {
    "version": "v2.0",
    "data": [
        {"title": "Rivers of Europe", "paragraphs": [
            {"context": "The Rhine flows from the Swiss Alps to the North Sea. It is 1,230 km long.",
             "qas": [{"id": "q1", "question": "Where does the Rhine end?", "is_impossible": False,
                      "answers": [{"text": "the North Sea", "answer_start": 38}]},
                     {"id": "q2", "question": "Who owns the Rhine?", "is_impossible": True, "answers": []}]},
            {"context": "The Danube passes through ten countries, more than any other river.",
             "qas": [{"id": "q3", "question": "How many countries does the Danube cross?",
                      "answers": [{"text": "ten", "answer_start": 28}]}]},
        ]},
        {"title": "Rivers of Europe", "paragraphs": [{"context": "The Elbe rises in the Czech Republic.",
                                                      "qas": []}]},
    ],
}


def test_squad_json(tmp_path: Path) -> None:
    """Unanswerable questions are skipped and counted; the holding paragraph is the relevant document."""
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(SQUAD), encoding="utf-8")
    ds = load_dataset(path)
    assert ds.info["format"] == "squad" and ds.query_origin == "dataset"
    ids = ["Rivers_of_Europe-p0", "Rivers_of_Europe-p1", "Rivers_of_Europe-1-p0"]
    assert [d.id for d in ds.corpus] == ids
    assert {q.id: q.answer for q in ds.queries} == {"q1": "the North Sea", "q3": "ten"}
    assert ds.qrels == {"q1": {"Rivers_of_Europe-p0": 1}, "q3": {"Rivers_of_Europe-p1": 1}}
    assert ds.info["questions_skipped"] == 1
    assert ds.corpus[0].title == "Rivers of Europe"


def test_plain_json_is_not_squad(tmp_path: Path) -> None:
    """A JSON list of records is read as documents, not mistaken for SQuAD."""
    (tmp_path / "docs.json").write_text(json.dumps([{"id": "a", "text": "The data paragraphs."}]))
    ds = load_dataset(tmp_path / "docs.json", synthetic="keyphrase")
    assert ds.info["format"] == "files"


def test_squad_file_inside_a_folder_is_skipped_with_a_hint(tmp_path: Path) -> None:
    """Read as plain records, a SQuAD file would become one junk document; it is skipped with a reason."""
    (tmp_path / "dev.json").write_text(json.dumps(SQUAD), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Harbour notes. Ferries leave early.", encoding="utf-8")
    ds = load_dataset(tmp_path, synthetic="keyphrase")
    assert [d.id for d in ds.corpus] == ["notes.txt"]
    assert ds.info["files_skipped"] == {"SQuAD file inside a folder (pass the file itself)": 1}


def test_truncated_squad_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(SQUAD)[:-40], encoding="utf-8")
    with pytest.raises(TrialInputError, match=r"dev.json: invalid JSON"):
        load_dataset(path)
