"""The hand-over: a decision's plan (chosen model as trialled, the suggested setting, its index size) and the
snippets made from it. The sentence-transformers snippet is executed against the packaged MiniLM and must
give the trial's own vectors; every Python snippet compiles; API keys never appear in any snippet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from catalog.handover import PRECISIONS, TARGETS, Deployment, render_text, snippets
from evaluators.cache import EmbeddingCache
from evaluators.models import resolve_model
from evaluators.runner import passage_text, run_trial
from evaluators.tradeoffs import truncate
from evaluators.types import Dataset, TrialResult
from storage import store
from storage.handover import plan_for
from storage.records import Decision
from tests.unit._fake_http import TEST_OPENAI_KEY
from tests.unit.test_runner import beir_slice
from tui.present.markdown import decision_markdown


def _decision(result: Any, chosen: str, requirements: dict[str, Any] | None = None) -> Decision:
    """A real journal entry: the trial saved under a new decision, then the choice recorded."""
    db = store.open_db()
    try:
        did = store.create_decision(db, title="hand-over test", requirements=requirements or {})
        if result is not None:
            store.save_trial(db, did, result)
        store.decide(db, did, model=chosen, note="test")
        return store.get_decision(db, did)
    finally:
        db.close()


@pytest.fixture(scope="module")
def trialled(
    shared_data: Path, minilm_path: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TrialResult, Dataset, Path]:
    ds = beir_slice(shared_data / "squad_en", 12, 4)
    cache = tmp_path_factory.mktemp("emb-cache")
    return run_trial(ds, ["minilm"], backend="torch", cache_dir=cache), ds, cache


def _trial_vectors(ds: Dataset, cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """The vectors the trial computed (read back from its embeddings cache), passages then queries."""
    mref = resolve_model("minilm")
    passages, _, miss_p = EmbeddingCache(cache, mref.identity, mref.passage_prompt, mref.normalize).lookup(
        [passage_text(d) for d in ds.corpus]
    )
    queries, _, miss_q = EmbeddingCache(cache, mref.identity, mref.query_prompt, mref.normalize).lookup(
        [q.text for q in ds.queries]
    )
    assert passages is not None and queries is not None and not miss_p and not miss_q
    return passages, queries


def _exec(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(code, "snippet", "exec"), namespace)  # noqa: S102 - the snippet is what we hand over
    return namespace


@pytest.mark.slow
@pytest.mark.parametrize(("dims", "precision"), [(None, "fp32"), (192, "int8"), (None, None)])
def test_st_snippet_gives_the_trial_vectors(
    trialled: tuple[TrialResult, Dataset, Path], minilm_path: str, dims: int | None, precision: str | None
) -> None:
    """Same prompts, normalisation, window and dimensions as the trial: the snippet's vectors are the
    trial's (truncated and re-normalised at a smaller size), and to_stored quantises as sentence-transformers.
    (None, None) is the trial's own suggestion."""
    st = pytest.importorskip("sentence_transformers")
    result, ds, cache = trialled
    decision = _decision(result, "sentence-transformers/all-MiniLM-L6-v2", {"corpus_docs": 50_000})
    plan = plan_for(decision, dims=dims, precision=precision, model_path=minilm_path)
    dep = plan.deployment
    if precision is None:
        assert plan.source == "suggestion" and plan.measured is not None and plan.measured["suggested"]
    (code,) = [s.code for s in snippets(dep, ["st"])]
    ns = _exec(code)
    assert ns["MODEL"] == minilm_path and ns["MAX_TOKENS"] == 256 and ns["DIMS"] == dep.out_dims
    passages, queries = _trial_vectors(ds, cache)
    texts = [passage_text(d) for d in ds.corpus]
    got_p = ns["embed_passages"](texts)
    got_q = ns["embed_queries"]([q.text for q in ds.queries])
    want_p, want_q = truncate(passages, dep.out_dims, True), truncate(queries, dep.out_dims, True)
    np.testing.assert_allclose(got_p, want_p, atol=1e-5)
    np.testing.assert_allclose(got_q, want_q, atol=1e-5)
    stored = ns["to_stored"](got_p, got_p)
    if dep.precision == "int8":
        expected = st.quantize_embeddings(got_p, precision="int8", calibration_embeddings=got_p)
        np.testing.assert_array_equal(stored, expected)
    elif dep.precision.startswith("binary"):
        np.testing.assert_array_equal(stored, np.packbits(got_p > 0, axis=1))
    if dep.precision == "binary+rescore":
        top = ns["search"](ds.queries[0].text, stored, got_p, k=3)
        assert list(top) == list(
            np.argsort(-(got_p @ got_q[0]), kind="stable")[:3]
        )  # 12 docs: rescoring sees all


