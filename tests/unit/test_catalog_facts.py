"""Catalog facts are verified and sourced: the stored table of verified values, the issue-12 corrections, the
per-fact sources, and the merge of curated facts over mteb ModelMeta that scripts/build_catalog.py runs."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from catalog.facts import merge, meta_facts, to_toml
from catalog.load import find_model, load_catalog, parse_catalog
from catalog.models import SOURCED_FACTS, Benchmark, ModelSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DATA = Path(__file__).resolve().parents[1] / "data" / "verified_facts.csv"
FACTS = Path(__file__).resolve().parents[2] / "catalog" / "data" / "facts.toml"


def _rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _model(ref: str) -> ModelSpec:
    m = find_model(ref)
    assert m is not None, ref
    return m


@pytest.mark.parametrize("row", _rows(), ids=lambda r: f"{r['model_id']}.{r['field']}")
def test_catalog_matches_the_verified_value(row: dict[str, str]) -> None:
    """A rebuild that reintroduces a wrong dims/window/params number (e.g. an FFN size as dims) fails here."""
    m = _model(row["model_id"])
    assert getattr(m, row["field"]) == int(row["value"]), row["source"]
    assert row["source"].strip() and m.fact_source(row["field"]), "a verified value names its source"


def test_the_table_covers_every_fact_sourced_beyond_modelmeta() -> None:
    """Every dims/window/params value checked against a model's own card or config has its row (no drift)."""
    rows = {(r["model_id"], r["field"]) for r in _rows()}
    for m in load_catalog():
        for field in ("dims", "max_tokens", "n_parameters"):
            source = m.fact_source(field) or ""
            labelled = source.startswith(("mteb ModelMeta @a905523 (", "unknown"))
            own = getattr(m, field) is not None and not labelled
            assert not own or (m.id, field) in rows, f"{m.id}.{field} ({source}) missing from {DATA.name}"


@pytest.mark.parametrize(
    ("ref", "dims", "window"),
    [
        ("BAAI/bge-small-en-v1.5", 384, 512),
        ("Alibaba-NLP/gte-Qwen2-1.5B-instruct", 1536, 32768),
        ("NovaSearch/stella_en_1.5B_v5", 1024, 512),
        ("NovaSearch/stella_en_400M_v5", 1024, 512),
        ("Cohere/Cohere-embed-multilingual-v3.0", 1024, 512),
        ("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2", 384, 128),
        ("sentence-transformers/paraphrase-multilingual-mpnet-base-v2", 768, 128),
        ("BAAI/BGE-VL-base", 512, 77),
    ],
)
def test_issue_12_dims_and_windows_are_corrected(ref: str, dims: int, window: int) -> None:
    m = _model(ref)
    assert (m.dims, m.max_tokens) == (dims, window)
    for field in ("dims", "max_tokens"):
        source = m.fact_source(field) or "mteb ModelMeta"
        assert not source.startswith("mteb ModelMeta"), f"{field}: checked against the model's own files"


def test_issue_12_languages_licences_and_modalities() -> None:
    m3 = _model("BAAI/bge-m3")
    assert m3.multilingual and len(m3.languages) >= 100 and {"zh", "en", "ja"} <= set(m3.languages)
    for ref in ("voyageai/voyage-4-large", "voyageai/voyage-4"):
        assert _model(ref).multilingual and "multilingual" in (_model(ref).fact_source("multilingual") or "")
    lite = _model("voyageai/voyage-4-lite")
    assert not lite.multilingual and (lite.fact_source("multilingual") or "").startswith("unknown")
    for ref in ("moka-ai/m3e-base", "moka-ai/m3e-large"):
        m = _model(ref)
        assert m.commercial_use is False, "the M3E card's License section: non-commercial, research use only"
        assert "非商用" in (m.fact_source("commercial_use") or "") and "://" not in (m.license or "")
    m3e_large = _model("moka-ai/m3e-large")
    assert m3e_large.dims == 1024 and "C_MTEB" in (m3e_large.fact_source("dims") or "")
    vl = _model("BAAI/BGE-VL-base")
    assert vl.multimodal and set(vl.modalities) == {"image", "text"} and vl.fact_source("modalities")


