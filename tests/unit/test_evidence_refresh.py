"""The two producers of the evidence table agree: scripts/build_evidence.py on a git checkout of the
results repo and `catalog refresh` on the same files served over HTTP (a real git repo in a temp folder and
a real server on 127.0.0.1) give identical tables, legacy and renamed files included."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from catalog.evidence_data import TaskScores, dumps, evidence_table, task_info
from catalog.evidence_refresh import compare_evidence, evidence_file_stems, refresh_evidence
from evaluators.api.mteb_fetch import fetch_results
from scripts.build_evidence import read_results, tasks_from_metadata
from tests.unit._fake_http import running_server, serve_results

TASKS = {
    t.name: t
    for t in (
        task_info(
            "MIRACLRetrieval", "Retrieval", "ndcg_at_10", ["dev"], {"zh": ["zho-Hans"], "ja": ["jpn-Jpan"]}
        ),
        task_info("T2Retrieval", "Retrieval", "ndcg_at_10", ["dev"], ["cmn-Hans"]),
        task_info("CMedQAv2-reranking", "Reranking", "map_at_1000", ["test"], ["cmn-Hans"]),
    )
}
FOLDERS = {"org/alpha": "org__alpha", "org/beta": "org__beta"}


def _current(task: str, split: str, subsets: dict[str, float], version: str) -> dict[str, Any]:
    rows = [
        {"hf_subset": s, "ndcg_at_10": v, "main_score": v, "languages": ["x"]} for s, v in subsets.items()
    ]
    return {"task_name": task, "mteb_version": version, "scores": {split: rows}}


# (folder, revision, file stem) -> result JSON: new and legacy formats, two revisions, a renamed task
FILES: dict[tuple[str, str, str], dict[str, Any]] = {
    ("org__alpha", "rev1", "MIRACLRetrieval"): _current(
        "MIRACLRetrieval", "dev", {"zh": 0.61, "ja": 0.5}, "2.1.0"
    ),
    ("org__alpha", "rev0", "MIRACLRetrieval"): _current("MIRACLRetrieval", "dev", {"zh": 0.2}, "1.2.0"),
    ("org__alpha", "no_revision_available", "T2Retrieval"): {
        "mteb_version": "1.0.0",
        "dev": {"ndcg_at_10": 0.8},
    },
    ("org__beta", "external", "CMedQAv2"): {"mteb_version": "1.0.1", "test": {"map_at_1000": 0.7}},
    ("org__beta", "rev9", "MIRACLRetrieval"): _current("MIRACLRetrieval", "dev", {"ja": 0.45}, "2.0.0"),
}


def _git_checkout(root: Path) -> Path:
    for (folder, rev, stem), body in FILES.items():
        path = root / "results" / folder / rev / f"{stem}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body), encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "fixture"]):
        subprocess.run(["git", *cmd], cwd=root, env=env, check=True, capture_output=True)
    return root / ".git"


def test_build_and_refresh_give_the_same_table(tmp_path: Path) -> None:
    git_dir = _git_checkout(tmp_path)
    files, missing = read_results(git_dir, "HEAD", FOLDERS, set(TASKS))
    assert missing == []
    built = evidence_table(TASKS, files, {"results": {"commit": "fixture"}})

    shipped = TaskScores(TASKS, (), {}, {"mteb": {"commit": "m"}})
    with running_server() as server:
        by_revision: dict[tuple[str, str], dict[str, Any]] = {}
        for (folder, rev, stem), body in FILES.items():
            by_revision.setdefault((folder, rev), {})[stem] = body
        for (folder, rev), results in by_revision.items():
            serve_results(server, folder, rev, results)
        fetched = fetch_results(FOLDERS, evidence_file_stems(shipped), source=server.url, workers=2)
    refreshed = refresh_evidence(shipped, fetched.files, source=server.url, generated="2026-12-01T00:00:00Z")

    assert (
        refreshed.scores()
        == built.scores()
        == {
            "CMedQAv2-reranking": {"zh": {"org/beta": 70.0}},
            "MIRACLRetrieval": {"ja": {"org/alpha": 50.0, "org/beta": 45.0}, "zh": {"org/alpha": 61.0}},
            "T2Retrieval": {"zh": {"org/alpha": 80.0}},
        }
    )
    same_sources = TaskScores(refreshed.tasks, refreshed.models, refreshed.packed, built.sources)
    assert dumps(same_sources) == dumps(built)
    assert refreshed.sources["generated"] == "2026-12-01T00:00:00Z"
    assert compare_evidence(built, refreshed).changed == 0


def test_compare_evidence_counts_changes_and_new_models() -> None:
    before = evidence_table(
        TASKS,
        {
            "org/alpha": {
                "T2Retrieval": [("1", FILES[("org__alpha", "no_revision_available", "T2Retrieval")])]
            }
        },
    )
    after_files = {
        "org/alpha": {"T2Retrieval": [("2", _current("T2Retrieval", "dev", {"default": 0.81}, "2.0.0"))]},
        "org/beta": {"CMedQAv2": [("1", FILES[("org__beta", "external", "CMedQAv2")])]},
    }
    after = evidence_table(TASKS, after_files)
    change = compare_evidence(before, after)
    assert (change.changed, change.models_gained, change.scores_after) == (1, ("org/beta",), 2)
    assert "new evidence for org/beta" in change.summary()


def test_task_metadata_is_read_from_mteb_task_metadata_fields() -> None:
    """The build keeps text-only tasks of the four kept types, with mteb's own field names."""
    meta = [
        SimpleNamespace(
            name="XPQARetrieval",
            type="Retrieval",
            modalities=["text"],
            main_score="ndcg_at_10",
            eval_splits=["test"],
            eval_langs={"cmn-cmn": ["cmn-Hans", "cmn-Hans"], "eng-cmn": ["eng-Latn", "cmn-Hans"]},
            domains=["Reviews", "Written"],
        ),
        SimpleNamespace(
            name="Img",
            type="Retrieval",
            modalities=["image", "text"],
            main_score="x",
            eval_splits=["test"],
            eval_langs=["eng-Latn"],
            domains=None,
        ),
        SimpleNamespace(
            name="STS12",
            type="STS",
            modalities=["text"],
            main_score="cosine_spearman",
            eval_splits=["test"],
            eval_langs=["eng-Latn"],
            domains=None,
        ),
    ]
    tasks = tasks_from_metadata(meta)
    assert list(tasks) == ["XPQARetrieval"]
    assert tasks["XPQARetrieval"].slices == {"zh": ("cmn-cmn",), "en-zh": ("eng-cmn",)}


