"""The journal commands end to end (CliRunner through the real `embedscout` group) on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from storage import store
from tests.unit._journal_data import model_result, recommendation, trial
from tui.cli import main

ODD_TITLE = "[bold]Légal[/bold] 检索 'x'; DROP TABLE decisions;--"


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "journal.db"
    monkeypatch.setenv("EMBEDSCOUT_DB", str(path))  # restored after the test, even if --db changed it
    return path


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def seed(path: Path) -> dict[str, int]:
    db = store.open_db(path)
    ids = {
        "legal": store.create_decision(
            db, title="Contracts", requirements={"languages": ["en"], "domain": "legal"}, tags=["prod"]
        ),
        "odd": store.create_decision(db, title=ODD_TITLE, requirements={"note": ODD_TITLE}),
    }
    store.attach_recommendation(db, ids["legal"], recommendation("BAAI/bge-m3", "minilm"))
    store.save_trial(
        db, ids["legal"], trial(model_result("BAAI/bge-m3", 0.7), model_result("minilm", 0, "failed"))
    )
    store.attach_recommendation(db, ids["odd"], recommendation("minilm", "nomic/embed"))
    db.close()
    return ids


def one_line_error(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("embedscout: error: "), result.stderr
    return lines[0]


def test_history_empty_then_listed(db_file: Path) -> None:
    assert run("history").output.strip() == "The journal is empty."
    ids = seed(db_file)
    result = run("history")
    assert result.exit_code == 0 and "Contracts" in result.output and "prod" in result.output
    rows = json.loads(run("history", "--json").output)
    assert [r["id"] for r in rows] == [ids["odd"], ids["legal"]]
    assert rows[0]["title"] == ODD_TITLE  # user text comes back byte for byte


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--search", "contracts"], ["legal"]),
        (["--search", "DROP TABLE"], ["odd"]),
        (["--tag", "PROD"], ["legal"]),
        (["--model", "nomic"], ["odd"]),
        (["--model", "bge-m3"], ["legal"]),
        (["--status", "draft"], ["odd", "legal"]),
        (["--status", "decided"], []),
        (["-n", "1"], ["odd"]),
        (["--since", "2000-01-01", "--until", "2999-12-31"], ["odd", "legal"]),
    ],
)
def test_history_filters(db_file: Path, args: list[str], expected: list[str]) -> None:
    ids = seed(db_file)
    rows = json.loads(run("history", "--json", *args).output)
    assert [r["id"] for r in rows] == [ids[k] for k in expected]


def test_history_bad_inputs(db_file: Path) -> None:
    assert "not a date" in one_line_error(run("history", "--since", "yesterday"))
    assert run("history", "--status", "maybe").exit_code == 2
    seed(db_file)
    assert run("history", "--search", "zzz").output.strip() == "No decisions match."


def test_show_table_and_json(db_file: Path) -> None:
    ids = seed(db_file)
    out = run("show", str(ids["odd"])).output
    assert ODD_TITLE in out  # markup-looking text printed literally
    out = run("show", str(ids["legal"])).output
    for expected in ("Contracts", "BAAI/bge-m3", "failed", "0.700", "No model chosen yet", "Domain", "Legal"):
        assert expected in out
    doc = json.loads(run("show", str(ids["legal"]), "--json").output)
    assert doc["decision"]["title"] == "Contracts" and len(doc["trials"]) == 1


def test_missing_decision_is_one_line_error(db_file: Path) -> None:
    seed(db_file)
    for args in (
        ["show", "99"],
        ["decide", "99", "--model", "m"],
        ["export", "99"],
        ["delete", "99", "--yes"],
    ):
        assert "no decision with id 99" in one_line_error(run(*args))
    assert "no decision with id 98" in one_line_error(run("diff", "1", "98"))


def test_decide_resolves_catalog_names_and_keeps_note(db_file: Path) -> None:
    ids = seed(db_file)
    note = "Beat minilm by 0.2 nDCG; 'open' licence — ok"
    result = run("decide", str(ids["legal"]), "--model", "bge-m3", "--note", note)
    assert result.exit_code == 0, result.output
    d = store.get_decision(store.open_db(db_file), ids["legal"])
    assert (d.status, d.chosen_model, d.rationale) == ("decided", "BAAI/bge-m3", note)
    result = run("decide", str(ids["odd"]), "--model", "my-internal-model")
    assert result.exit_code == 0 and "stored as given" in result.stderr
    assert run("decide", str(ids["odd"])).exit_code == 2  # --model is required


def test_decide_supersedes_older_decision(db_file: Path) -> None:
    ids = seed(db_file)
    result = run("decide", str(ids["odd"]), "--model", "minilm", "--supersedes", str(ids["legal"]))
    assert result.exit_code == 0, result.output
    old = store.get_decision(store.open_db(db_file), ids["legal"])
    assert (old.status, old.superseded_by) == ("superseded", ids["odd"])
    assert [r["id"] for r in json.loads(run("history", "--json", "--status", "superseded").output)] == [
        ids["legal"]
    ]
    assert "no decision with id 77" in one_line_error(
        run("decide", str(ids["odd"]), "-m", "x", "--supersedes", "77")
    )


def test_diff(db_file: Path) -> None:
    ids = seed(db_file)
    result = run("diff", str(ids["legal"]), str(ids["odd"]))
    assert result.exit_code == 0, result.output
    for expected in ("Questions and answers", "Shortlist", "nomic/embed", "Trial results", "0.700", "Legal"):
        assert expected in result.output


def test_export_import_round_trip(db_file: Path, tmp_path: Path) -> None:
    ids = seed(db_file)
    md_file, json_file = tmp_path / "report.md", tmp_path / "decision.json"
    assert run("export", str(ids["legal"]), "--format", "md", "-o", str(md_file)).exit_code == 0
    md = md_file.read_text(encoding="utf-8")
    assert md.startswith("# Contracts") and "## Trials" in md and "nDCG@10 [95% CI]" in md
    assert run("export", str(ids["odd"]), "--format", "json", "-o", str(json_file)).exit_code == 0
    from_stdout = json.loads(run("export", str(ids["odd"]), "--format", "json").output)
    from_file = json.loads(json_file.read_text(encoding="utf-8"))
    assert from_stdout | {"exported_at": ""} == from_file | {"exported_at": ""}
    result = run("import", str(json_file))
    assert result.exit_code == 0 and result.output.startswith("Imported as decision #3")
    original, copy = (json.loads(run("show", i, "--json").output) for i in (str(ids["odd"]), "3"))
    for doc in (original, copy):
        doc.pop("exported_at")
        doc["decision"].pop("id")
    assert copy == original and copy["decision"]["title"] == ODD_TITLE


def test_export_refuses_to_overwrite_the_journal(db_file: Path) -> None:
    ids = seed(db_file)
    before = db_file.read_bytes()
    assert "the journal itself" in one_line_error(run("export", str(ids["legal"]), "-o", str(db_file)))
    assert db_file.read_bytes() == before


def test_import_rejects_garbage(db_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    assert "not an embedscout decision export" in one_line_error(run("import", str(bad)))
    assert run("import", str(tmp_path / "missing.json")).exit_code == 2
    assert run("import", "-", stdin="{oops").exit_code == 1


def test_delete_asks_first(db_file: Path) -> None:
    ids = seed(db_file)
    target = str(ids["legal"])
    declined = run("delete", target, stdin="n\n")
    assert declined.exit_code == 1 and "Not deleted." in declined.output
    assert store.get_decision(store.open_db(db_file), ids["legal"]).title == "Contracts"
    no_answer = run("delete", target, stdin="")
    assert "pass --yes" in one_line_error(no_answer)
    confirmed = run("delete", target, stdin="y\n")
    assert confirmed.exit_code == 0 and f"Deleted decision #{target}" in confirmed.output
    assert run("delete", str(ids["odd"]), "--yes").exit_code == 0
    assert json.loads(run("history", "--json").output) == []


def test_db_option_and_corrupt_file(db_file: Path, tmp_path: Path) -> None:
    """--db picks the file; a non-SQLite file there is a one-line error and stays byte-identical."""
    other = tmp_path / "other.db"
    assert run("--db", str(other), "history").exit_code == 0
    assert other.exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all\n" * 50)
    before = junk.read_bytes()
    assert "not an SQLite database" in one_line_error(run("--db", str(junk), "history"))
    assert junk.read_bytes() == before


def _saved_real_recommendation(db_file: Path) -> tuple[int, dict[str, Any]]:
    ranking = pytest.importorskip("catalog.ranking")
    from catalog.load import catalog_version, load_catalog
    from catalog.requirements import Requirements

    req = Requirements(languages=("en",), domain="legal", doc_tokens=3000, open_only=True)
    rec = ranking.recommend(req, load_catalog(), catalog_version=catalog_version()).to_dict()
    db = store.open_db(db_file)
    did = store.create_decision(db, title="recheck me", requirements=req.to_dict())
    store.attach_recommendation(db, did, rec)
    store.decide(db, did, model=rec["candidates"][2]["id"], note="third, but small")
    return did, rec


def test_recheck_unchanged_then_changed(db_file: Path) -> None:
    """recheck re-ranks the saved requirements on today's catalog and reports movement around the choice."""
    did, rec = _saved_real_recommendation(db_file)
    same = run("recheck", str(did))
    assert same.exit_code == 0, same.output
    assert "Nothing changed" in same.output
    stale = dict(
        rec, catalog_version="2020-01-01+old", candidates=[rec["candidates"][2], rec["candidates"][0]]
    )
    stale["candidates"] = [dict(stale["candidates"][0], score=1.0), stale["candidates"][1]]
    store.attach_recommendation(store.open_db(db_file), did, stale)
    report = json.loads(run("recheck", str(did), "--json").output)
    assert report["old_catalog_version"] == "2020-01-01+old" and not report["unchanged"]
    assert report["chosen_old_rank"] == 1 and report["chosen_new_rank"] == 3
    assert rec["candidates"][1]["id"] in report["outranking_chosen"]
    assert any(c["field"] == "score" and c["old"] == 1.0 for c in report["changes"])
    saved = run("recheck", str(did), "--save")
    assert saved.exit_code == 0 and "Saved the fresh recommendation" in saved.output
    assert json.loads(run("recheck", str(did), "--json").output)["unchanged"] is True


def test_recheck_without_requirements(db_file: Path) -> None:
    did = store.create_decision(store.open_db(db_file), title="bare")
    assert "no saved requirements" in one_line_error(run("recheck", str(did)))
