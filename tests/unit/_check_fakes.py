"""Deliberately broken and toy encoders for the deeper-check tests (no torch).

RandomEncoder: a seeded random vector per distinct text (knows nothing). BagOfWords: lower-cased word counts
hashed into buckets (knows words, not meaning). ConstantEncoder: one vector for everything (all ties).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


class RandomEncoder:
    name = "random"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls = 0

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        rows = [np.random.default_rng(_seed(t)).standard_normal(self.dim) for t in texts]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)

    encode_queries = _encode
    encode_passages = _encode


class BagOfWords:
    name = "bag-of-words"

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, _seed(w) % self.dim] += 1.0
        return out

    encode_queries = _encode
    encode_passages = _encode


class ConstantEncoder:
    name = "constant"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.ones((len(texts), 8), dtype=np.float32)

    encode_queries = _encode
    encode_passages = _encode


class PairOracle:
    """Knows the translation of every pair: both sides map to the pair's own random vector (plus noise)."""

    name = "pair-oracle"

    def __init__(self, pairs: Sequence[tuple[str, str]], noise: float = 0.1) -> None:
        self.key = {s: i for i, (a, b) in enumerate(pairs) for s in (a, b)}
        self.noise = noise

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for t in texts:
            base = np.random.default_rng(self.key.get(t, _seed(t))).standard_normal(32)
            rows.append(base + self.noise * np.random.default_rng(_seed(t)).standard_normal(32))
        return np.asarray(rows, dtype=np.float32)

    encode_queries = _encode
    encode_passages = _encode


class Exploding:
    """Fails the test if any check asks it to embed text."""

    name = "exploding"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        raise AssertionError("this check must not encode anything")

    encode_queries = _encode
    encode_passages = _encode
