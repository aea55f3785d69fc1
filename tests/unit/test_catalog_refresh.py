"""Catalog refresh: the pure recompute (SOURCES.md rules), diff and validation, and the results fetch
against a real 127.0.0.1 server."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from catalog.load import load_catalog
from catalog.models import Benchmark
from catalog.refresh import (
    known_revisions,
    load_benchmarks,
    new_model_folders,
    pick_result,
    plan_refresh,
    recompute,
    results_folder,
    task_score,
    to_catalog_overlay,
)
from evaluators.api.http import ApiError, ApiResponseError
from evaluators.api.mteb_fetch import fetch_results, plan_downloads
from tests.unit._fake_http import FakeServer, mteb_result, running_server, serve_results

MODEL = "openai/text-embedding-3-small"


def _task(bench: str, name: str):  # noqa: ANN202 - TaskDef
    return next(t for t in load_benchmarks()[bench].tasks if t.name == name)


def _law_files(value: float) -> dict[str, list[tuple[str, dict]]]:
    return {t.name: [("1", mteb_result(t, value))] for t in load_benchmarks()["mteb_law_v1"].tasks}


def test_task_lists_match_sources_md() -> None:
    counts = {
        k: (len(b.tasks), sum(t.type == "Retrieval" for t in b.tasks)) for k, b in load_benchmarks().items()
    }
    assert counts == {
        "mteb_eng_v2": (41, 10),
        "mmteb_multilingual_v2": (131, 18),
        "cmteb_v1": (31, 8),
        "mteb_code_v1": (12, 12),
        "mteb_medical_v1": (12, 9),
        "mteb_law_v1": (8, 8),
    }


def test_task_score_is_mean_over_required_rows() -> None:
    """Per-task score = plain mean of each row's stored main_score over every split x subset row, x100."""
    task = _task("mteb_medical_v1", "PublicHealthQA")  # 8 subsets, one split
    result = mteb_result(task, 0.5)
    result["scores"]["test"][0].update(ndcg_at_10=0.9, main_score=0.9)
    assert task_score(task, result) == pytest.approx(100 * (0.9 + 7 * 0.5) / 8)


@pytest.mark.parametrize("breakage", ["drop_row", "nan", "legacy_metric", "drop_split"])
def test_incomplete_task_counts_as_missing(breakage: str) -> None:
    task = _task("mmteb_multilingual_v2", "MLQARetrieval")  # validation,test x 49 subsets
    result = mteb_result(task, 0.4)
    rows = result["scores"]["test"]
    if breakage == "drop_row":
        result["scores"]["test"] = rows[1:]
    elif breakage == "nan":
        rows[3] = {**rows[3], "ndcg_at_10": math.nan, "main_score": math.nan}
    elif breakage == "legacy_metric":  # neither a stored main_score nor the task's current metric
        rows[0] = {k: v for k, v in rows[0].items() if k not in ("ndcg_at_10", "main_score")}
    else:
        del result["scores"]["validation"]
    assert task_score(task, result) is None


def test_english_benchmark_selects_english_subsets() -> None:
    """MTEB(eng, v2) keeps only English rows (language filter), and 'en' for AmazonCounterfactual."""
    task = _task("mteb_eng_v2", "MassiveIntentClassification")
    result = mteb_result(task, 0.0, subsets=["de"], languages=["deu-Latn"])
    result["scores"]["test"].append({"hf_subset": "en", "languages": ["eng-Latn"], "accuracy": 0.7})
    assert task_score(task, result, ("eng",)) == pytest.approx(70.0)
    amazon = _task("mteb_eng_v2", "AmazonCounterfactualClassification")
    res = mteb_result(amazon, 0.8, subsets=["en", "en-ext"])
    res["scores"]["test"][1]["accuracy"] = 0.2
    assert task_score(amazon, res, ("eng",)) == pytest.approx(80.0)


def test_join_revisions_prefers_newest_mteb_version() -> None:
    old, new = {"mteb_version": "1.12.3"}, {"mteb_version": "2.1.0"}
    assert pick_result([("a", old), ("b", new)]) is new
    assert pick_result([("a", old), ("b", new)], main_revision="a") is old
    named, legacy = {"mteb_version": "2.0.0"}, {"mteb_version": "2.0.0"}
    assert pick_result([("external", legacy), ("abc123", named)]) is named


def test_benchmark_means_follow_coverage_rules() -> None:
    """Full mean only with every task; retrieval mean only with every Retrieval task."""
    bench = load_benchmarks()["mteb_medical_v1"]
    files = {t.name: [("1", mteb_result(t, 0.5 if t.type == "Retrieval" else 0.2))] for t in bench.tasks}
    full = recompute({MODEL: files})[MODEL]["mteb_medical_v1"]
    assert full["mean"] == pytest.approx(round((9 * 50 + 3 * 20) / 12, 2))
    assert full["retrieval_mean"] == 50.0 and full["tasks_with_results"] == 12
    del files["MedrxivClusteringS2S.v2"]
    partial = recompute({MODEL: files})[MODEL]["mteb_medical_v1"]
    assert partial["mean"] is None and partial["retrieval_mean"] == 50.0
    assert partial["mean_note"] == "No full mean: 1 task(s) lack results."
    del files["NFCorpus"]
    assert "mteb_medical_v1" not in recompute({MODEL: files}).get(MODEL, {})


