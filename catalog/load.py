"""Load and validate the curated catalog (`catalog/data/models.toml`) into frozen `ModelSpec`s.

Validation is strict and schema-driven: an unknown key, a wrong type or an inconsistent entry raises
`CatalogError` naming the entry id and the field, so a bad edit to the data file fails loudly at load.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from catalog.models import SOURCED_FACTS, Benchmark, BenchmarkScore, ModelSpec, Tokenizer

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANG = re.compile(r"^[a-z]{2,3}$")


class CatalogError(ValueError):
    """A catalog file or entry is malformed; the message names the entry and the field."""


Check = Callable[[Any], Any]


def _str(v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise TypeError(f"expected a non-empty string, got {v!r}")
    return v


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise TypeError(f"expected true or false, got {v!r}")
    return v


def _pos_int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise TypeError(f"expected a positive integer, got {v!r}")
    return v


def _count(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise TypeError(f"expected an integer >= 0, got {v!r}")
    return v


def _nonneg_float(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise TypeError(f"expected a number >= 0, got {v!r}")
    return float(v)


def _percent(v: Any) -> float:
    value = _nonneg_float(v)
    if value > 100:
        raise TypeError(f"expected a percentage 0-100, got {v!r}")
    return value


def _date(v: Any) -> str:
    if not isinstance(v, str) or not _DATE.match(v):
        raise TypeError(f"expected a date YYYY-MM-DD, got {v!r}")
    return v


def _tokenizer(v: Any) -> Tokenizer:
    try:
        return Tokenizer(v)
    except ValueError:
        allowed = ", ".join(t.value for t in Tokenizer)
        raise TypeError(f"expected one of {allowed}, got {v!r}") from None


def _lang(v: Any) -> str:
    if not isinstance(v, str) or not _LANG.match(v):
        raise TypeError(f"expected a lowercase ISO 639 code like 'en' or 'zh', got {v!r}")
    return v


def _tuple_of(check: Check) -> Check:
    def run(v: Any) -> tuple[Any, ...]:
        if not isinstance(v, list):
            raise TypeError(f"expected a list, got {v!r}")
        return tuple(check(x) for x in v)

    return run


MODEL_FIELDS: dict[str, Check] = {
    "id": _str,
    "name": _str,
    "provider": _str,
    "open_weights": _bool,
    "hf_id": _str,
    "api_provider": _str,
    "api_model_name": _str,
    "modalities": _tuple_of(_str),
    "sentence_embedder": _bool,
    "max_tokens": _pos_int,
    "unbounded_context": _bool,
    "tokenizer": _tokenizer,
    "tiktoken_encoding": _str,
    "vocab_size": _pos_int,
    "dims": _pos_int,
    "matryoshka_dims": _tuple_of(_pos_int),
    "n_parameters": _pos_int,
    "memory_mb": _nonneg_float,
    "price_usd_per_1m": _nonneg_float,
    "price_source": _str,
    "languages": _tuple_of(_lang),
    "multilingual": _bool,
    "license": _str,
    "commercial_use": _bool,
    "release_date": _date,
    "domains": _tuple_of(_str),
    "training_data": _str,
    "query_prompt": _str,
    "passage_prompt": _str,
    "normalize": _bool,
    "pooling": _str,
    "notes": _tuple_of(_str),
    "sources": _tuple_of(_str),
}
REQUIRED = ("id", "name", "provider", "open_weights")
SCORE_FIELDS: dict[str, Check] = {
    "mean": _percent,
    "retrieval_mean": _percent,
    "tasks_with_results": _count,
    "tasks_total": _count,
    "retrieval_tasks_with_results": _count,
    "retrieval_tasks_total": _count,
    "mean_note": _str,
    "source": _str,
    "implausible": _str,
}


def _fail(entry: str, field: str, problem: str) -> CatalogError:
    return CatalogError(f"catalog entry '{entry}': field '{field}': {problem}")


def _parse_scores(entry: str, raw: Any) -> dict[Benchmark, BenchmarkScore]:
    if not isinstance(raw, Mapping):
        raise _fail(entry, "scores", f"expected a table of benchmarks, got {raw!r}")
    out: dict[Benchmark, BenchmarkScore] = {}
    for key, table in raw.items():
        try:
            bench = Benchmark(key)
        except ValueError:
            allowed = ", ".join(b.value for b in Benchmark)
            raise _fail(entry, f"scores.{key}", f"unknown benchmark (expected one of {allowed})") from None
        if not isinstance(table, Mapping):
            raise _fail(entry, f"scores.{key}", "expected a table")
        values: dict[str, Any] = {}
        for name, value in table.items():
            if value is None:  # overlays (dicts, not TOML) may spell unknown as None
                continue
            if name not in SCORE_FIELDS:
                raise _fail(entry, f"scores.{key}.{name}", "unknown field")
            try:
                values[name] = SCORE_FIELDS[name](value)
            except TypeError as exc:
                raise _fail(entry, f"scores.{key}.{name}", str(exc)) from None
        if values.get("mean") is None and values.get("retrieval_mean") is None:
            raise _fail(
                entry, f"scores.{key}", "needs 'mean' or 'retrieval_mean' (omit the table when unknown)"
            )
        if not values.get("source"):
            raise _fail(entry, f"scores.{key}.source", "every score needs a source")
        out[bench] = BenchmarkScore(
            mean=values.pop("mean", None), retrieval_mean=values.pop("retrieval_mean", None), **values
        )
    return out


def _parse_fact_sources(entry: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise _fail(entry, "fact_sources", f"expected a table of field = source, got {raw!r}")
    out: dict[str, str] = {}
    for name, source in raw.items():
        if name not in MODEL_FIELDS or name in _UNSOURCED:
            raise _fail(entry, f"fact_sources.{name}", "not a fact field of a catalog entry")
        try:
            out[name] = _str(source)
        except TypeError as exc:
            raise _fail(entry, f"fact_sources.{name}", str(exc)) from None
    return out


_UNSOURCED = {"id", "name", "notes", "sources", "price_source"}


def _needs_source(name: str, value: Any) -> bool:
    if name not in SOURCED_FACTS:
        return False
    if name in ("unbounded_context", "multilingual"):
        return value is True
    if name == "modalities":
        return tuple(value) != ("text",)
    return True


def _check_sources(entry: str, values: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    """Every stated fact names its source; a source for an absent fact must say why it is unknown."""
    for name, value in values.items():
        if _needs_source(name, value) and name not in sources:
            raise _fail(entry, f"fact_sources.{name}", "every stated fact needs a source (or leave it out)")
    for name, source in sources.items():
        if name not in values and not source.casefold().startswith("unknown"):
            raise _fail(entry, f"fact_sources.{name}", "source for an absent fact must start with 'unknown'")


def _check_consistency(entry: str, values: Mapping[str, Any]) -> None:
    if values["open_weights"] and not values.get("hf_id"):
        raise _fail(entry, "hf_id", "open-weights models need a Hugging Face id")
    if not values["open_weights"] and not values.get("api_provider"):
        raise _fail(entry, "api_provider", "API models need an api_provider")
    dims, mrl = values.get("dims"), values.get("matryoshka_dims")
    if dims is not None and mrl and max(mrl) > dims:
        raise _fail(entry, "matryoshka_dims", f"{max(mrl)} exceeds dims {dims}")
    if values.get("unbounded_context") and values.get("max_tokens") is not None:
        raise _fail(entry, "max_tokens", "set either max_tokens or unbounded_context, not both")
    if "modalities" in values and "text" not in values["modalities"]:
        raise _fail(entry, "modalities", "the catalog holds text-embedding models: 'text' must be listed")


def parse_entry(raw: Any, index: int) -> ModelSpec:
    """One `[[model]]` table -> ModelSpec, or CatalogError naming the entry and field."""
    entry = str(raw.get("id")) if isinstance(raw, Mapping) and raw.get("id") else f"#{index + 1}"
    if not isinstance(raw, Mapping):
        raise _fail(entry, "<entry>", "expected a [[model]] table")
    for name in REQUIRED:
        if raw.get(name) is None:
            raise _fail(entry, name, "required field is missing")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name in ("scores", "fact_sources") or value is None:
            continue
        if name not in MODEL_FIELDS:
            raise _fail(entry, name, "unknown field")
        try:
            values[name] = MODEL_FIELDS[name](value)
        except TypeError as exc:
            raise _fail(entry, name, str(exc)) from None
    _check_consistency(entry, values)
    sources = _parse_fact_sources(entry, raw.get("fact_sources", {}))
    _check_sources(entry, values, sources)
    scores = _parse_scores(entry, raw.get("scores", {}))
    return ModelSpec(**values, scores=scores, fact_sources=sources)


def parse_catalog(data: Mapping[str, Any]) -> tuple[ModelSpec, ...]:
    """A parsed TOML document -> validated, id-unique models in file order."""
    unknown = set(data) - {"model", "snapshot"}
    if unknown:
        raise CatalogError(f"catalog file: unknown top-level key(s): {', '.join(sorted(unknown))}")
    entries = data.get("model")
    if not isinstance(entries, list) or not entries:
        raise CatalogError("catalog file: no [[model]] entries")
    models = tuple(parse_entry(raw, i) for i, raw in enumerate(entries))
    seen: set[str] = set()
    for m in models:
        if m.id.casefold() in seen:
            raise _fail(m.id, "id", "duplicate id")
        seen.add(m.id.casefold())
    return models


def _read(path: Path | None) -> bytes:
    if path is not None:
        return Path(path).read_bytes()
    return resources.files("catalog").joinpath("data/models.toml").read_bytes()


def _decode(raw: bytes, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"catalog file {where}: not valid TOML: {exc}") from None


def _merge(base: list[Any], overlay: Mapping[str, Any]) -> list[Any]:
    """Overlay entries replace fields of the same id; new ids are appended."""
    merged = [dict(e) for e in base]
    by_id = {str(e.get("id", "")).casefold(): e for e in merged}
    for entry in overlay.get("model", []):
        target = by_id.get(str(entry.get("id", "")).casefold())
        if target is None:
            merged.append(dict(entry))
        else:
            target.update(entry)
    return merged


def _decoded(path: Path | None) -> tuple[bytes, dict[str, Any]]:
    """The file's bytes and its decoded TOML; the shipped file once per process, through its JSON mirror."""
    if path is None:
        return _shipped()
    raw = _read(path)
    return raw, _decode(raw, str(path))


