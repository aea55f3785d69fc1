"""The shipped catalog loads, holds every model the client names, and carries correct, sourced facts."""

from __future__ import annotations

import pytest

from catalog.load import catalog_version, find_model, load_catalog
from catalog.models import Benchmark, Tokenizer

REQUIRED_IDS = [
    "openai/text-embedding-ada-002",
    "openai/text-embedding-3-small",
    "openai/text-embedding-3-large",
    "moka-ai/m3e-base",
    "BAAI/bge-m3",
    "BAAI/bge-large-zh-v1.5",
    "nvidia/NV-Embed-v2",
    "Qwen/Qwen3-Embedding-0.6B",
    "Qwen/Qwen3-Embedding-4B",
    "Qwen/Qwen3-Embedding-8B",
    "nomic-ai/nomic-embed-text-v1.5",
    "Alibaba-NLP/gte-Qwen2-1.5B-instruct",
    "intfloat/multilingual-e5-large",
    "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
    "shibing624/text2vec-base-chinese",
    "sentence-transformers/all-MiniLM-L6-v2",
    "sentence-transformers/all-mpnet-base-v2",
    "nlpaueb/legal-bert-base-uncased",
    "dmis-lab/biobert-base-cased-v1.1",
    "BAAI/BGE-VL-base",
    "McGill-NLP/LLM2Vec-Mistral-7B-Instruct-v2-mntp-supervised",
]


def test_catalog_has_at_least_60_models_open_and_api() -> None:
    """Issue 2: >= 60 text-embedding models, both open-weights and API."""
    models = load_catalog()
    assert len(models) >= 60
    assert sum(m.open_weights for m in models) >= 40
    assert sum(m.is_api for m in models) >= 10
    assert all("text" in m.modalities for m in models)


@pytest.mark.parametrize("model_id", REQUIRED_IDS)
def test_every_model_the_articles_name_is_present(model_id: str) -> None:
    assert find_model(model_id) is not None, model_id


def test_finding_one_shipped_model_by_id_equals_searching_the_whole_catalog() -> None:
    """find_model parses only the matching entry for an id or HF id (start-up); it must find what a search of
    every parsed entry finds, for every id, HF id and case."""
    pool = load_catalog()
    refs = [ref for m in pool for ref in (m.id, m.hf_id, m.id.upper()) if ref]
    assert len(refs) > 2 * len(pool)
    for ref in refs:
        assert find_model(ref) == find_model(ref, pool), ref


def test_packaged_minilm_entry_has_its_real_facts() -> None:
    """The packaged test model's entry must be right: the trial and tokenizer-fit checks rely on it."""
    m = find_model("sentence-transformers/all-MiniLM-L6-v2")
    assert m is not None and find_model("minilm") is m
    assert (m.dims, m.max_tokens, m.vocab_size, m.tokenizer) == (384, 256, 30522, Tokenizer.WORDPIECE)
    assert m.n_parameters == 22_713_216 and m.open_weights and m.commercial_use is True
    assert m.license == "apache-2.0" and m.pooling == "mean" and m.normalize
    assert m.query_prompt is None and m.passage_prompt is None
    eng = m.score(Benchmark.MTEB_ENG_V2)
    assert eng is not None and eng.mean == 59.03 and eng.retrieval_mean == 42.92 and "results" in eng.source


def test_domain_encoders_and_multimodal_are_marked() -> None:
    for ref in ("nlpaueb/legal-bert-base-uncased", "dmis-lab/biobert-base-cased-v1.1"):
        m = find_model(ref)
        assert m is not None and m.sentence_embedder is False
    assert find_model("nlpaueb/legal-bert-base-uncased").domains == ("legal",)  # type: ignore[union-attr]
    assert find_model("dmis-lab/biobert-base-cased-v1.1").domains == ("medical",)  # type: ignore[union-attr]
    vl = find_model("BAAI/BGE-VL-base")
    assert vl is not None and vl.multimodal and set(vl.modalities) == {"image", "text"}


@pytest.mark.parametrize(
    ("ref", "query", "passage"),
    [
        ("intfloat/multilingual-e5-large", "query: ", "passage: "),
        ("BAAI/bge-large-en-v1.5", "Represent this sentence for searching relevant passages: ", None),
        ("BAAI/bge-large-zh-v1.5", "为这个句子生成表示以用于检索相关文章：", None),
        (
            "Qwen/Qwen3-Embedding-0.6B",
            "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:",
            None,
        ),
        ("nomic-ai/nomic-embed-text-v1.5", "search_query: ", "search_document: "),
        ("BAAI/bge-m3", None, None),
    ],
)
def test_query_and_passage_prompts(ref: str, query: str | None, passage: str | None) -> None:
    m = find_model(ref)
    assert m is not None and (m.query_prompt, m.passage_prompt) == (query, passage)


def test_no_mmteb_full_mean_and_the_130_task_mean_is_labelled() -> None:
    """SOURCES caveat: the MMTEB leaderboard mean is unknown; the 130-task mean is never passed off as it."""
    for m in load_catalog():
        s = m.score(Benchmark.MMTEB_MULTILINGUAL_V2)
        if s is None:
            continue
        assert s.mean is None
        if s.mean_note and "130-task" in s.mean_note:
            assert "NOT the leaderboard" in s.mean_note


