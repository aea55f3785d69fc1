"""`embedscout catalog refresh` against a real 127.0.0.1 results mirror: diff, confirmation, atomic overlay,
offline in one line, and nothing written after any failure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.evidence_data import load_task_scores
from catalog.models import Benchmark
from catalog.refresh import load_benchmarks
from evaluators.api import mteb_fetch
from storage.catalog_overlay import (
    catalog_with_overlay,
    effective_task_scores,
    overlay_path,
    read_overlay,
    write_overlay,
)
from tests.unit._fake_http import FakeServer, free_closed_port_url, mteb_result, running_server, serve_results
from tui.cli.cmd_catalog_refresh import refresh

MODEL = "openai/text-embedding-3-small"
FOLDER = "openai__text-embedding-3-small"


@pytest.fixture
def mirror(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    monkeypatch.setitem(mteb_fetch.fetch_results.__kwdefaults__, "backoff_base", 0.01)
    with running_server() as state:
        law = {t.name: mteb_result(t, 0.6) for t in load_benchmarks()["mteb_law_v1"].tasks}
        serve_results(state, FOLDER, "1", law)
        serve_results(state, "acme__brand-new", "r1", law)
        yield state


def _run(args: list[str], stdin: str | None = None):  # noqa: ANN202 - click Result
    return CliRunner().invoke(refresh, args, input=stdin)


def _law_mean() -> float | None:
    spec = next(m for m in catalog_with_overlay() if m.id == MODEL)
    return spec.scores[Benchmark.MTEB_LAW_V1].mean


def test_dry_run_shows_diff_and_writes_nothing(mirror: FakeServer) -> None:
    result = _run(["--source", mirror.url, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"{MODEL}  mteb_law_v1.mean: 56.27 -> 60.00 (+3.73)" in result.output
    assert "new models with results (not added; the catalog is curated): acme__brand-new" in result.output
    assert "dry run: catalog unchanged" in result.output
    assert not overlay_path().exists()


def test_yes_writes_overlay_and_catalog_uses_it(mirror: FakeServer) -> None:
    result = _run(["--source", mirror.url, "--yes"])
    assert result.exit_code == 0, result.output
    overlay = read_overlay()
    assert overlay is not None and overlay["source"] == mirror.url
    assert set(overlay["models"]) == {MODEL}
    assert _law_mean() == 60.0
    # no temp files; the evidence overlay holds the recomputed slice scores, the rest of the table kept
    assert sorted(p.name for p in overlay_path().parent.iterdir()) == [
        "catalog_overlay.json",
        "task_scores_overlay.json",
    ]
    evidence = effective_task_scores()
    assert evidence.slice_scores("LeCaRDv2", "zh")[MODEL] == 60.0
    assert evidence.slice_scores("T2Retrieval", "zh") == load_task_scores().slice_scores("T2Retrieval", "zh")
    assert "evidence:" in result.output
    again = _run(["--source", mirror.url, "--yes"])
    assert "catalog is up to date; nothing written" in again.output


def test_declined_confirmation_changes_nothing(mirror: FakeServer) -> None:
    result = _run(["--source", mirror.url], stdin="n\n")
    assert result.exit_code == 0
    assert "catalog unchanged" in result.output and not overlay_path().exists()
    assert _law_mean() == 56.27


def _existing_overlay() -> bytes:
    write_overlay(
        {
            "generated": "earlier",
            "source": "old",
            "models": {
                MODEL: {"scores": {"mteb_law_v1": {"mean": 57.0, "retrieval_mean": 57.0, "source": "old"}}}
            },
        }
    )
    return overlay_path().read_bytes()


def test_offline_is_one_line_and_changes_nothing() -> None:
    before = _existing_overlay()
    result = _run(["--source", free_closed_port_url(), "--yes"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["offline: could not reach 127.0.0.1; catalog unchanged"]
    assert overlay_path().read_bytes() == before


@pytest.mark.parametrize("fault", ["listing_malformed", "file_truncated", "file_malformed", "file_slow"])
def test_failed_fetch_leaves_overlay_untouched(mirror: FakeServer, fault: str) -> None:
    """Any failure part-way (after retries) aborts before writing: the previous overlay is byte-identical."""
    before = _existing_overlay()
    path = f"/results/{FOLDER}/1/LegalQuAD.json"
    if fault == "listing_malformed":
        mirror.fault("malformed", path="/paths.json")
    elif fault == "file_truncated":
        mirror.fault("truncated", path=path, times=10)
    elif fault == "file_malformed":
        mirror.files[path] = b'{"scores": {"test": [ {'
    else:
        mirror.fault("slow", 1.0, path=path, times=10)
    result = _run(["--source", mirror.url, "--yes", "--timeout", "0.3"])
    assert result.exit_code == 1, result.output
    assert result.output.strip().endswith("catalog unchanged")
    if fault.startswith("file_"):
        expected = 1 if fault == "file_malformed" else 4  # 3 retries
        assert mirror.count_settled(path, expected) == expected
    assert overlay_path().read_bytes() == before
    assert _law_mean() == 57.0


def test_persistent_5xx_is_retried_then_refused(mirror: FakeServer) -> None:
    before = _existing_overlay()
    mirror.fault("status", 500, times=50)
    result = _run(["--source", mirror.url, "--yes"])
    assert result.exit_code == 1
    assert "HTTP 500 after 4 attempts" in result.output and "catalog unchanged" in result.output
    assert mirror.count("/paths.json") == 4
    assert overlay_path().read_bytes() == before


def test_invalid_refresh_is_refused(mirror: FakeServer) -> None:
    """Implausible numbers (a 30-point jump) fail validation: nothing is written."""
    for t in load_benchmarks()["mteb_law_v1"].tasks:
        mirror.files[f"/results/{FOLDER}/1/{t.name}.json"] = json.dumps(mteb_result(t, 0.9)).encode()
    result = _run(["--source", mirror.url, "--yes"])
    assert result.exit_code == 1
    assert "implausible" in result.output and "failed validation; catalog unchanged" in result.output
    assert not overlay_path().exists()


def test_corrupt_overlay_falls_back_to_shipped(tmp_path: Path) -> None:
    overlay_path().write_text("{ not json")
    assert _law_mean() == 56.27


def test_source_without_listing_is_probed(mirror: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mirror with result files but no paths.json still refreshes, and says what it could not do."""
    import catalog.refresh

    # Probing every catalog model costs ~230 requests per revision folder: keep the test to one model.
    monkeypatch.setattr(catalog.refresh, "known_revisions", lambda: {FOLDER: ["1", "2"]})
    del mirror.files["/paths.json"]
    result = _run(["--source", mirror.url, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "note: the source has no paths.json" in result.output
    assert f"{MODEL}  mteb_law_v1.mean: 56.27 -> 60.00 (+3.73)" in result.output
    assert "acme__brand-new" not in result.output
