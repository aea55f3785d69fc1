"""`embedscout trial` on a document sample with BM25 and the packaged MiniLM: one winner-stability line under
the table, the figure in --json, and the same figure in `show` and `export --format md` after --save."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tui.cli import main

SAMPLE = ["--demo", "--sample", "120", "--chunk-tokens", "0", "--backend", "torch"]
SAMPLE += ["-m", "bm25", "-m", "minilm"]


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.slow
def test_sampled_trial_reports_winner_stability_everywhere(minilm_path: str, home: Path) -> None:
    res = _run("trial", *SAMPLE, "--save", "--title", "sampled")
    assert res.exit_code == 0, res.output
    lines = [line for line in res.stdout.splitlines() if line.strip()]
    at = next(i for i, line in enumerate(lines) if line.startswith("Winner stability: "))
    text = " ".join(lines[at:])  # the line may wrap at the console's width
    assert "of 2,000 query resamples" in text and "sample of 120/240 documents" in text
    assert at > next(i for i, line in enumerate(lines) if line.startswith("Metrics: mean over"))

    data = json.loads(_run("trial", *SAMPLE, "--json").stdout)  # vectors now come from the cache
    figure = data["stability"]
    best = next(r["model"] for r in data["results"] if r["details"].get("best"))
    assert figure["best"] == best and 0 < figure["stability"] <= 1 and figure["n_resamples"] == 2000
    assert figure["n_queries"] == data["dataset"]["n_queries_evaluated"]
    sample = figure["sample"]
    assert (sample["n_docs"], sample["n_docs_total"]) == (120, 240) and sample["n_distractors"] >= 60
    assert sample["verdict"] in ("could change", "unlikely", "unknown") and sample["reason"]
    assert {m for m, _ in sample["projected"]} == {r["model"] for r in data["results"]}

    shown = _run("show", "1")
    assert shown.exit_code == 0 and "Winner stability: " in shown.stdout
    report = _run("export", "1", "--format", "md").stdout
    assert "#### Winner stability" in report and "Document sample: 120 of 240 documents" in report
