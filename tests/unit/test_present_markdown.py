"""The Markdown report of a saved decision (`tui.present.markdown`): every section, the shared trial columns
with intervals and n, human labels instead of field names, escaped cells, and a bare draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import store
from tests.unit._journal_data import model_result, recommendation, trial
from tui.present.markdown import decision_markdown


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return store.open_db(tmp_path / "journal.db")


def _full_decision(db: Database) -> int:
    did = store.create_decision(
        db,
        title="Légal | search 'v1'",
        requirements={"languages": ["en", "fr"], "doc_tokens": 3000, "gpu": None, "open_only": False,
                      "language": "en"},
        tags=["prod"],
    )  # fmt: skip
    store.attach_recommendation(db, did, recommendation("BAAI/bge-m3", "minilm"))
    store.save_trial(db, did, trial(model_result("BAAI/bge-m3", 0.71), model_result("minilm", 0, "failed")))
    store.save_trial(db, did, trial(model_result("bm25", 0.4), complete=False))
    store.decide(db, did, model="BAAI/bge-m3", note="Best nDCG@10;\nfits the 'open' budget")
    return did


def test_markdown_report_has_every_section(db: Database) -> None:
    """The report shows answers, shortlist with reasons, trials with CIs and n, the choice and rationale."""
    md = decision_markdown(store.get_decision(db, _full_decision(db)))
    assert md.startswith("# Légal | search 'v1'\n")
    for expected in (
        "## Questions and answers",
        "| Languages | English, French |",
        "| Typical document length | 3,000 tokens |",
        "| GPU | none |",
        "| Open weights only | no |",
        "| Language | en |",  # a field this version does not know: its name in words
        "## Shortlist",
        "Catalog version 2026.11",
        "1. **BAAI/bge-m3**, score 0.9\n    - reason 0",  # reasons as bullets, not a table cell
        "### Excluded",
        "- **big/model**\n    - needs a GPU",
        "## Trials",
        "### Trial 1 on demo (complete)",
        "fingerprint fp-demo-1",
        "| Model | Status | nDCG@10 [95% CI] | vs best |",
        "0.710 [0.660, 0.760]",
        "failed: out of memory",
        "### Trial 2 on demo (incomplete)",
        "## Choice",
        "**Chosen model:** BAAI/bge-m3",
        "> fits the 'open' budget",
    ):
        assert expected in md, expected
    row = next(line for line in md.splitlines() if line.startswith("| BAAI/bge-m3 | ok"))
    assert row.split("|")[-3].strip() == "2"  # n = queries behind the numbers
    prose = "".join(md.split("```")[::2])  # the hand-over code snippets are Python, the rest is words
    for reprs in ("True", "False", "None", "doc_tokens", "open_only", "{'"):
        assert reprs not in prose, reprs


def test_markdown_escapes_table_cells(db: Database) -> None:
    did = store.create_decision(db, title="t", requirements={"notes": "a | b\nc"})
    assert "| Notes | a \\| b<br>c |" in decision_markdown(store.get_decision(db, did))


def test_markdown_for_bare_draft(db: Database) -> None:
    md = decision_markdown(store.get_decision(db, store.create_decision(db, title="empty")))
    assert (
        "_No recommendation recorded._" in md and "_No trials recorded._" in md and "_No model chosen" in md
    )
