"""Per-task slice scores: the shared compute (splits x subsets, missing rows, legacy files, renamed tasks,
revision order), the compact file format, and the shipped table itself."""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any

import pytest

from catalog.evidence_data import (
    TaskScores,
    compute_scores,
    dumps,
    evidence_table,
    load_task_scores,
    parse_document,
    slice_score,
    task_info,
    task_slice_scores,
)
from catalog.load import load_catalog
from catalog.mteb_results import normalise_result

MIRACL = task_info(
    "MIRACLRetrieval",
    "Retrieval",
    "ndcg_at_10",
    ["dev"],
    {"zh": ["zho-Hans"], "ja": ["jpn-Jpan"], "en": ["eng-Latn"]},
    ["Encyclopaedic"],
)
MLQA = task_info(
    "MLQARetrieval",
    "Retrieval",
    "ndcg_at_10",
    ["validation", "test"],
    {"zho-zho": ["zho-Hans", "zho-Hans"], "eng-zho": ["eng-Latn", "zho-Hans"], "deu-deu": ["deu-Latn"]},
)
T2 = task_info("T2Retrieval", "Retrieval", "ndcg_at_10", ["dev"], ["cmn-Hans"], ["Medical"])


def result(task: Any, values: dict[str, float], version: str = "2.0.0") -> dict[str, Any]:
    """Current-format result file: one row per (split, subset) with the main metric."""
    rows = lambda split: [  # noqa: E731
        {"hf_subset": sub, "main_score": v, task.main_score: v, "languages": ["x"]}
        for sub, v in values.items()
    ]
    return {"task_name": task.name, "mteb_version": version, "scores": {s: rows(s) for s in task.splits}}


def test_task_info_groups_subsets_into_language_slices() -> None:
    """Monolingual subsets give a language slice; a cross-lingual subset gets its pair; list-style
    eval_langs is one 'default' subset; mteb's 639-3 + script tags become the catalog's 639-1 codes."""
    assert MIRACL.slices == {"zh": ("zh",), "ja": ("ja",), "en": ("en",)}
    assert MLQA.slices == {"zh": ("zho-zho",), "en-zh": ("eng-zho",), "de": ("deu-deu",)}
    assert T2.slices == {"zh": ("default",)} and T2.domains == ("Medical",)
    code = task_info("CSN", "Retrieval", "ndcg_at_10", ["test"], {"python": ["python-Code", "eng-Latn"]})
    assert list(code.slices) == ["code-en"]


def test_slice_score_is_the_mean_over_splits_and_subsets() -> None:
    res = result(MLQA, {"zho-zho": 0.6, "eng-zho": 0.4, "deu-deu": 0.8})
    res["scores"]["test"][0] = {**res["scores"]["test"][0], "ndcg_at_10": 0.7, "main_score": 0.7}
    assert slice_score(MLQA, "zh", res) == pytest.approx(100 * (0.6 + 0.7) / 2)
    assert slice_score(MLQA, "de", res) == pytest.approx(80.0)


@pytest.mark.parametrize("breakage", ["missing_subset", "nan", "missing_split", "no_metric"])
def test_an_incomplete_slice_is_missing_not_zero(breakage: str) -> None:
    res = result(MLQA, {"zho-zho": 0.6, "eng-zho": 0.4, "deu-deu": 0.8})
    test_rows = res["scores"]["test"]
    if breakage == "missing_subset":
        res["scores"]["test"] = [r for r in test_rows if r["hf_subset"] != "zho-zho"]
    elif breakage == "nan":
        test_rows[0].update(ndcg_at_10=math.nan, main_score=math.nan)
    elif breakage == "missing_split":
        del res["scores"]["validation"]
    else:  # neither a stored main_score nor the current metric
        test_rows[0] = {k: v for k, v in test_rows[0].items() if k not in ("ndcg_at_10", "main_score")}
    scores = task_slice_scores(MLQA, [("r1", res)])
    assert "zh" not in scores
    if breakage != "missing_split":  # other slices of the same file still count
        assert scores["de"] == pytest.approx(80.0)


