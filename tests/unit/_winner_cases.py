"""Corpora whose winner flips (or holds) as documents are added, run through the real trial engine.

Two "models" whose every query-document score is chosen: each query's vector is a unit axis and each
document's vector holds its score for every query, so `evaluators.search` ranks exactly as designed and
`evaluators.metrics` scores it. Only the encoder is a stand-in (a lookup instead of a network).

- "lexical/like" ranks every answer first unless a distractor looks like it: each distractor outranks each
  answer with probability `p_lookalike`, so it loses ground as the corpus grows (more look-alikes).
- "semantic/like" never lets a distractor through, but puts another query's answer first for half the
  queries; that confusion does not grow with the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

import evaluators.backends as backends
from evaluators.ingest.sampling import sample_corpus
from evaluators.types import Dataset, Doc, Query

MODELS = ["lexical/like", "semantic/like"]


class MatrixEncoder:
    """Vectors looked up by text (the designed scores); no model behind it."""

    max_tokens = 64

    def __init__(self, name: str, table: dict[str, np.ndarray]) -> None:
        self.name, self.table = name, table
        self.details = {"backend": "lookup", "device": "cpu"}

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts]).astype(np.float32)

    encode_queries = encode_passages = _vectors

    def count_tokens(self, texts: Sequence[str], prompt: str | None = None) -> list[int]:
        return [2] * len(texts)


@dataclass
class Case:
    full: Dataset
    """Every document, the sample's queries: the truth the sample should predict."""
    sample: Dataset
    """`sample_n` documents drawn by the real sampler, with its sampling info (as load_dataset keeps it)."""
    tables: dict[str, dict[str, np.ndarray]]


def make_case(p_lookalike: float, *, n_docs: int = 400, n_queries: int = 100, sample_n: int = 200,
              confused: float = 0.5, seed: int = 0) -> Case:
    rng = np.random.default_rng(seed)
    docs = [Doc(f"d{j}", f"document {j}") for j in range(n_docs)]
    queries = [Query(f"q{i}", f"question {i}") for i in range(n_queries)]
    qrels = {f"q{i}": {f"d{i}": 1} for i in range(n_queries)}  # query i's answer is document i
    answers = np.arange(n_queries)
    lexical = rng.uniform(0, 0.5, (n_docs, n_queries))
    semantic = rng.uniform(0, 0.5, (n_docs, n_queries))
    lexical[answers, answers] = semantic[answers, answers] = 0.9
    lexical[n_queries:][rng.random((n_docs - n_queries, n_queries)) < p_lookalike] = 0.95
    hard = answers[rng.random(n_queries) < confused]
    semantic[(hard + 1) % n_queries, hard] = 0.95
    axes = np.eye(n_queries)
    tables = {}
    for name, scores in zip(MODELS, (lexical, semantic), strict=True):
        table = {d.text: scores[j] for j, d in enumerate(docs)}
        table.update({q.text: axes[i] for i, q in enumerate(queries)})
        tables[name] = table
    s = sample_corpus(docs, queries, qrels, sample_n, seed)
    info = {"sampling": dict(s.info)}
    return Case(
        Dataset("lookalikes", tuple(docs), tuple(s.queries), s.qrels, query_origin="dataset"),
        Dataset("lookalikes", tuple(s.docs), tuple(s.queries), s.qrels, query_origin="dataset", info=info),
        tables,
    )


def use_tables(monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    """Route the runner's encoder loading to the case's lookup encoders."""

    def load(ref, **_options):  # type: ignore[no-untyped-def]  # backend, cache dir, int8, precision sample
        return MatrixEncoder(ref.name, case.tables[ref.ref])

    monkeypatch.setattr(backends, "load_encoder", load)
