"""Neighbourhood consistency: intrusion of unrelated items into a term's k nearest, with labelled probes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _check_fakes import BagOfWords, ConstantEncoder, RandomEncoder

from evaluators.checks import CheckError, run_checks
from evaluators.checks.data import Probe, ProbeSet, load_probes, parse_probes
from evaluators.checks.neighbourhood import mine_probes, neighbourhood, probe_scores

BANK = Probe("bank", {"river": ("shore", "stream"), "money": ("loan", "cash")},
             ("violin", "galaxy", "tennis"))


class SenseOracle:
    """Puts every probe term next to its related items and far from its distractors (a 'perfect' model)."""

    name = "sense-oracle"

    def __init__(self, probes: ProbeSet) -> None:
        self.group = {}
        for i, p in enumerate(probes.probes):
            for t in (p.term, *p.related):
                self.group[t] = i

    def _encode(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, t in enumerate(texts):
            g = self.group.get(t)
            out[row, g if g is not None else 32 + sum(map(ord, t)) % 32] = 1.0
        return out

    encode_queries = _encode
    encode_passages = _encode


def test_probe_scores_on_hand_made_vectors() -> None:
    """Related items: shore, stream, loan, cash; one distractor (violin) sits closer than 'cash'."""
    term = np.array([1.0, 0.0])
    cands = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.1, 0.9], [0.75, 0.2], [0.0, 1.0], [0.0, 1.0]])
    intrusion, coverage = probe_scores(BANK, term, cands / np.linalg.norm(cands, axis=1, keepdims=True), 4, 0)
    assert intrusion == pytest.approx(1 / 4)
    assert coverage == 1.0


def test_constant_encoder_scores_chance_not_perfect() -> None:
    """Ties are shuffled (seeded) before ranking, so an encoder that sees nothing cannot look perfect."""
    res = neighbourhood([load_probes()], ConstantEncoder(), model="constant")
    assert 0.3 < res.values["intrusion_rate"] < 0.7
    assert res.values["chance_intrusion_rate"] == pytest.approx(0.5)


def test_tells_a_perfect_model_from_random_vectors() -> None:
    probes = load_probes()
    good = neighbourhood([probes], SenseOracle(probes), model="oracle")
    bad = neighbourhood([probes], RandomEncoder(), model="random")
    assert good.values["intrusion_rate"] == 0.0 and good.values["sense_coverage"] == 1.0
    assert bad.values["intrusion_rate"] == pytest.approx(0.5)  # pinned: seeded random vectors, 10 probes
    assert good.ci95["intrusion_rate"][1] < bad.ci95["intrusion_rate"][0]
    assert good.n == 10 and "10 probe terms" in good.summary


def test_builtin_probe_sets_are_well_formed() -> None:
    for lang, n in (("en", 10), ("zh", 8)):
        ps = load_probes(language=lang)
        assert ps.language == lang and len(ps.probes) == n
        for p in ps.probes:
            assert len(p.senses) >= 2 and len(p.unrelated) >= 5
            assert not set(p.related) & set(p.unrelated)
    with pytest.raises(CheckError, match="no built-in probe set"):
        load_probes(language="fr")


def test_chinese_probes_join_when_the_text_is_chinese() -> None:
    out = run_checks("neighbourhood", texts=["银行提高了利率。"], encoder=RandomEncoder(), model="r")
    res = out["neighbourhood"]
    assert res.n == 18 and "intrusion_rate:zh" in res.values and "intrusion_rate:en" in res.values


def test_user_probe_file(tmp_path: Path) -> None:
    path = tmp_path / "probes.json"
    path.write_text(json.dumps({"language": "en", "probes": [
        {"term": "jaguar", "related": ["big cat", "rainforest predator"],
         "unrelated": ["spreadsheet", "tuba"]},
    ]}), encoding="utf-8")
    res = run_checks("neighbourhood", probes=str(path), encoder=BagOfWords(), model="bow")["neighbourhood"]
    assert res.status == "ok" and res.n == 1 and str(path) in res.notes[0]
    with pytest.raises(CheckError, match="probe 1 needs 'term'"):
        parse_probes({"probes": [{"term": "x", "senses": {}}]}, source="t")


def test_mined_probes_use_lexical_labels_and_say_so() -> None:
    topics = ["reactor", "glacier", "violin", "mortgage"]
    texts = [f"The {t} report number {i} was filed today. Nothing else happened on day {i} of the month."
             for t in topics for i in range(6)]
    ps = mine_probes(texts, n_terms=3, per_side=3)
    assert ps.labels == "mined" and 1 <= len(ps.probes) <= 3
    for p in ps.probes:
        assert all(p.term in s.lower() for s in p.related)
        assert not any(p.term in s.lower() for s in p.unrelated)
    res = neighbourhood([ps], BagOfWords(), model="bow")
    assert any("lexical labels" in n for n in res.notes)
