"""The deeper checks on the packaged all-MiniLM-L6-v2 (real weights, one load per module), pinned on a
tiny fixed input, each beside a deliberately broken encoder (seeded random vectors) it must tell apart."""

from __future__ import annotations

import pytest
from _check_fakes import RandomEncoder

from evaluators.checks import run_checks
from evaluators.checks.data import load_pairs
from evaluators.types import Dataset, Doc, Query

pytestmark = pytest.mark.slow

DOCS = [
    "The central bank raised interest rates to slow inflation.",
    "Commercial banks lend money to households and businesses.",
    "A mortgage is a loan secured by a house.",
    "The river overflowed its banks after days of heavy rain.",
    "Salmon swim upstream to spawn in cold rivers.",
    "A steam engine turns heat into mechanical work.",
    "James Watt improved the efficiency of the steam engine.",
    "Photosynthesis converts sunlight into chemical energy in plants.",
    "Chlorophyll gives leaves their green colour.",
    "The Normans conquered England in 1066 at the Battle of Hastings.",
    "William the Conqueror was crowned king on Christmas Day.",
    "Packet switching splits data into small blocks sent separately.",
    "The internet routes packets between networks using IP addresses.",
    "Vaccines train the immune system to recognise a pathogen.",
    "White blood cells defend the body against infection.",
    "The Scottish Parliament sits in Edinburgh.",
    "Warsaw is the capital and largest city of Poland.",
    "A cat sat on the mat by the fire.",
    "Dogs were domesticated from wolves thousands of years ago.",
    "The oil crisis of 1973 quadrupled the price of petroleum.",
]
QUERIES = [
    ("q1", "why did the central bank raise interest rates", "d0"),
    ("q2", "how does a steam engine work", "d5"),
    ("q3", "when did the Normans conquer England", "d9"),
    ("q4", "what is packet switching", "d11"),
    ("q5", "how do vaccines protect against disease", "d13"),
    ("q6", "where does the Scottish Parliament meet", "d15"),
]
DATASET = Dataset(
    "tiny", tuple(Doc(f"d{i}", t) for i, t in enumerate(DOCS)), tuple(Query(q, t) for q, t, _ in QUERIES),
    {q: {d: 1} for q, _, d in QUERIES},
)
KINDS = ["crosslingual", "stability", "neighbourhood"]


@pytest.fixture(scope="module")
def results(minilm_path: str):
    """Both encoders through the same run_checks call; cross-lingual forced (the catalog says 'en' only)."""
    from evaluators.backends import load_encoder

    minilm = load_encoder(minilm_path, backend="torch")
    pairs = load_pairs(limit=40)
    kw = {"dataset": DATASET, "pairs": pairs, "force": True, "raise_errors": True}
    return (run_checks(KINDS, encoder=minilm, model="minilm", **kw),
            run_checks(KINDS, encoder=RandomEncoder(), model="random", **kw))


def test_stability_pinned_and_apart_from_random(results) -> None:
    good, bad = results[0]["stability"], results[1]["stability"]
    assert good.n == 6 and "6 queries x 30 variants" in good.summary
    assert good.values["cosine"] == pytest.approx(0.9411, abs=3e-3)
    assert good.values["cosine:case"] == pytest.approx(1.0, abs=1e-5)  # an uncased model ignores casing
    assert good.values["overlap@10"] == pytest.approx(0.9167, abs=0.02)
    assert good.values["ndcg@10_drop"] == pytest.approx(0.0, abs=1e-9)
    assert abs(bad.values["cosine"]) < 0.1 and bad.values["overlap@10"] < 0.6
    assert good.ci95["cosine"][0] > bad.ci95["cosine"][1]
    assert good.ci95["overlap@10"][0] > bad.ci95["overlap@10"][1]


def test_neighbourhood_pinned_and_apart_from_random(results) -> None:
    good, bad = results[0]["neighbourhood"], results[1]["neighbourhood"]
    assert good.n == 10
    assert good.values["intrusion_rate"] == pytest.approx(0.16, abs=1e-9)
    assert good.values["sense_coverage"] == pytest.approx(1.0)
    assert bad.values["intrusion_rate"] == pytest.approx(0.5, abs=1e-9)
    assert good.ci95["intrusion_rate"][1] < bad.ci95["intrusion_rate"][0]


def test_crosslingual_shows_an_english_only_model_is_weak(results) -> None:
    """Forced onto en-zh pairs, MiniLM is barely above chance: the reason the guard exists."""
    good = results[0]["crosslingual"]
    assert good.n == 40 and good.values["chance_accuracy@1"] == pytest.approx(1 / 40)
    assert good.values["accuracy@1_en_to_zh"] == pytest.approx(0.125)
    assert good.values["accuracy@1_zh_to_en"] == pytest.approx(0.1)
    assert good.values["margin"] == pytest.approx(0.045, abs=3e-3)
    assert good.values["accuracy@1_en_to_zh"] < 0.3


def test_catalog_guard_skips_minilm_without_loading_it() -> None:
    """Through the model reference, the catalog's 'en only' stops the check before any weights load."""
    from evaluators.checks import checks_for_ref

    res = checks_for_ref("crosslingual", "minilm")["crosslingual"]
    if res.status == "ok":
        pytest.skip("catalog entry for all-MiniLM-L6-v2 not found (catalog not installed?)")
    assert res.status == "not_applicable" and "not multilingual" in res.notes[0]