def test_legacy_result_files_are_read_like_mteb_does() -> None:
    """Files from before mteb 1.11 ({split: metrics}, or {split: {subset: metrics}}) still count."""
    flat = {"mteb_dataset_name": "T2Retrieval", "mteb_version": "1.0.0", "dev": {"ndcg_at_10": 0.73143}}
    assert normalise_result(flat)["scores"] == {"dev": [{"ndcg_at_10": 0.73143, "hf_subset": "default"}]}
    # (catalog.mteb_results is the one reader of old files, shared with the catalog build and refresh)
    assert task_slice_scores(T2, [("no_revision_available", flat)]) == {"zh": 73.14}
    nested = {"mteb_version": "1.0.0", "dev": {"zh": {"ndcg_at_10": 0.5}, "ja": {"ndcg_at_10": 0.25}}}
    assert task_slice_scores(MIRACL, [("external", nested)]) == {"zh": 50.0, "ja": 25.0}


def test_revision_order_is_main_then_newest_per_slice() -> None:
    """Per slice, the newest complete result wins; an older file fills a slice the newer one lacks."""
    new = result(MIRACL, {"zh": 0.6}, version="2.1.0")
    old = result(MIRACL, {"zh": 0.1, "ja": 0.3}, version="1.5.0")
    assert task_slice_scores(MIRACL, [("a", old), ("b", new)]) == {"zh": 60.0, "ja": 30.0}


def test_compute_scores_maps_renamed_files_and_ignores_unknown_tasks() -> None:
    rerank = task_info("CMedQAv2-reranking", "Reranking", "map_at_1000", ["test"], ["cmn-Hans"])
    legacy = {"mteb_version": "1.1.0", "test": {"map_at_1000": 0.5}}
    files = {
        "m/b": {"CMedQAv2": [("1", legacy)], "UnknownTask": [("1", {"scores": {}})]},
        "m/a": {"T2Retrieval": [("1", result(T2, {"default": 0.7}))]},
    }
    scores = compute_scores({t.name: t for t in (rerank, T2)}, files)
    assert scores == {"CMedQAv2-reranking": {"zh": {"m/b": 50.0}}, "T2Retrieval": {"zh": {"m/a": 70.0}}}


def test_document_round_trip_is_compact_and_lossless() -> None:
    files = {
        "org/one": {"MIRACLRetrieval": [("1", result(MIRACL, {"zh": 0.61234, "en": 0.5}))]},
        "org/two": {"MIRACLRetrieval": [("1", result(MIRACL, {"zh": 0.4}))], "T2Retrieval": []},
    }
    tasks = {t.name: t for t in (MIRACL, T2)}
    table = evidence_table(tasks, files, {"results": {"commit": "abc"}})
    assert set(table.tasks) == {"MIRACLRetrieval"}  # T2 had no result: not kept
    text = dumps(table)
    again = parse_document(json.loads(text))
    assert (
        again.scores()
        == table.scores()
        == {"MIRACLRetrieval": {"en": {"org/one": 50.0}, "zh": {"org/one": 61.23, "org/two": 40.0}}}
    )
    assert again.tasks == table.tasks and again.sources == {"results": {"commit": "abc"}}
    assert dumps(again) == text
    assert text.count("\n") == 3  # header line, one line per task, closing line


def test_malformed_documents_are_refused() -> None:
    with pytest.raises(ValueError, match="schema"):
        parse_document({"schema": 99, "tasks": {}})
    with pytest.raises(ValueError, match="malformed"):
        parse_document({"schema": 1, "models": [], "tasks": {"X": {"type": "Retrieval"}}})


def test_shipped_table_is_small_sourced_and_covers_the_catalog() -> None:
    raw = resources.files("catalog").joinpath("data/task_scores.json").read_bytes()
    assert len(raw) < 1_500_000
    table: TaskScores = load_task_scores()
    assert len(table.sources["results"]["commit"]) == 40 and len(table.sources["mteb"]["commit"]) == 40
    ids = {m.id for m in load_catalog()}
    rebuild = "catalog changed: rerun scripts/build_evidence.py MTEB_GIT RESULTS_GIT (docs/ranking.md)"
    assert set(table.models) <= ids, rebuild
    covered = set(table.models)
    assert len(covered) >= 0.85 * len(ids), rebuild
    assert {"BAAI/bge-m3", "BAAI/bge-large-zh-v1.5", "voyageai/voyage-code-3"} <= covered
    types = {t.type for t in table.tasks.values()}
    assert types == {"Retrieval", "Reranking", "Clustering", "Classification"}
    cmteb = {"T2Retrieval", "MMarcoRetrieval", "DuRetrieval", "CovidRetrieval", "CmedqaRetrieval"}
    assert all("zh" in table.packed[t] for t in cmteb)
    assert table.slice_scores("T2Retrieval", "zh")["moka-ai/m3e-base"] == pytest.approx(73.14)
