"""Result files of every mteb vintage are read as the leaderboard reads them (mteb_results, refresh)."""

from __future__ import annotations

import pytest

from catalog.mteb_results import normalise_result, parse_version
from catalog.refresh import BenchmarkDef, TaskDef, benchmark_scores, pick_result, task_score

NFCORPUS = TaskDef("NFCorpus", "Retrieval", ("test",), 1, "ndcg_at_10")
ASKUBUNTU = TaskDef("AskUbuntuDupQuestions", "Reranking", ("test",), 1, "map_at_1000")
SPRINT = TaskDef("SprintDuplicateQuestions", "PairClassification", ("test",), 1, "max_ap")


def test_pre_1_11_file_is_converted_and_scored() -> None:
    """The shape of results/openai__text-embedding-3-small/1/NFCorpus.json (no version, no scores list)."""
    legacy = {"test": {"ndcg_at_10": 0.38329, "evaluation_time": 3.2}, "mteb_dataset_name": "NFCorpus"}
    current = normalise_result(legacy)
    assert current["mteb_version"] is None
    assert current["scores"] == {"test": [{"ndcg_at_10": 0.38329, "hf_subset": "default"}]}
    assert task_score(NFCORPUS, legacy) == pytest.approx(38.329)


def test_pre_1_11_subsets_and_metric_groups() -> None:
    legacy = {
        "mteb_dataset_name": "STS17",
        "mteb_version": "1.1.1",
        "test": {"en-en": {"cos_sim": {"spearman": 0.8}}, "ko-ko": {"cos_sim": {"spearman": 0.7}}},
    }
    rows = normalise_result(legacy)["scores"]["test"]
    assert rows == [
        {"cosine_spearman": 0.8, "hf_subset": "en-en"},
        {"cosine_spearman": 0.7, "hf_subset": "ko-ko"},
    ]


def test_pair_classification_before_1_12_48_is_flattened() -> None:
    old = {"mteb_version": "1.12.4", "scores": {"test": [{"hf_subset": "default", "max": {"ap": 0.9}}]}}
    assert task_score(SPRINT, old) == pytest.approx(90.0)
    new = {"mteb_version": "1.12.48", "scores": {"test": [{"hf_subset": "default", "max_ap": 0.5}]}}
    assert normalise_result(new) is new


def test_the_stored_main_score_wins_over_the_current_metric_name() -> None:
    """mteb 1.12.75 stored `map` as AskUbuntu's main score; the leaderboard reads that, so do we."""
    row = {"hf_subset": "default", "languages": ["eng-Latn"], "map": 0.63, "main_score": 0.63}
    stored = {"mteb_version": "1.12.75", "scores": {"test": [row]}}
    assert task_score(ASKUBUNTU, stored) == pytest.approx(63.0)
    bare = {"hf_subset": "default", "map": 0.63}
    assert task_score(ASKUBUNTU, {"mteb_version": "1.12.75", "scores": {"test": [bare]}}) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.12.75", ((1, 12, 75), 1, 0)), ("1.1.2.dev0", ((1, 1, 2), 0, 0)), ("2", ((2, 0, 0), 1, 0))],
)
def test_parse_version(text: str, expected: tuple[object, ...]) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize("text", [None, "2.10.0-2.18.7", "mteb version not available", 3])
def test_unparsable_versions_count_as_none(text: object) -> None:
    assert parse_version(text) is None


def _file(version: str | None, value: float) -> dict[str, object]:
    row = {"hf_subset": "default", "ndcg_at_10": value, "main_score": value}
    return {"mteb_version": version, "scores": {"test": [row]}}


def test_pick_result_follows_join_revisions_priority() -> None:
    """main revision > has a version > named revision > newer version (mteb's join_revisions weights)."""
    legacy_newer = ("external", _file("1.20.0", 0.1))
    named_older = ("abc", _file("1.12.0", 0.2))
    assert pick_result([legacy_newer, named_older])["scores"]["test"][0]["main_score"] == 0.2
    unversioned_named = ("def", _file(None, 0.3))
    assert pick_result([unversioned_named, legacy_newer])["scores"]["test"][0]["main_score"] == 0.1
    main = ("main", _file(None, 0.4))
    assert pick_result([named_older, main], "main")["scores"]["test"][0]["main_score"] == 0.4
    empty = ("zzz", {"mteb_version": "9.0.0", "scores": {}})
    assert pick_result([empty, named_older])["scores"]["test"][0]["main_score"] == 0.2


def test_means_are_taken_before_scaling_as_the_leaderboard_rounds() -> None:
    """jina-embeddings-v2-base-en's MTEB(eng, v2) retrieval mean: 26.674999... -> 26.67, not 26.68."""
    values = [0.44181, 0.56516, 0.38656, 0.00018, 0.0, 0.41579, 0.00024, 0.19863, 0.65913, 0.0]
    tasks = tuple(TaskDef(f"T{i}", "Retrieval", ("test",), 1, "ndcg_at_10") for i in range(10))
    files = {t.name: [("r", _file("2.0.0", v))] for t, v in zip(tasks, values, strict=True)}
    scores = benchmark_scores(BenchmarkDef("b", "B", tasks), files)
    assert scores is not None and scores["retrieval_mean"] == 26.67 and scores["mean"] == 26.67


def test_a_revision_folder_with_failed_retrieval_runs_flags_the_scores_that_use_it() -> None:
    from catalog.plausibility import broken_revisions, implausible_note

    tasks = tuple(TaskDef(f"R{i}", "Retrieval", ("test",), 1, "ndcg_at_10") for i in range(3))
    bench = BenchmarkDef("b", "B", tasks)
    files = {
        "R0": [("bad", _file("2.0.0", 0.0)), ("good", _file("1.0.0", 0.41))],
        "R1": [("bad", _file("2.0.0", 0.0002))],
        "R2": [("good", _file("1.0.0", 0.35))],
    }
    broken = broken_revisions(files, [bench])
    assert broken == {"bad": ["R0 0.00", "R1 0.02"]}
    note = implausible_note(bench, files, None, broken)  # R0 and R1 are taken from 'bad' (newer mteb version)
    assert note is not None and "bad" in note and "R1 0.02" in note
    assert implausible_note(bench, files, "good", broken) is not None, "R1 still comes only from 'bad'"
    only_good = {"R0": files["R0"][1:], "R2": files["R2"]}
    assert implausible_note(bench, only_good, None, broken) is None
    weak = {"R0": [("x", _file("2.0.0", 0.0005))], "R2": [("x", _file("2.0.0", 0.02))]}
    assert broken_revisions(weak, [bench]) == {}, "one near-zero task is a weak model, not a failed run"
