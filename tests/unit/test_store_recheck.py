"""recheck compares a saved and a fresh recommendation: who overtook the choice, what moved, what it costs."""

from __future__ import annotations

from typing import Any

from storage.recheck import compare_recommendations


def rec(*cands: tuple[str, float, float | None], version: str = "v1", excluded: Any = ()) -> dict[str, Any]:
    return {
        "catalog_version": version,
        "candidates": [
            {"id": m, "score": s, "monthly_cost_usd": c, "quality": s / 100, "reasons": []}
            for m, s, c in cands
        ],
        "excluded": list(excluded),
    }


def test_identical_is_unchanged() -> None:
    saved = rec(("a", 80, None), ("b", 70, 1.0))
    report = compare_recommendations(saved, saved, "b")
    assert report.unchanged and report.chosen_old_rank == report.chosen_new_rank == 2
    assert report.outranking_chosen == []


def test_new_model_outranks_choice_and_prices_change() -> None:
    saved = rec(("a", 80, None), ("b", 70, 1.0), ("c", 60, None))
    fresh = rec(("new", 90, None), ("b", 75, 2.5), ("a", 74, None), ("c", 60, None), version="v2")
    report = compare_recommendations(saved, fresh, "b")
    assert (report.old_catalog_version, report.new_catalog_version) == ("v1", "v2")
    assert report.new_candidates == ["new"] and report.dropped == []
    assert report.outranking_chosen == ["new"]  # 'a' was above 'b' before, so it is not news
    assert (report.chosen_old_rank, report.chosen_new_rank) == (2, 2)
    assert ("a", 1, 3) in report.rank_changes
    changed = {(c.model, c.field): (c.old, c.new) for c in report.changes}
    assert changed[("b", "score")] == (70, 75) and changed[("b", "monthly_cost_usd")] == (1.0, 2.5)
    assert ("b", "quality") not in changed  # pool-relative sub-scores are not reported
    assert not report.unchanged and report.to_dict()["unchanged"] is False


def test_chosen_model_now_excluded() -> None:
    saved = rec(("a", 80, None), ("b", 70, None))
    fresh = rec(("a", 80, None), excluded=[{"id": "B", "reasons": ["licence changed"]}])
    report = compare_recommendations(saved, fresh, "b")
    assert report.chosen_new_rank is None and report.chosen_excluded_reasons == ["licence changed"]
    assert report.dropped == ["b"] and report.outranking_chosen == []


def test_no_saved_recommendation() -> None:
    report = compare_recommendations(None, rec(("a", 80, None)), None)
    assert report.old_catalog_version is None and report.new_candidates == [] and report.unchanged


def test_only_the_top_of_the_shortlist_counts() -> None:
    saved = rec(*((f"m{i}", 100 - i, None) for i in range(20)))
    fresh = rec(*((f"m{i}", 100 - i, None) for i in [*range(10), 15, 14, 13, 12, 11, 10, 16, 17, 18, 19]))
    assert compare_recommendations(saved, fresh, None, top=10).unchanged
