"""The dataset cache returns exactly what the loader returned, and only while the files, the options and the
loader's code are unchanged."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaluators.dataset_cache import cached_dataset
from evaluators.datasets import load_dataset
from evaluators.types import Dataset

OPTS = {"chunk_tokens": 64, "chunk_overlap": 8, "sample": None, "seed": 0, "synthetic": "auto"}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    topics = ["tides and the moon", "photosynthesis in leaves", "volcanic eruptions", "the printing press",
              "bee colonies", "glacier retreat"]
    for i, topic in enumerate(topics):
        sentences = [f"Fact {j} about {topic}: observers noted detail number {j * 7 + i} in the field notes."
                     for j in range(12)]
        (folder / f"doc{i}.md").write_text(f"# {topic}\n\n" + " ".join(sentences), "utf-8")
    return folder


def _fail() -> Dataset:
    raise AssertionError("loaded again although nothing changed")


def test_second_load_is_the_same_dataset_from_the_cache(corpus: Path, tmp_path: Path) -> None:
    first = cached_dataset("files", OPTS, [corpus], tmp_path / "cache", lambda: load_dataset(corpus, **OPTS))
    again = cached_dataset("files", OPTS, [corpus], tmp_path / "cache", _fail)
    assert again == first and len(first.corpus) >= 2 and first.queries  # synthetic queries kept too
    assert len(list((tmp_path / "cache" / "datasets").glob("*.json"))) == 1


def test_changed_file_or_options_load_again(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached_dataset("files", OPTS, [corpus], cache, lambda: load_dataset(corpus, **OPTS))
    with pytest.raises(AssertionError, match="loaded again"):
        cached_dataset("files", {**OPTS, "seed": 1}, [corpus], cache, _fail)
    st = (corpus / "doc0.md").stat()
    os.utime(corpus / "doc0.md", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    with pytest.raises(AssertionError, match="loaded again"):
        cached_dataset("files", OPTS, [corpus], cache, _fail)


def test_no_cache_dir_or_unfaithful_json_is_never_cached(corpus: Path, tmp_path: Path) -> None:
    """Without a cache every call loads; an info that JSON would change (a tuple) is not stored."""
    calls: list[int] = []

    def load() -> Dataset:
        calls.append(1)
        return load_dataset(corpus, **OPTS)

    cached_dataset("files", OPTS, [corpus], None, load)
    cached_dataset("files", OPTS, [corpus], None, load)
    assert len(calls) == 2
    odd = replace(load_dataset(corpus, **OPTS), info={"pair": (1, 2)})
    cached_dataset("files", OPTS, [corpus], tmp_path / "c2", lambda: odd)
    assert not (tmp_path / "c2" / "datasets").exists() or not any((tmp_path / "c2" / "datasets").iterdir())


def test_trial_cli_reuses_the_dataset_and_no_cache_skips_it(home: Path) -> None:
    from tui.cli import main

    runner = CliRunner()
    first = runner.invoke(main, ["trial", "--demo", "-m", "bm25", "--json"])
    second = runner.invoke(main, ["trial", "--demo", "-m", "bm25", "--json"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert list((home / "cache" / "datasets").glob("*.json"))
    import json

    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["dataset"] == b["dataset"] and a["results"][0]["ndcg@10"] == b["results"][0]["ndcg@10"]
    for f in (home / "cache" / "datasets").glob("*.json"):
        f.unlink()
    assert runner.invoke(main, ["trial", "--demo", "-m", "bm25", "--no-cache", "--json"]).exit_code == 0
    assert not list((home / "cache" / "datasets").glob("*.json"))
