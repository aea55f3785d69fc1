"""Requirements: a validated, JSON round-tripping profile (what the journal stores for every decision)."""

from __future__ import annotations

import json

import pytest

from catalog.requirements import Requirements


def test_round_trip_through_json() -> None:
    req = Requirements(
        languages=("zh", "en"),
        domain="legal",
        doc_tokens=3000,
        will_chunk=False,
        corpus_docs=5000,
        open_only=True,
        ram_gb=16,
        gpu="cuda",
        vram_gb=8,
        commercial_use=True,
        monthly_cap_usd=20.0,
        quality_weight=0.8,
        speed_weight=0.1,
        cost_weight=0.1,
    )
    again = Requirements.from_dict(json.loads(json.dumps(req.to_dict())))
    assert again == req


def test_from_dict_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown requirement field"):
        Requirements.from_dict({"langauges": ["en"]})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"languages": ()},
        {"domain": "astrology"},
        {"doc_tokens": 0},
        {"ram_gb": -1.0},
        {"gpu": "tpu"},
        {"quality_weight": 0, "speed_weight": 0, "cost_weight": 0},
        {"max_usd_per_1m": -0.1},
    ],
)
def test_invalid_profiles_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Requirements(**kwargs)  # type: ignore[arg-type]


def test_weights_are_normalised_and_open_weights_need_is_derived() -> None:
    req = Requirements(quality_weight=2, speed_weight=1, cost_weight=1)
    assert req.weights == pytest.approx((0.5, 0.25, 0.25))
    assert Requirements(api_allowed=False).needs_open_weights
    assert not Requirements().needs_open_weights


def test_old_journals_without_the_newer_fields_still_load() -> None:
    """Decisions saved before task/image_text/docs_updated_per_month existed keep loading, with defaults."""
    old = {
        "languages": ["zh"],
        "domain": "legal",
        "doc_tokens": 3000,
        "will_chunk": True,
        "corpus_docs": 5000,
    }
    req = Requirements.from_dict(old)
    assert (req.task, req.image_text, req.docs_updated_per_month) == ("retrieval", False, None)
    assert req.updates_per_month == 500  # a tenth of the corpus when not stated
    assert Requirements.from_dict(req.to_dict()) == req


@pytest.mark.parametrize("kwargs", [{"task": "summarisation"}, {"docs_updated_per_month": -1}])
def test_new_fields_are_validated(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Requirements(**kwargs)  # type: ignore[arg-type]