def test_every_score_and_price_has_a_source() -> None:
    for m in load_catalog():
        assert m.sources, m.id
        assert all(s.source for s in m.scores.values()), m.id
        if m.price_usd_per_1m is not None:
            assert m.price_source, m.id


SOURCED_PRICES = {
    "openai/text-embedding-3-small": 0.02,
    "openai/text-embedding-3-large": 0.13,
    "openai/text-embedding-ada-002": 0.10,
    "Cohere/Cohere-embed-english-v3.0": 0.10,
    "Cohere/Cohere-embed-multilingual-v3.0": 0.10,
    "Cohere/Cohere-embed-v4.0": 0.12,
    "voyageai/voyage-3": 0.06,
    "voyageai/voyage-3-large": 0.18,
    "voyageai/voyage-3.5": 0.06,
    "voyageai/voyage-code-3": 0.18,
    "voyageai/voyage-law-2": 0.12,
    "voyageai/voyage-finance-2": 0.12,
    "voyageai/voyage-4-large": 0.12,
    "voyageai/voyage-4": 0.06,
    "voyageai/voyage-4-lite": 0.02,
    "voyageai/voyage-multilingual-2": 0.12,
    "google/gemini-embedding-001": 0.15,
    "google/text-embedding-004": 0.10,
    "google/text-embedding-005": 0.10,
    "google/text-multilingual-embedding-002": 0.10,
}
"""USD per 1M input tokens as recorded in catalog/SOURCES.md (page and date for each)."""


def test_api_prices_match_their_sources() -> None:
    """Every API price loads with the value its SOURCES.md row gives; none is silently added or dropped."""
    prices = {m.id: m.price_usd_per_1m for m in load_catalog() if m.is_api}
    assert prices == SOURCED_PRICES


@pytest.mark.parametrize("provider", ["openai", "cohere", "voyage", "google"])
def test_every_api_model_of_a_priced_provider_has_a_sourced_price(provider: str) -> None:
    """For these providers a price was found for every catalogued model: a new one needs its page too."""
    models = [m for m in load_catalog() if m.api_provider == provider]
    assert models
    for m in models:
        assert m.price_usd_per_1m is not None and m.price_source and "http" in m.price_source, m.id


def test_unpriced_api_models_say_why() -> None:
    """An API model may stay unpriced (budget checks then fail closed) only with a 'Price unknown' note."""
    for m in load_catalog():
        if m.is_api and m.price_usd_per_1m is None:
            assert any(n.startswith("Price unknown") for n in m.notes), m.id


def test_per_character_prices_state_their_conversion() -> None:
    """Vertex AI bills these per character: the entry says so and names its characters-per-token ratio."""
    for name in ("text-embedding-004", "text-embedding-005", "text-multilingual-embedding-002"):
        m = find_model(f"google/{name}")
        assert m is not None and m.price_source
        assert "per character" in " ".join(m.notes) and "4 characters per token" in " ".join(m.notes)
        assert "characters" in m.price_source


def test_bge_m3_has_no_cmteb_score() -> None:
    """5 of 31 C-MTEB tasks have results and no official source gives a mean: unknown, not relabelled."""
    m = find_model("BAAI/bge-m3")
    assert m is not None and Benchmark.CMTEB_V1 not in m.scores


def test_find_model_matches_ids_api_names_and_short_names() -> None:
    assert find_model("OPENAI/TEXT-EMBEDDING-3-SMALL").id == "openai/text-embedding-3-small"  # type: ignore[union-attr]
    assert find_model("openai:text-embedding-3-large").id == "openai/text-embedding-3-large"  # type: ignore[union-attr]
    assert find_model("embed-english-v3.0").id == "Cohere/Cohere-embed-english-v3.0"  # type: ignore[union-attr]
    assert find_model("bge-m3").id == "BAAI/bge-m3"  # type: ignore[union-attr]
    assert find_model("no-such-model") is None


def test_catalog_version_is_snapshot_plus_hash() -> None:
    version = catalog_version()
    assert version.startswith("2026-11-22+") and len(version.split("+")[1]) == 8


def test_overlay_patches_a_model_and_adds_one() -> None:
    overlay = {
        "model": [
            {"id": "BAAI/bge-m3", "notes": ["patched"]},
            {"id": "acme/new", "name": "new", "provider": "acme", "open_weights": True, "hf_id": "acme/new"},
        ]
    }
    models = load_catalog(overlay=overlay)
    assert find_model("BAAI/bge-m3", models).notes == ("patched",)  # type: ignore[union-attr]
    assert find_model("acme/new", models) is not None
    assert find_model("acme/new") is None  # the shipped catalog is untouched


def test_model_to_dict_is_json_ready() -> None:
    import json

    m = find_model("BAAI/bge-m3")
    assert m is not None
    data = json.loads(json.dumps(m.to_dict()))
    assert data["tokenizer"] == "sentencepiece-unigram" and data["id"] == "BAAI/bge-m3"
    assert data["scores"]["mmteb_multilingual_v2"]["retrieval_mean"] == 54.59