@pytest.mark.parametrize(
    ("ref", "field", "value", "evidence"),
    [
        # LLM-based embedders: the window is the owner's truncation, not the backbone's position limit
        ("intfloat/e5-mistral-7b-instruct", "max_tokens", 4096, "not recommended"),
        ("nvidia/NV-Embed-v2", "max_tokens", 4096, "sentence_bert_config"),
        ("Linq-AI-Research/Linq-Embed-Mistral", "max_tokens", 4096, "4096"),
        ("Salesforce/SFR-Embedding-Mistral", "max_tokens", 4096, "sentence_bert_config"),
        ("Salesforce/SFR-Embedding-2_R", "max_tokens", 4096, "sentence_bert_config"),
        ("Salesforce/SFR-Embedding-Code-2B_R", "max_tokens", 4096, "sentence_bert_config"),
        ("BAAI/bge-en-icl", "max_tokens", 512, "doc_max_len"),
        # output sizes after the Dense projection, and vendor-stated sizes
        ("TencentBAC/Conan-embedding-v1", "dims", 1792, "2_Dense"),
        ("dunzhang/stella-mrl-large-zh-v3.5-1792d", "dims", 1792, "2_Dense"),
        ("jinaai/jina-embeddings-v5-text-small", "n_parameters", 677_000_000, "jina.ai"),
        # licences and commercial use from the card or vendor, not ModelMeta
        ("jinaai/jina-embeddings-v4", "license", "qwen-research-license", "jina.ai"),
        ("jinaai/jina-embeddings-v4", "commercial_use", False, "Qwen Research License"),
        ("nvidia/llama-embed-nemotron-8b", "commercial_use", False, "non-commercial"),
        ("shibing624/text2vec-base-chinese", "commercial_use", True, "商业"),
    ],
)
def test_own_sources_replace_modelmeta(ref: str, field: str, value: object, evidence: str) -> None:
    """Facts checked against the model's own card/config or the vendor (issue 12 item 7); a rebuild that falls
    back to ModelMeta's value (e.g. Mistral's 32768 positions as the window) fails here."""
    m = _model(ref)
    assert getattr(m, field) == value
    source = m.fact_source(field) or ""
    assert evidence in source and not source.startswith("mteb ModelMeta @a905523 (")


def test_english_only_cards_make_english_only_models() -> None:
    """A card that says English only gives languages ('en',) and multilingual False: such a model is never
    offered as a Chinese or multilingual candidate on a guess."""
    for ref in (
        "Alibaba-NLP/gte-modernbert-base",
        "ibm-granite/granite-embedding-30m-english",
        "google/text-embedding-005",
    ):
        m = _model(ref)
        assert m.languages == ("en",) and m.multilingual is False and m.fact_source("multilingual")


def test_seed_articles_checkpoint_is_present_with_its_card_facts() -> None:
    m = _model("shibing624/text2vec-base-chinese-sentence")
    assert (m.dims, m.max_tokens, m.languages, m.license) == (768, 256, ("zh",), "apache-2.0")
    assert m.commercial_use is True and "apache-2.0" in (m.fact_source("commercial_use") or "")
    assert not m.scores, "no MTEB results exist for it: unmeasured, not zero"


def test_catalog_size_and_no_position_limit_posing_as_a_window() -> None:
    models = load_catalog()
    assert len(models) >= 110
    for m in models:
        assert m.max_tokens not in (514, 131072), f"{m.id}: a position limit is not a usable window"
        assert m.license is None or "://" not in m.license, f"{m.id}: licence must be a name, not a URL"
        assert m.dims is None or m.dims <= 8192, f"{m.id}: {m.dims} looks like an FFN size, not the output"


def test_every_stated_fact_names_a_source() -> None:
    for m in load_catalog():
        for field in SOURCED_FACTS:
            value = getattr(m, field)
            if value in (None, (), False) or (field == "modalities" and value == ("text",)):
                continue
            assert m.fact_source(field), f"{m.id}.{field}"


def test_broken_upstream_scores_are_flagged_not_ranked() -> None:
    """jina-embeddings-v2-base-en's MTEB(eng, v2) retrieval 26.67 comes from a failed run (FEVER 0.00)."""
    jina = _model("jinaai/jina-embeddings-v2-base-en")
    eng = jina.score(Benchmark.MTEB_ENG_V2)
    assert eng is not None and not eng.usable and "FEVERHardNegatives" in (eng.implausible or "")
    flagged = {m.id for m in load_catalog() for s in m.scores.values() if not s.usable}
    assert flagged == {"jinaai/jina-embeddings-v2-base-en"}