@lru_cache(maxsize=1)
def _shipped() -> tuple[bytes, dict[str, Any]]:
    from catalog.mirror import read_mirror

    raw = _read(None)
    data = read_mirror(raw)
    return raw, data if data is not None else _decode(raw, "catalog/data/models.toml")


@lru_cache(maxsize=4)
def _load_cached(path: Path | None) -> tuple[ModelSpec, ...]:
    return parse_catalog(_decoded(path)[1])


def load_catalog(
    overlay: Mapping[str, Any] | None = None, *, path: Path | str | None = None
) -> tuple[ModelSpec, ...]:
    """All catalog models, validated.

    `path` reads another file (tests); `overlay` ({'model': [...]}, e.g. from `catalog refresh`) patches it.
    """
    resolved = Path(path) if path is not None else None
    if not overlay:
        return _load_cached(resolved)
    data = dict(_decoded(resolved)[1])
    data["model"] = _merge(list(data.get("model", [])), overlay)
    return parse_catalog(data)


def catalog_version(path: Path | str | None = None) -> str:
    """Snapshot date plus a content hash, recorded with every saved recommendation."""
    raw, data = _decoded(Path(path) if path is not None else None)
    return f"{data.get('snapshot', 'unknown')}+{hashlib.sha256(raw).hexdigest()[:8]}"


