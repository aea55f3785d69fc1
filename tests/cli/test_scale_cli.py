"""export-task / import-results at the command line: usage errors exit 2, bad input exits 1, one line each,
and an export from data given directly (no trial, no model loaded) says what it wrote and what comes next."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from tui.cli import main


def _cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _one_line_error(res: Result, code: int, text: str) -> None:
    assert res.exit_code == code, res.output
    assert res.output.startswith("embedscout: error:") and text in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    _one_line_error(_cli("export-task"), 2, "give a saved TRIAL id")
    _one_line_error(_cli("export-task", "3", "--sample", "10"), 2, "--sample only apply without TRIAL")
    _one_line_error(_cli("export-task", "3", "--demo", "--chunk-tokens", "0"), 2, "--demo, --chunk-tokens")
    _one_line_error(_cli("export-task", "3", "--seed", "7"), 2, "--seed only apply without TRIAL")


def test_bad_input_exits_1(tmp_path: Path, home: Path) -> None:
    _one_line_error(_cli("export-task", "42"), 1, "no trial with id 42")
    _one_line_error(
        _cli("export-task", "--demo", "-m", "bm25", "-o", str(tmp_path / "t")), 1, "no model mteb can run"
    )
    _one_line_error(_cli("import-results", str(tmp_path)), 1, "is not an mteb results folder")


def test_export_from_data_given_directly(tmp_path: Path, home: Path) -> None:
    out = tmp_path / "task"
    res = _cli(
        "export-task", "--demo", "--sample", "12", "--chunk-tokens", "0", "-m", "minilm", "-o", str(out)
    )
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["trial"] is None and manifest["task_name"].startswith("EmbedscoutTask_")
    assert f"to {out}:" in res.output and f"import-results {out}/mteb-results" in res.output
    assert "python run_mteb.py --device cuda" in res.output
