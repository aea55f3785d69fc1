"""On-disk embeddings cache (a re-run of a trial skips encoding) and `encode_cached` (misses only).

`<cache_dir>/embeddings/<sha256(model identity, prompt, normalise)>/`: shards of `<n>.npy` float32 rows,
`<n>.keys` (sha256 of each text), `<n>.ntok` (token counts), and `meta.json` (last measured perf). Loading is
a few np.load calls and a dict build. The caller decides the folder; the model loads only on a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.types import TrialCancelled


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def namespace_key(identity: str, prompt: str | None, normalize: bool) -> str:
    """Stable folder name for one (model identity, prompt, normalisation) combination."""
    raw = json.dumps(
        {"model": identity, "prompt": prompt or "", "normalize": bool(normalize)}, sort_keys=True
    )
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """Vectors and token counts for one namespace; `lookup` then `store` the misses."""

    def __init__(self, cache_dir: str | os.PathLike[str], identity: str, prompt: str | None, normalize: bool):
        self.dir = Path(cache_dir) / "embeddings" / namespace_key(identity, prompt, normalize)
        self._info = {"model": identity, "prompt": prompt or "", "normalize": bool(normalize)}
        self._index: dict[bytes, tuple[int, int]] | None = None
        self._shards: list[tuple[np.ndarray, np.ndarray]] = []

    def _load(self) -> dict[bytes, tuple[int, int]]:
        if self._index is not None:
            return self._index
        index: dict[bytes, tuple[int, int]] = {}
        self._shards = []
        shard_files = sorted(self.dir.glob("*.npy"), key=lambda p: int(p.stem)) if self.dir.is_dir() else []
        for path in shard_files:
            try:
                vecs = np.load(path, mmap_mode="r")
                keys = path.with_suffix(".keys").read_bytes()
                ntok = np.fromfile(path.with_suffix(".ntok"), dtype=np.int32)
            except (OSError, ValueError):
                continue  # a half-written or damaged shard is ignored, never fatal
            if len(keys) != 32 * len(vecs) or len(ntok) != len(vecs):
                continue
            s = len(self._shards)
            self._shards.append((vecs, ntok))
            for row in range(len(vecs)):
                index[keys[32 * row : 32 * row + 32]] = (s, row)
        self._index = index
        return index

    def lookup(self, texts: Sequence[str]) -> tuple[np.ndarray | None, np.ndarray, list[int]]:
        """(vectors with zero rows for misses, None if no hit; token counts, -1 if missed; miss positions)."""
        index = self._load()
        hits: list[tuple[int, int, int]] = []
        misses: list[int] = []
        for i, t in enumerate(texts):
            where = index.get(text_key(t))
            if where is None:
                misses.append(i)
            else:
                hits.append((i, *where))
        ntok = np.full(len(texts), -1, dtype=np.int64)
        if not hits:
            return None, ntok, misses
        dim = self._shards[hits[0][1]][0].shape[1]
        out = np.zeros((len(texts), dim), dtype=np.float32)
        table = np.array(hits, dtype=np.int64)
        for s, (vecs, counts) in enumerate(self._shards):
            sel = table[table[:, 1] == s]
            if len(sel):
                out[sel[:, 0]] = vecs[sel[:, 2]]
                ntok[sel[:, 0]] = counts[sel[:, 2]]
        return out, ntok, misses

    def store(self, texts: Sequence[str], vectors: np.ndarray, ntok: Sequence[int] | None = None) -> None:
        """Add a shard; written to temp names then renamed, so readers never see half a shard."""
        if len(texts) == 0:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        existing = [int(p.stem) for p in self.dir.glob("*.npy") if p.stem.isdigit()]
        n = max(existing, default=-1) + 1
        counts = np.asarray(ntok if ntok is not None else [-1] * len(texts), dtype=np.int32)
        payloads = {
            ".keys": b"".join(text_key(t) for t in texts),
            ".ntok": counts.tobytes(),
        }
        for suffix, data in payloads.items():
            _atomic_write(self.dir / f"{n}{suffix}", data)
        tmp = self.dir / f".{n}.tmp.npy"
        np.save(tmp, np.ascontiguousarray(vectors, dtype=np.float32))
        os.replace(tmp, self.dir / f"{n}.npy")  # the .npy lands last: it is what marks a shard present
        self._index = None

    def read_meta(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.dir / "meta.json").read_text("utf-8")))
        except (OSError, ValueError):
            return {}

    def write_meta(self, meta: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.dir / "meta.json", json.dumps({**self._info, **meta}, indent=1).encode("utf-8"))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


class LazyEncoder:
    """Loads the model on first use only, so a fully cached re-run never loads it; times the load."""

    def __init__(
        self,
        mref: Any,
        *,
        backend: str = "auto",
        cache_dir: Any = None,
        int8: bool = False,
        sample: Any = None,
        on_phase: Callable[[str, str], None] | None = None,
    ) -> None:
        self.mref, self.backend, self.cache_dir, self.int8 = mref, backend, cache_dir, int8
        self.sample, self.on_phase = sample, on_phase
        """The user's texts for the precision check of `auto`; told about one-time costs as they start."""
        self.encoder: Any = None
        self.load_s = 0.0

    def get(self) -> Any:
        if self.encoder is None:
            import time

            from evaluators.backends import load_encoder

            t0 = time.perf_counter()
            if self.on_phase is not None:
                self.on_phase("load", f"loading {self.mref.name}")
            self.encoder = load_encoder(
                self.mref,
                backend=self.backend,
                cache_dir=self.cache_dir,
                int8=self.int8,
                sample=self.sample,
                on_phase=self.on_phase,
            )
            self.load_s = time.perf_counter() - t0
        return self.encoder


