"""The on-disk cache of each model's own cut of the corpus (evaluators.ingest.view_cache): a hit is the cut
exactly, made with the real MiniLM tokenizer, without loading it; any input of the cut changes the key; a
damaged file is cut again; no cache dir writes nothing."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from evaluators.datasets import load_demo
from evaluators.ingest import views
from evaluators.ingest.model_chunking import View, load_chunk_tokenizer
from evaluators.ingest.view_cache import tokenizer_key
from evaluators.ingest.views import Views
from evaluators.models import resolve_model
from evaluators.runner import run_trial
from evaluators.types import Dataset


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return load_demo()


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokenizers Views loads from now on (each call still loads the real one)."""
    seen: list[str] = []

    def counted(mref: Any) -> Any:
        seen.append(mref.name)
        return load_chunk_tokenizer(mref)

    monkeypatch.setattr(views, "load_chunk_tokenizer", counted)
    return seen


def _same(a: View, b: View) -> None:
    assert (a.units, a.texts, a.qrels, a.qrels_level, a.info, a.size) == (
        b.units, b.texts, b.qrels, b.qrels_level, b.info, b.size)


def _files(cache: Path) -> list[Path]:
    return sorted((cache / "chunk_views").glob("*.json"))


def test_a_hit_is_the_computed_cut_and_loads_no_tokenizer(
    demo: Dataset, minilm_path: str, tmp_path: Path, loads: list[str]
) -> None:
    mref = resolve_model("minilm")
    for size in (None, 96):
        computed = Views(demo).for_model(mref, size)  # no cache dir: the cut as it always was made
        assert computed.info["counter"] == f"hf:{mref.name}" and len(computed.units) > len(demo.documents)
        stored = Views(demo, tmp_path).for_model(mref, size)
        _same(stored, computed)
        del loads[:]
        hit = Views(demo, tmp_path).for_model(mref, size)  # a new process, in effect
        assert loads == []  # read back: no tokenizer loaded
        _same(hit, computed)
    assert len(_files(tmp_path)) == 2


def _changes(demo: Dataset, mref: Any, tmp_path: Path) -> dict[str, tuple[Dataset, Any, int | None, int]]:
    doc = demo.documents[3]
    edited = replace(demo, documents=(*demo.documents[:3], replace(doc, text=doc.text + " One more."),
                                      *demo.documents[4:]))
    folder = tmp_path / "minilm-copy"  # the same model files, a tokenizer.json that differs in one byte
    shutil.copytree(mref.path, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(Path(mref.path) / "model.safetensors")
    (folder / "tokenizer.json").write_text((folder / "tokenizer.json").read_text("utf-8") + "\n", "utf-8")
    return {
        "size": (demo, mref, 64, 32),
        "overlap": (demo, mref, 96, 16),
        "window": (demo, replace(mref, max_tokens=128), 96, 32),
        "prompt": (demo, replace(mref, passage_prompt="passage: "), 96, 32),
        "document text": (edited, mref, 96, 32),
        "tokenizer file": (demo, resolve_model(str(folder)), 96, 32),
    }


@pytest.mark.parametrize("change", ["size", "overlap", "window", "prompt", "document text", "tokenizer file"])
def test_any_change_to_the_cut_cuts_again(
    change: str, demo: Dataset, minilm_path: str, tmp_path: Path, loads: list[str]
) -> None:
    mref = resolve_model("minilm")
    cache = tmp_path / "cache"
    Views(demo, cache).for_model(mref, 96)
    ds, other, size, overlap = _changes(demo, mref, tmp_path)[change]
    del loads[:]
    cuts = Views(ds, cache)
    cuts.overlap = overlap
    got = cuts.for_model(other, size)
    assert loads == [other.name] and len(_files(cache)) == 2  # cut again, and kept under a key of its own
    fresh = Views(ds)
    fresh.overlap = overlap
    _same(got, fresh.for_model(other, size))


def test_a_damaged_file_is_cut_again(
    demo: Dataset, minilm_path: str, tmp_path: Path, loads: list[str]
) -> None:
    mref = resolve_model("minilm")
    good = Views(demo, tmp_path).for_model(mref, 96)
    (file,) = _files(tmp_path)
    text = file.read_text("utf-8")
    for damage in (text[: len(text) // 2], "", '{"format": 1, "units": [[1, 2]]}'):
        file.write_text(damage, "utf-8")
        del loads[:]
        _same(Views(demo, tmp_path).for_model(mref, 96), good)
        assert loads == [mref.name]
        assert file.read_text("utf-8") == text  # written again, whole


def test_no_cache_dir_writes_nothing(
    demo: Dataset, minilm_path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`trial --no-cache` (cache_dir None): the cut is made in memory only, even where other state is kept."""
    monkeypatch.setenv("EMBEDSCOUT_HOME", str(tmp_path))
    small = replace(demo, queries=demo.queries[:5])
    res = run_trial(small, ["minilm"], cache_dir=None, tradeoffs=False)
    assert res.results[0].status == "ok", res.results[0].error
    assert not list(tmp_path.rglob("chunk_views"))


def test_a_cached_rerun_gives_the_same_rows_without_a_tokenizer(
    demo: Dataset, minilm_path: str, tmp_path: Path, loads: list[str]
) -> None:
    small = replace(demo, queries=demo.queries[:8])
    first = run_trial(small, ["minilm"], cache_dir=tmp_path, tradeoffs=False)
    del loads[:]
    again = run_trial(replace(small), ["minilm"], cache_dir=tmp_path, tradeoffs=False)  # a new Dataset object
    assert loads == []
    a, b = first.results[0], again.results[0]
    assert a.status == b.status == "ok"
    assert a.metrics == b.metrics and a.details["chunking"] == b.details["chunking"]


def test_tokenizers_known_only_by_name_are_not_keyed(tmp_path: Path) -> None:
    """An API model without a published tokenizer has no key (its cut is never stored); a tiktoken one is
    keyed by encoding and library version; a local folder by its tokenizer.json's content."""
    assert tokenizer_key(resolve_model("cohere:embed-english-v3.0")) is None
    key = tokenizer_key(resolve_model("openai:text-embedding-3-small"))
    assert key is not None and key.startswith("tiktoken:cl100k_base:")
    bare = tmp_path / "no-tokenizer"
    bare.mkdir()
    (bare / "config.json").write_text("{}", "utf-8")
    folder_ref = replace(resolve_model("minilm"), path=str(bare), spec=None)
    assert tokenizer_key(folder_ref) is None