ALIASES = {"minilm": "sentence-transformers/all-MiniLM-L6-v2"}
"""Short names other packages use (evaluators.models resolves 'minilm' to the packaged all-MiniLM-L6-v2)."""


def find_model(ref: str, models: Iterable[ModelSpec] | None = None) -> ModelSpec | None:
    """Match a catalog id, HF id, API name (`provider:name` too) or short name, case-insensitively."""
    wanted = ref.strip().casefold()
    wanted = ALIASES.get(wanted, wanted).casefold()
    if models is None and (found := _find_shipped_by_id(wanted)) is not None:
        return found
    pool = tuple(models) if models is not None else load_catalog()
    keys: list[Callable[[ModelSpec], Iterable[str | None]]] = [
        lambda m: (m.id, m.hf_id),
        lambda m: (m.api_model_name, f"{m.api_provider}:{m.api_model_name}" if m.api_provider else None),
        lambda m: (m.short_name, m.name),
    ]
    for key in keys:  # most specific first, so a short name never shadows an exact id
        for m in pool:
            if any(k is not None and k.casefold() == wanted for k in key(m)):
                return m
    return None


@lru_cache(maxsize=64)
def _find_shipped_by_id(wanted: str) -> ModelSpec | None:
    """The first shipped entry whose id or HF id is `wanted` (find_model's most specific key), parsed alone:
    a trial resolving one model skips validating all ~110 entries (~20 ms of a cached re-run). Anything else
    (API names, short names, or a bad entry) is left to the full catalog. Identical to the full search, which
    tests/unit/test_catalog_load.py checks for every id."""
    for index, raw in enumerate(_shipped()[1].get("model") or ()):
        if not isinstance(raw, Mapping):
            return None
        if any(isinstance(k, str) and k.casefold() == wanted for k in (raw.get("id"), raw.get("hf_id"))):
            try:
                return parse_entry(raw, index)
            except CatalogError:
                return None
    return None