def test_plan_refresh_diff_and_overlay_apply() -> None:
    """A changed law mean shows in the diff; the overlay patches only that benchmark of that model."""
    base = load_catalog()
    overlay, diff = plan_refresh(
        base, base, recompute({MODEL: _law_files(0.6)}), generated="2026-12-01", source="http://mirror"
    )
    assert not diff.errors
    changes = {(c.model, c.benchmark, c.field): (c.old, c.new) for c in diff.changed}
    assert changes == {
        (MODEL, "mteb_law_v1", "mean"): (56.27, 60.0),
        (MODEL, "mteb_law_v1", "retrieval_mean"): (56.27, 60.0),
    }
    merged = {m.id: m for m in load_catalog(overlay=to_catalog_overlay(overlay, base))}
    law = merged[MODEL].scores[Benchmark.MTEB_LAW_V1]
    assert law.mean == 60.0 and "http://mirror" in law.source
    assert merged[MODEL].scores[Benchmark.MTEB_ENG_V2].retrieval_mean == 53.48  # untouched


def test_refresh_never_turns_a_score_into_null() -> None:
    """Recomputed coverage lower than shipped (full mean lost): the shipped numbers stay and are reported."""
    bench = load_benchmarks()["mteb_medical_v1"]
    files = {
        t.name: [("1", mteb_result(t, 0.59))] for t in bench.tasks if t.name != "MedrxivClusteringS2S.v2"
    }
    recomputed = recompute({MODEL: files})
    assert recomputed[MODEL]["mteb_medical_v1"]["mean"] is None  # shipped: 55.6
    base = load_catalog()
    overlay, diff = plan_refresh(base, base, recomputed, generated="x", source="y")
    assert overlay["models"] == {} and not diff.changed
    assert (MODEL, "mteb_medical_v1") in diff.kept


def test_implausible_and_invalid_values_fail_validation() -> None:
    base = load_catalog()
    _, diff = plan_refresh(base, base, recompute({MODEL: _law_files(0.95)}), generated="x", source="y")
    assert any("implausible" in e for e in diff.errors)
    bad = recompute({MODEL: _law_files(0.6)})
    bad[MODEL]["mteb_law_v1"]["mean"] = 140.0
    _, diff = plan_refresh(base, base, bad, generated="x", source="y")
    assert any("not a percentage" in e for e in diff.errors)


def test_new_models_from_listing_need_full_retrieval_coverage() -> None:
    law = [f"results/acme__new/r1/{t.name}.json" for t in load_benchmarks()["mteb_law_v1"].tasks]
    listing = {"acme__new": law, "acme__partial": law[:3], "openai__text-embedding-3-small": law}
    assert new_model_folders(listing, ["openai__text-embedding-3-small"]) == ["acme__new"]


def test_results_folder_from_catalog_sources() -> None:
    spec = next(m for m in load_catalog() if m.id == MODEL)
    assert results_folder(spec) == "openai__text-embedding-3-small"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with running_server() as state:
        yield state


def test_fetch_downloads_only_wanted_files(server: FakeServer) -> None:
    tasks = {t.name: mteb_result(t, 0.5) for t in load_benchmarks()["mteb_law_v1"].tasks}
    serve_results(server, "openai__text-embedding-3-small", "1", {**tasks, "SomeOtherTask": {"scores": {}}})
    serve_results(server, "acme__other", "1", tasks)
    server.fault("status", 503, {"Retry-After": "0"})  # the listing request is retried
    got = fetch_results(
        {MODEL: "openai__text-embedding-3-small"},
        {t for t in tasks},
        source=server.url,
        backoff_base=0.01,
        workers=4,
    )
    assert got.n_files == 8 and set(got.files[MODEL]) == set(tasks)
    assert server.count("/paths.json") == 2 and server.count("/results/") == 8
    assert recompute(got.files)[MODEL]["mteb_law_v1"]["mean"] == 50.0


def test_fetch_fails_whole_on_a_broken_file(server: FakeServer) -> None:
    tasks = {t.name: mteb_result(t, 0.5) for t in load_benchmarks()["mteb_law_v1"].tasks}
    serve_results(server, "f", "1", tasks)
    del server.files["/results/f/1/LegalQuAD.json"]  # listed but missing
    with pytest.raises(ApiError, match="HTTP 404"):
        fetch_results({MODEL: "f"}, set(tasks), source=server.url, backoff_base=0.01)


def test_fetch_without_listing_says_so(server: FakeServer) -> None:
    with pytest.raises(ApiError, match="serves no paths.json listing"):
        fetch_results({MODEL: "f"}, {"X"}, source=server.url)