@pytest.mark.parametrize("stem", ["CMedQAv2", "CMedQAv2-reranking"])
def test_renamed_tasks_are_fetched_under_both_names(stem: str) -> None:
    assert stem in evidence_file_stems(TaskScores(TASKS, (), {}))


def test_a_partial_download_keeps_the_current_scores() -> None:
    """A mirror without some files never turns evidence into nothing: what it lacks keeps its value."""
    shipped = TaskScores(TASKS, (), {}, {})
    current = evidence_table(
        TASKS, {"org/beta": {"CMedQAv2": [("1", FILES[("org__beta", "external", "CMedQAv2")])]}}
    )
    files = {"org/alpha": {"T2Retrieval": [("2", _current("T2Retrieval", "dev", {"default": 0.9}, "2.0.0"))]}}
    merged = refresh_evidence(shipped, files, source="s", generated="g", current=current)
    assert merged.scores() == {
        "CMedQAv2-reranking": {"zh": {"org/beta": 70.0}},
        "T2Retrieval": {"zh": {"org/alpha": 90.0}},
    }


def test_the_evidence_overlay_is_read_once_and_a_broken_one_falls_back(home: Path) -> None:
    from catalog.evidence_data import load_task_scores
    from storage.catalog_overlay import (
        effective_catalog_version,
        effective_task_scores,
        evidence_overlay_path,
        write_evidence_overlay,
    )

    assert effective_task_scores() is load_task_scores()
    table = refresh_evidence(TaskScores(TASKS, (), {}, {}), {}, source="s", generated="2026-12-01T00:00:00Z")
    write_evidence_overlay(table)
    assert effective_task_scores().tasks == {} and effective_task_scores() is effective_task_scores()
    assert effective_catalog_version().endswith("+evidence:2026-12-01T00:00:00Z")
    evidence_overlay_path().write_text("{not json", encoding="utf-8")
    assert effective_task_scores() is load_task_scores()