def _count_tokens(encoder: Any, texts: list[str], prompt: str | None) -> list[int] | None:
    counter = getattr(encoder, "count_tokens", None)
    if counter is None:
        return None
    try:
        return list(counter(texts, prompt))
    except TypeError:
        return list(counter(texts))


@dataclass
class Probe:
    """Latency probes taken while encoding: the first misses are encoded one at a time and `after` (a search)
    runs on each vector; at least `min_n`, at most `max_n`, no more once `budget_s` is spent."""

    after: Callable[[np.ndarray], object]
    budget_s: float = 1.0
    min_n: int = 5
    max_n: int = 20
    times: list[float] = field(default_factory=list)

    def run(
        self, fn: Callable[[list[str]], Any], texts: list[str], misses: list[int]
    ) -> tuple[list[int], list[Any]]:
        import time

        pos: list[int] = []
        vecs: list[Any] = []
        for i in misses[: self.max_n]:
            if len(self.times) >= self.min_n and sum(self.times) > self.budget_s:
                break
            t0 = time.perf_counter()
            vec = fn([texts[i]])
            self.after(vec)
            self.times.append(time.perf_counter() - t0)
            pos.append(i)
            vecs.append(vec)
        return pos, vecs


def encode_cached(
    lazy: LazyEncoder,
    texts: list[str],
    *,
    passages: bool,
    cache_dir: Any,
    should_stop: Callable[[], bool],
    batch: int,
    on_progress: Callable[[int, int], None] | None = None,
    probe: Probe | None = None,
) -> tuple[np.ndarray, np.ndarray, float, list[int]]:
    """Encode through the cache: (vectors, token counts or -1, seconds encoding, positions that missed).

    With `probe`, the first misses double as latency probes (encoded singly, no extra work). The rest are
    encoded longest first (less padding) in steps of `batch`, polling `should_stop` between steps; whatever
    was encoded before a cancel is still stored.
    """
    import time

    m = lazy.mref
    prompt = m.passage_prompt if passages else m.query_prompt
    cache = EmbeddingCache(cache_dir, m.identity, prompt, m.normalize) if cache_dir else None
    if cache is not None:
        vecs, ntok, misses = cache.lookup(texts)
    else:
        vecs, ntok, misses = None, np.full(len(texts), -1, np.int64), list(range(len(texts)))
    done, total = len(texts) - len(misses), len(texts)
    report = on_progress or (lambda d, t: None)
    report(done, total)
    if not misses:
        assert vecs is not None
        return vecs, ntok, 0.0, misses
    encoder = lazy.get()
    fn = encoder.encode_passages if passages else encoder.encode_queries
    t0 = time.perf_counter()
    encoded, singles = probe.run(fn, texts, misses) if probe is not None else ([], [])
    parts = [np.asarray(v, np.float32) for v in singles]
    probed = set(encoded)
    order = sorted((i for i in misses if i not in probed), key=lambda i: -len(texts[i]))
    try:
        for start in range(0, len(order), batch):
            if should_stop():
                raise TrialCancelled(m.name)
            step = order[start : start + batch]
            parts.append(np.asarray(fn([texts[i] for i in step]), np.float32))
            encoded.extend(step)
            report(len(encoded) + done, total)
    finally:
        encode_s = time.perf_counter() - t0
        if parts:
            vecs = _merge(vecs, np.vstack(parts), encoded, len(texts))
            counts = _count_tokens(encoder, [texts[i] for i in encoded], prompt)
            if counts is not None:
                ntok[encoded] = counts
            if cache is not None:
                cache.store([texts[i] for i in encoded], vecs[encoded], counts)
    assert vecs is not None
    return vecs, ntok, encode_s, misses


def _merge(vecs: np.ndarray | None, got: np.ndarray, positions: list[int], n: int) -> np.ndarray:
    out = vecs if vecs is not None else np.zeros((n, got.shape[1]), dtype=np.float32)
    out[positions] = got
    return out