@pytest.mark.parametrize("kind", ["local", "api"])
@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("dims", [None, 512])
def test_every_python_snippet_compiles(kind: str, precision: str, dims: int | None) -> None:
    """Every target, both model kinds, every precision, full and truncated: valid Python (SQL checked for
    its dimensions and HNSW M)."""
    dep = Deployment(
        "m",
        kind,
        "org/model" if kind == "local" else "text-embedding-3-small",
        provider="openai" if kind == "api" else None,
        query_prompt="query: 'quoted' \"text\" 查询: ",
        full_dims=1536,
        dims=dims,
        precision=precision,
        truncation="matryoshka" if dims else "none",
        max_tokens=512 if kind == "local" else None,
        hnsw_m=24,
    )
    items = snippets(dep)
    assert [s.target for s in items] == list(TARGETS)
    for s in items:
        if s.language == "python":
            compile(s.code, s.target, "exec")
        else:
            assert f"({dep.out_dims})" in s.code and "m = 24" in s.code and "USING hnsw" in s.code
    if kind == "local":
        assert "query: 'quoted'" in _exec_free_prompt(items[0].code)


def _exec_free_prompt(code: str) -> str:
    """QUERY_PROMPT as the snippet defines it (evaluated from its literal, not by running the snippet)."""
    import ast

    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "QUERY_PROMPT":
            return str(ast.literal_eval(node.value))
    raise AssertionError("no QUERY_PROMPT")


def test_local_model_from_the_catalog_carries_its_prompts() -> None:
    """No trial: multilingual-e5-small's catalog prompts, window and dims reach every snippet."""
    plan = plan_for(
        _decision(None, "intfloat/multilingual-e5-small", {"corpus_docs": 1000, "doc_tokens": 400})
    )
    dep = plan.deployment
    assert (dep.kind, dep.load, dep.query_prompt, dep.passage_prompt) == (
        "local",
        "intfloat/multilingual-e5-small",
        "query: ",
        "passage: ",
    )
    assert dep.out_dims == 384 and dep.max_tokens == 512 and plan.source == "default"
    text = render_text(snippets(dep))
    assert text.count("QUERY_PROMPT = 'query: '") == 3  # st, LlamaIndex, LangChain
    assert "embed_model._model.prompts = {'query': QUERY_PROMPT" in text
    assert "DataType.FLOAT_VECTOR, dim=384" in text and "vector(384)" in text and "size=384" in text
    assert plan.sizing is not None and plan.sizing.n_vectors == 2000  # 400 tokens: 2 chunks of <= 256


