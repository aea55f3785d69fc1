"""Model references resolve to the right kind, load path, prompts and cache identity, loading nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from evaluators.models import MINILM_HF_ID, resolve_model


def test_bm25_and_hybrid() -> None:
    assert resolve_model(" BM25 ").kind == "bm25"
    hybrid = resolve_model("hybrid:intfloat/e5-small-v2+bm25")
    assert hybrid.kind == "hybrid" and [p.kind for p in hybrid.parts] == ["dense", "bm25"]
    assert hybrid.parts[0].query_prompt == "query: "


@pytest.mark.parametrize("bad", ["", "hybrid:bm25+bm25", "hybrid:foo", "hybrid:+bm25", "two words"])
def test_malformed_refs_raise(bad: str) -> None:
    with pytest.raises(ValueError):
        resolve_model(bad)


def test_minilm_alias_is_the_packaged_folder_matched_to_the_catalog(minilm_path: str) -> None:
    ref = resolve_model("minilm")
    assert ref.kind == "dense" and ref.path == minilm_path and isinstance(ref.path, str)
    assert ref.name == MINILM_HF_ID and ref.normalize and ref.max_tokens == 256
    assert resolve_model(minilm_path).identity == ref.identity


def test_catalog_prompts_are_applied() -> None:
    e5 = resolve_model("intfloat/e5-small-v2")
    assert (e5.kind, e5.path, e5.query_prompt, e5.passage_prompt) == (
        "dense",
        "intfloat/e5-small-v2",
        "query: ",
        "passage: ",
    )


def test_local_folder_prompts_come_from_its_config(tmp_path: Path) -> None:
    (tmp_path / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "Q: ", "document": "D: "}}), "utf-8"
    )
    (tmp_path / "modules.json").write_text(json.dumps([{"type": "sentence_transformers.models.Transformer"}]))
    ref = resolve_model(str(tmp_path))
    assert (ref.kind, ref.query_prompt, ref.passage_prompt, ref.normalize) == ("dense", "Q: ", "D: ", False)
    assert str(tmp_path.resolve()) in ref.identity


def test_api_refs() -> None:
    spec_ref = resolve_model("openai/text-embedding-3-small")
    assert spec_ref.kind == "api" and spec_ref.path == "openai:text-embedding-3-small"
    assert resolve_model("cohere:embed-v4.0").kind == "api"


def test_unknown_hf_id_resolves_and_fails_later() -> None:
    ref = resolve_model("nobody/no-such-model")
    assert (ref.kind, ref.path) == ("dense", "nobody/no-such-model")


def test_degrades_without_catalog_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "catalog.load", None)  # import now raises ImportError
    ref = resolve_model("intfloat/e5-small-v2")
    assert ref.kind == "dense" and ref.query_prompt is None