def test_facts_file_is_the_curated_input_for_every_catalog_model() -> None:
    curated = tomllib.loads(FACTS.read_text(encoding="utf-8"))["model"]
    assert [c["id"] for c in curated] == [m.id for m in load_catalog()]


META = {
    "name": "acme/x",
    "revision": "r1",
    "languages": ["eng-Latn", "cmn-Hans", "python-Code"],
    "n_parameters": 1000,
    "memory_usage_mb": 4.0,
    "max_tokens": 514.0,
    "embed_dim": 8960,
    "license": "apache-2.0",
    "release_date": "2024-01-02",
    "modalities": ["text"],
}


def test_meta_facts_are_labelled_and_programming_languages_become_notes() -> None:
    values, sources, notes = meta_facts(META, "mteb ModelMeta @abc (x.py)")
    assert values["languages"] == ["en", "zh"] and values["commercial_use"] is True
    assert sources["dims"] == "mteb ModelMeta @abc (x.py)"
    assert "derived from licence" in sources["commercial_use"]
    assert notes == ["Programming languages listed by mteb: python"]
    assert meta_facts({"max_tokens": float("inf")}, "L")[0] == {"unbounded_context": True}
    url = meta_facts({"license": "https://example.org/LICENSE"}, "L")[0]
    assert "license" not in url and "commercial_use" not in url, "a URL is not a licence name"


def test_curated_facts_win_and_unknown_drops_the_modelmeta_value() -> None:
    curated = {
        "id": "acme/x",
        "name": "x",
        "provider": "Acme",
        "open_weights": True,
        "hf_id": "acme/x",
        "dims": 1536,
        "fact_sources": {"dims": "acme/x config.json hidden_size=1536", "max_tokens": "unknown: not stated"},
    }
    entry = merge(curated, meta_facts(META, "mteb ModelMeta @abc (x.py)"))
    assert entry["dims"] == 1536 and entry["fact_sources"]["dims"].startswith("acme/x config.json")
    assert "max_tokens" not in entry and entry["fact_sources"]["max_tokens"] == "unknown: not stated"
    assert entry["fact_sources"]["n_parameters"] == "mteb ModelMeta @abc (x.py)"
    [spec] = parse_catalog(tomllib.loads(to_toml([entry], 'snapshot = "t"')))
    assert spec.dims == 1536 and spec.fact_source("max_tokens") == "unknown: not stated"
    assert spec.to_dict()["fact_sources"]["dims"] == "acme/x config.json hidden_size=1536"


@pytest.mark.parametrize(
    ("licence", "commercial"), [("cc-by-nc-4.0", False), ("mit", True), ("qwen-research", None)]
)
def test_commercial_use_follows_the_curated_licence_not_modelmeta(
    licence: str, commercial: bool | None
) -> None:
    """ModelMeta says apache-2.0, the card says otherwise: commercial use is derived from the card's licence
    (or stays unknown for a licence the table does not know), never from ModelMeta's."""
    curated = {"id": "acme/x", "license": licence, "fact_sources": {"license": "acme/x card: licence"}}
    entry = merge(curated, meta_facts(META, "mteb ModelMeta @abc (x.py)"))
    assert entry.get("commercial_use") is commercial
    if commercial is None:
        assert "commercial_use" not in entry["fact_sources"]
    else:
        assert (
            entry["fact_sources"]["commercial_use"]
            == f"derived from licence {licence!r} (source: acme/x card: licence)"
        )


def test_a_single_language_from_the_card_means_not_multilingual_but_modelmeta_lists_do_not() -> None:
    own = {"id": "acme/x", "languages": ["zh"], "fact_sources": {"languages": "acme/x card: 'Chinese'"}}
    entry = merge(own, None)
    assert entry["multilingual"] is False
    derived = "derived: a single language (zh) (source: acme/x card: 'Chinese')"
    assert entry["fact_sources"]["multilingual"] == derived
    from_meta = merge({"id": "acme/x"}, meta_facts({"languages": ["eng-Latn"]}, "mteb ModelMeta @abc (x.py)"))
    assert "multilingual" not in from_meta, "ModelMeta's language lists are often incomplete: no guess"
    two = merge({**own, "languages": ["zh", "en"]}, None)
    assert "multilingual" not in two
    stated = {**own, "multilingual": True, "fact_sources": {**own["fact_sources"], "multilingual": "card"}}
    assert merge(stated, None)["multilingual"] is True, "a stated fact is never overridden by a derivation"
