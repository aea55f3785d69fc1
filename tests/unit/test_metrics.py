"""Our metrics agree with pytrec_eval and ranx to 1e-6 on runs over tests/data, tied scores included, with
one-relevant qrels (squad_en, cmrc_zh) and graded several-relevant qrels derived from squad_en.

Ties: we rank score desc, then corpus order. trec_eval breaks ties by doc id (descending) and ranx by its
own sort, so the oracles get our already tie-broken order as rank-derived scores (n, n-1, ..., 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evaluators.metrics import METRICS, mean_metrics, per_query_metrics, query_metrics, rank_run, rank_scores

TOL = 1e-6


def _qrels(root: Path) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for line in (root / "qrels.tsv").read_text("utf-8").splitlines()[1:]:
        q, d, s = line.split("\t")
        out.setdefault(q, {})[d] = int(s)
    return out


def _graded_qrels(root: Path) -> dict[str, dict[str, int]]:
    """squad_en with graded, several-relevant qrels (recall is then not 0/1, and grades weigh in nDCG): the
    answer paragraph has grade 2 and the paragraphs just before and after it in the article grade 1."""
    ids = {json.loads(line)["_id"] for line in (root / "corpus.jsonl").open(encoding="utf-8")}
    out: dict[str, dict[str, int]] = {}
    for q, rels in _qrels(root).items():
        for d in rels:
            article, _, para = d.rpartition("-p")
            near = {f"{article}-p{int(para) + k}" for k in (-1, 1)} & ids
            out[q] = {d: 2, **dict.fromkeys(sorted(near), 1)}
    assert sum(len(r) > 1 for r in out.values()) > 0.9 * len(out)
    return out


def _run(root: Path, qrels: dict[str, dict[str, int]], *, tied: bool, seed: int = 7) -> tuple[dict, dict]:
    """A plausible run: every relevant doc plus 30 random others, noisy scores (rounded when tied)."""
    ids = [json.loads(line)["_id"] for line in (root / "corpus.jsonl").open(encoding="utf-8")]
    order = {d: i for i, d in enumerate(ids)}
    rng = np.random.default_rng(seed)
    run: dict[str, dict[str, float]] = {}
    for q, rels in qrels.items():
        cand = set(rels) | {ids[i] for i in rng.choice(len(ids), 30, replace=False)}
        scores = {d: float(rng.normal(1.0 if d in rels else 0.0, 1.0)) for d in sorted(cand)}
        run[q] = {d: round(s, 1) if tied else s for d, s in scores.items()}
    return run, order


def _oracle_pytrec(ranked: dict, qrels: dict) -> dict[str, dict[str, float]]:
    pytrec_eval = pytest.importorskip("pytrec_eval")
    scores = rank_scores(ranked)
    top10 = rank_scores({q: d[:10] for q, d in ranked.items()})
    ev = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.1,5,10", "P.1"})
    rr = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(top10)  # trec's RR has no cut-off
    res = ev.evaluate(scores)
    return {
        "ndcg@10": {q: v["ndcg_cut_10"] for q, v in res.items()},
        "recall@1": {q: v["recall_1"] for q, v in res.items()},
        "recall@5": {q: v["recall_5"] for q, v in res.items()},
        "recall@10": {q: v["recall_10"] for q, v in res.items()},
        "mrr@10": {q: v["recip_rank"] for q, v in rr.items()},
        "hit@1": {q: v["P_1"] for q, v in res.items()},
    }


@pytest.mark.parametrize("name", ["squad_en", "squad_en:graded", "cmrc_zh"])
@pytest.mark.parametrize("tied", [False, True])
def test_agrees_with_pytrec_eval(shared_data: Path, name: str, tied: bool) -> None:
    root = shared_data / name.split(":")[0]
    qrels = _graded_qrels(root) if name.endswith(":graded") else _qrels(root)
    run, order = _run(root, qrels, tied=tied)
    ranked = rank_run(run, order)
    ours = per_query_metrics(ranked, qrels)
    oracle = _oracle_pytrec(ranked, qrels)
    for m in METRICS:
        assert set(ours[m]) == set(oracle[m])
        worst = max(abs(ours[m][q] - oracle[m][q]) for q in ours[m])
        assert worst <= TOL, (m, worst)


@pytest.mark.parametrize("tied", [False, True])
def test_agrees_with_ranx(shared_data: Path, tied: bool) -> None:
    ranx = pytest.importorskip("ranx")
    root = shared_data / "squad_en"
    qrels = _graded_qrels(root)  # several relevant docs per query, graded: recall is not 0/1 there
    ranked = rank_run(*_run(root, qrels, tied=tied))
    ours = mean_metrics(per_query_metrics(ranked, qrels))
    names = {
        "ndcg@10": "ndcg@10",
        "recall@1": "recall@1",
        "recall@5": "recall@5",
        "recall@10": "recall@10",
        "mrr@10": "mrr@10",
        "hit@1": "precision@1",
    }
    theirs = ranx.evaluate(ranx.Qrels(qrels), ranx.Run(rank_scores(ranked)), list(names.values()))
    for m, r in names.items():
        assert abs(ours[m] - float(theirs[r])) <= TOL, (m, ours[m], theirs[r])


def test_tie_rule_is_score_then_corpus_order() -> None:
    """Equal scores rank by corpus position, never by id or dict order."""
    order = {"z": 0, "a": 1, "m": 2}
    assert rank_run({"q": {"a": 1.0, "m": 2.0, "z": 1.0}}, order) == {"q": ["m", "z", "a"]}


def test_known_values_by_hand() -> None:
    got = query_metrics(["x", "r1", "y", "r2"], {"r1": 1, "r2": 2, "r3": 1})
    dcg = 1 / np.log2(3) + 2 / np.log2(5)
    idcg = 2 + 1 / np.log2(3) + 1 / np.log2(4)
    assert got["ndcg@10"] == pytest.approx(dcg / idcg)
    assert got["recall@1"] == 0 and got["recall@5"] == pytest.approx(2 / 3)
    assert got["mrr@10"] == pytest.approx(0.5) and got["hit@1"] == 0


def test_relevant_beyond_rank_10_scores_zero() -> None:
    ranked = [f"d{i}" for i in range(10)] + ["rel"]
    assert all(v == 0 for v in query_metrics(ranked, {"rel": 1}).values())
