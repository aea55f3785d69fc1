"""Cross-lingual alignment: accuracy@1 both ways, aligned-minus-random margin, the not-multilingual guard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _check_fakes import ConstantEncoder, Exploding, PairOracle, RandomEncoder

from catalog.models import ModelSpec
from evaluators.checks import CheckError, run_checks
from evaluators.checks.crosslingual import crosslingual, per_pair_scores
from evaluators.checks.data import Pairs, load_pairs

EN_ONLY = ModelSpec(id="x/english-only", name="English only", provider="x", open_weights=True,
                    languages=("en",))
MULTI = ModelSpec(id="x/multi", name="Multi", provider="x", open_weights=True, languages=("en", "zh"),
                  multilingual=True)


def test_per_pair_scores_on_a_fixed_matrix() -> None:
    """Row i's hit needs its partner strictly on top; margin = aligned - mean of the row's non-partners."""
    sims = np.array([[0.9, 0.1, 0.2], [0.5, 0.4, 0.0], [0.3, 0.3, 0.6]])
    s = per_pair_scores(sims)
    assert s["fwd"].tolist() == [1.0, 0.0, 1.0]
    assert s["bwd"].tolist() == [1.0, 1.0, 1.0]  # column 1: 0.4 beats 0.1 and 0.3
    assert s["margin"] == pytest.approx([0.9 - 0.15, 0.4 - 0.25, 0.6 - 0.3])


def test_ties_count_against_the_model() -> None:
    """An encoder that returns one vector for everything scores 0, not 'first index wins'."""
    pairs = load_pairs(limit=10)
    res = crosslingual(pairs, ConstantEncoder(), model="constant")
    assert res.values["accuracy@1_en_to_zh"] == 0.0
    assert res.values["margin"] == pytest.approx(0.0, abs=1e-6)


def test_tells_an_aligned_model_from_a_random_one() -> None:
    """An encoder that knows each translation scores 1.0 both ways; random vectors stay near chance."""
    pairs = load_pairs(limit=50)
    good = crosslingual(pairs, PairOracle(pairs.pairs), model="oracle")
    bad = crosslingual(pairs, RandomEncoder(), model="random")
    assert good.values["accuracy@1_en_to_zh"] == 1.0 and good.values["accuracy@1_zh_to_en"] == 1.0
    assert good.values["margin"] > 0.9
    assert bad.values["accuracy@1_en_to_zh"] <= 0.1 and bad.values["accuracy@1_zh_to_en"] <= 0.1
    lo, hi = bad.ci95["margin"]
    assert lo < 0.0 < hi  # random: the margin's interval covers zero
    assert good.ci95["margin"][0] > bad.ci95["margin"][1]
    assert good.n == 50 and "50 parallel pairs" in good.summary


def test_single_language_model_gets_a_note_not_a_score() -> None:
    """The catalog says English only: status not_applicable, the encoder is never asked to embed."""
    out = run_checks("crosslingual", encoder=Exploding(), spec=EN_ONLY)
    res = out["crosslingual"]
    assert res.status == "not_applicable" and res.values == {}
    assert res.notes[0].startswith("not multilingual: the catalog lists only 'en' for x/english-only")


def test_force_measures_anyway_and_multilingual_models_are_measured() -> None:
    pairs = load_pairs(limit=20)
    forced = run_checks("crosslingual", encoder=RandomEncoder(), spec=EN_ONLY, pairs=pairs, force=True)
    assert forced["crosslingual"].status == "ok"
    multi = run_checks("crosslingual", encoder=PairOracle(pairs.pairs), spec=MULTI, pairs=pairs)
    assert multi["crosslingual"].values["accuracy@1_en_to_zh"] == 1.0


def test_builtin_pairs_are_attributed_and_user_tsv_loads(tmp_path: Path) -> None:
    pairs = load_pairs()
    assert len(pairs.pairs) == 150 and pairs.langs == ("en", "zh")
    assert "CC BY 2.0 FR" in pairs.source
    user = tmp_path / "pairs.tsv"
    user.write_text("the cat\tel gato\ngood morning\tbuenos días\n", encoding="utf-8")
    mine = load_pairs(user)
    assert mine.pairs == (("the cat", "el gato"), ("good morning", "buenos días"))
    assert mine.langs == ("src", "tgt")
    res = crosslingual(mine, PairOracle(mine.pairs), model="oracle")
    assert set(res.values) >= {"accuracy@1_src_to_tgt", "accuracy@1_tgt_to_src", "margin"}


def test_malformed_pairs_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one column\nsecond line\n", encoding="utf-8")
    with pytest.raises(CheckError, match="row 1 needs two non-empty tab-separated columns"):
        load_pairs(bad)
    with pytest.raises(CheckError, match="at least 2 pairs"):
        crosslingual(Pairs((("a", "b"),), "x"), RandomEncoder(), model="r")


def test_checks_for_ref_reuses_a_given_encoder_and_reads_the_catalog() -> None:
    """The runner's path: an already loaded encoder is used as is; a hybrid is checked via its dense part."""
    from evaluators.checks import checks_for_ref
    from evaluators.models import resolve_model

    pairs = load_pairs(limit=10)
    enc = PairOracle(pairs.pairs)
    out = checks_for_ref("crosslingual", resolve_model("minilm"), encoder=enc, pairs=pairs, force=True)
    assert out["crosslingual"].values["accuracy@1_en_to_zh"] == 1.0
    hybrid = checks_for_ref("crosslingual", "hybrid:minilm+bm25", encoder=Exploding())["crosslingual"]
    assert (hybrid.status, hybrid.model) == ("not_applicable", "sentence-transformers/all-MiniLM-L6-v2")
    with pytest.raises(CheckError, match="not an embedding model"):
        checks_for_ref("tokenizer", "bm25")


def test_many_pairs_are_sampled_with_a_note() -> None:
    pairs = load_pairs()
    res = crosslingual(pairs, PairOracle(pairs.pairs), model="oracle", max_pairs=30, seed=2)
    assert res.n == 30 and any("seeded sample of 30 of 150 pairs" in n for n in res.notes)