def test_fetch_probes_known_revisions_without_listing(server: FakeServer) -> None:
    """No paths.json: each known revision x task is tried; 404s are absences, not failures."""
    tasks = {t.name: mteb_result(t, 0.5) for t in load_benchmarks()["mteb_law_v1"].tasks}
    serve_results(server, "f", "r2", tasks)
    del server.files["/paths.json"]
    got = fetch_results({MODEL: "f"}, set(tasks), source=server.url, revisions={"f": ["r1", "r2"]})
    assert got.probed and got.n_files == 8 and got.listing == {}
    assert server.count("/results/f/r1/") == 8 and server.count("/results/f/r2/") == 8
    assert recompute(got.files)[MODEL]["mteb_law_v1"]["mean"] == 50.0


def test_known_revisions_cover_catalog_folders() -> None:
    revisions = known_revisions()
    assert revisions["openai__text-embedding-3-small"] == ["1", "2", "3"]
    assert sum(results_folder(m) in revisions for m in load_catalog()) >= 80


def test_fetch_malformed_listing(server: FakeServer) -> None:
    server.files["/paths.json"] = b'["not", "a", "listing"]'
    with pytest.raises(ApiResponseError, match="not a results listing"):
        fetch_results({MODEL: "f"}, {"X"}, source=server.url)


def test_plan_downloads_matches_folders_case_insensitively() -> None:
    listing = {"Org__M": ["results/Org__M/r1/A.json", "results/Org__M/r2/A.json", "results/Org__M/r1/B.json"]}
    assert plan_downloads(listing, {"org/m": "org__m"}, {"A"}) == [
        ("org/m", "A", "r1", "results/Org__M/r1/A.json"),
        ("org/m", "A", "r2", "results/Org__M/r2/A.json"),
    ]


def test_overlay_write_is_atomic_and_read_is_tolerant() -> None:
    """A write that fails part-way leaves the previous overlay intact and no temp file behind."""
    from storage.catalog_overlay import effective_catalog_version, overlay_path, read_overlay, write_overlay

    assert read_overlay() is None and "+overlay" not in effective_catalog_version()
    write_overlay({"generated": "g1", "source": "s", "models": {}})
    before = overlay_path().read_bytes()
    with pytest.raises(TypeError):
        write_overlay({"generated": "g2", "source": "s", "models": {"x": object()}})
    assert overlay_path().read_bytes() == before
    assert [p.name for p in overlay_path().parent.iterdir()] == ["catalog_overlay.json"]
    assert effective_catalog_version().endswith("+overlay:g1")
    overlay_path().write_text('{"models": []}')
    assert read_overlay() is None


# ndcg_at_10 of text-embedding-3-small in the public results repo (revision, mteb_version, value); the
# shipped catalog's MTEB(Law, v1) mean for it is 56.27. Older duplicates must lose to newer mteb versions.
REAL_LAW = {
    "AILACasedocs": [("3", "1.38.43", 0.34899, "eng-Latn"), ("2", "1.18.0", 0.1, "eng-Latn")],
    "AILAStatutes": [("3", "1.38.43", 0.28335, "eng-Latn"), ("1", "1.12.0", 0.1, "eng-Latn")],
    "LegalSummarization": [("3", "1.38.43", 0.6934, "eng-Latn")],
    "LegalQuAD": [("3", "1.38.43", 0.54807, "deu-Latn")],
    "GerDaLIRSmall": [("2", "1.18.0", 0.34743, "deu-Latn")],
    "LeCaRDv2": [("2", "1.18.0", 0.54998, "zho-Hans")],
    "LegalBenchConsumerContractsQA": [("2", "1.18.0", 0.79147, "eng-Latn")],
    "LegalBenchCorporateLobbying": [("1", "1.12.0", 0.93903, "eng-Latn")],
}


def test_real_files_reproduce_the_shipped_law_mean(server: FakeServer) -> None:
    """Real-format files (NaN literals, several revisions) fetched over HTTP give the shipped 56.27."""
    for task, versions in REAL_LAW.items():
        for revision, version, value, lang in versions:
            row = {
                "ndcg_at_10": value,
                "nauc_recall_at_1000_max": float("nan"),
                "main_score": value,
                "hf_subset": "default",
                "languages": [lang],
            }
            body = {"task_name": task, "mteb_version": version, "scores": {"test": [row]}}
            serve_results(server, "openai__text-embedding-3-small", revision, {task: body})
    assert b"NaN" in server.files["/results/openai__text-embedding-3-small/3/LegalQuAD.json"]
    got = fetch_results({MODEL: "openai__text-embedding-3-small"}, set(REAL_LAW), source=server.url)
    law = recompute(got.files)[MODEL]["mteb_law_v1"]
    assert law["mean"] == 56.27 and law["retrieval_mean"] == 56.27
    base = load_catalog()
    _, diff = plan_refresh(base, base, recompute(got.files), generated="x", source=server.url)
    assert not diff.changed and not diff.errors
