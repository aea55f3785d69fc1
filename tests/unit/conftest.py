"""Fixtures shared by the fast-path tests: one ONNX export of the packaged MiniLM per test session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

FIRST_EXPORT = """
import json, re, sys
from pathlib import Path
from evaluators.fast import load_fast_encoder
enc = load_fast_encoder({model!r}, backend="onnx", query_prompt=None, passage_prompt=None, normalize=True,
                        cache_dir=Path({cache!r}), threads=1)
enc.encode_passages(["one text", "another text"])
hwm = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
print(json.dumps({{"torch_loaded": "torch" in sys.modules, "peak_mb": hwm,
                  "export_run": enc.details.get("export_run")}}))
"""


@pytest.fixture(scope="session")
def minilm_export(minilm_path: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """{'cache': a cache dir holding a verified MiniLM export, plus what the process that made it saw}: made
    by a fresh interpreter exactly as a user's first trial makes it (the export runs in its own child)."""
    cache = tmp_path_factory.mktemp("minilm-export")
    code = FIRST_EXPORT.format(model=minilm_path, cache=str(cache))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=1800)
    assert out.returncode == 0, out.stderr[-3000:]
    return {"cache": cache, **json.loads(out.stdout.strip().splitlines()[-1])}