def test_api_model_snippets_read_the_key_from_the_environment(shared_data: Path, openai_server: Any) -> None:
    """A trial of OpenAI's model through a real HTTP server: the hand-over uses the SDK/LlamaIndex/LangChain
    OpenAI classes, the trial's dimensions, and never the key itself."""
    ds = beir_slice(shared_data / "squad_en", 12, 4)
    result = run_trial(ds, ["openai:text-embedding-3-small"])
    row = result.results[0]
    assert row.status == "ok", row.error
    plan = plan_for(_decision(result, row.model))
    dep = plan.deployment
    assert (dep.kind, dep.provider, dep.load, dep.full_dims) == ("api", "openai", "text-embedding-3-small", 8)
    items = {s.target: s for s in snippets(dep)}
    assert "client.embeddings.create(model=MODEL" in items["st"].code
    assert "os.environ['OPENAI_API_KEY']" in items["st"].code
    assert "OpenAIEmbedding(" in items["llamaindex"].code and "OpenAIEmbeddings(" in items["langchain"].code
    everything = render_text(list(items.values()))
    assert TEST_OPENAI_KEY not in everything and "sk-" not in everything


def test_api_model_matryoshka_override_from_the_catalog() -> None:
    """text-embedding-3-large at 256 dims (a Matryoshka size): `dimensions=DIMS`; 3072 fp32 would be over
    pgvector's 2000-dim HNSW limit, so the full-size plan indexes a halfvec cast."""
    decision = _decision(None, "openai/text-embedding-3-large")
    small = plan_for(decision, dims=256).deployment
    assert small.truncation == "matryoshka" and small.out_dims == 256
    code = {s.target: s.code for s in snippets(small)}
    assert "dimensions=DIMS" in code["st"] and "DIMS = 256" in code["st"]
    full = {s.target: s.code for s in snippets(plan_for(decision).deployment)}
    assert "embedding::halfvec(3072)" in full["pgvector"] and "halfvec_cosine_ops" in full["pgvector"]


def test_plan_errors_say_what_to_do() -> None:
    keyword = _decision(None, "bm25")
    unknown = _decision(None, "someone/unlisted-model")
    db = store.open_db()
    try:
        did = store.create_decision(db, title="open")
        draft = store.get_decision(db, did)
    finally:
        db.close()
    with pytest.raises(store.StorageError, match=rf"embedscout decide {did} --model M"):
        plan_for(draft)
    with pytest.raises(store.StorageError, match="bm25 is a keyword index"):
        plan_for(keyword)
    with pytest.raises(store.StorageError, match="dimensions are unknown: give --dims"):
        plan_for(unknown)
    assert plan_for(unknown, dims=768).deployment.load == "someone/unlisted-model"
    minilm = _decision(None, "sentence-transformers/all-MiniLM-L6-v2")
    with pytest.raises(store.StorageError, match="more than the model's 384"):
        plan_for(minilm, dims=1024)
    with pytest.raises(store.StorageError, match="--precision must be one of"):
        plan_for(minilm, precision="int4")


@pytest.mark.slow
def test_markdown_export_has_the_deployment_section(trialled: tuple[TrialResult, Dataset, Path]) -> None:
    """The export carries the trade-off table at the decision's corpus, the plan and every snippet."""
    result, _, _ = trialled
    decision = _decision(result, "sentence-transformers/all-MiniLM-L6-v2", {"corpus_docs": 50_000})
    db = store.open_db()
    try:
        text = decision_markdown(store.get_decision(db, decision.id or 0))  # what `export` writes
    finally:
        db.close()
    assert (
        "#### Trade-offs: sentence-transformers/all-MiniLM-L6-v2 (index at your corpus (150,000 vectors))"
        in text
    )
    assert "## Deployment" in text and "Index at your corpus: 150,000 vectors" in text
    assert text.count("```python") == 5 and text.count("```sql") == 1
    assert f"embedscout use {decision.id}" in text


def test_hybrid_hands_over_its_dense_part() -> None:
    """hybrid:<model>+bm25: the dense model's code, with a line saying BM25 and RRF come with it."""
    dep = plan_for(_decision(None, "hybrid:intfloat/multilingual-e5-small+bm25")).deployment
    assert dep.model_id == "intfloat/multilingual-e5-small" and dep.query_prompt == "query: "
    assert any(line.startswith("Hybrid as trialled") for line in dep.header)
