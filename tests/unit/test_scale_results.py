"""import-results refuses, in one line, every folder it cannot import in full (no mteb run needed).

A real run's folder, and the checks that need one (other data, a missing result file, duplicates, no
local twin), are in tests/cli/test_scale_roundtrip.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluators.scale import MANIFEST_FORMAT, RUN_FORMAT, RUN_RECORD, source_label
from evaluators.scale.results import ResultsError, locate, read_run


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), "utf-8")
    return path


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p / "nowhere", "is not a folder"),
        (lambda p: p, "is not an mteb results folder"),
        (lambda p: _write(p / "manifest.json", {}).parent, "has not been run"),
        (lambda p: _write(p / "results" / "m" / "r" / "T.json", {}).parents[3], f"no {RUN_RECORD}"),
    ],
    ids=["missing", "empty", "export-not-run", "plain-mteb-results"],
)
def test_folders_that_are_not_run_mteb_output_are_refused(tmp_path: Path, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ResultsError, match=message) as err:
        locate(setup(tmp_path))
    assert "\n" not in str(err.value)


def test_a_run_record_without_its_manifest_or_of_another_format_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / RUN_RECORD, {"format": RUN_FORMAT, "version": 1, "run_id": "x", "models": []})
    with pytest.raises(ResultsError, match="no task manifest"):
        read_run(tmp_path)
    manifest = {"format": MANIFEST_FORMAT, "task_name": "T", "dataset": {"name": "d", "fingerprint": "f"}}
    _write(tmp_path / RUN_RECORD, {"format": RUN_FORMAT, "version": 1, "run_id": "x", "manifest": manifest})
    with pytest.raises(ResultsError, match="lacks export.fingerprint"):
        read_run(tmp_path)
    manifest["export"] = {"fingerprint": "f", "n_docs": 1, "n_queries": 1}
    _write(tmp_path / RUN_RECORD, {"format": RUN_FORMAT, "version": 1, "run_id": "x", "manifest": manifest})
    with pytest.raises(ResultsError, match="no model ran"):
        read_run(tmp_path)
    _write(tmp_path / RUN_RECORD, {"format": "something-else"})
    with pytest.raises(ResultsError, match="not a run record"):
        read_run(tmp_path)
    (tmp_path / RUN_RECORD).write_text("{not json", "utf-8")
    with pytest.raises(ResultsError, match="cannot read"):
        read_run(tmp_path)


def test_the_export_folder_leads_to_its_results_folder(tmp_path: Path) -> None:
    _write(tmp_path / "manifest.json", {})
    record = _write(tmp_path / "mteb-results" / RUN_RECORD, {})
    assert locate(tmp_path) == record.parent


def test_source_label_names_the_machine_and_its_gpu() -> None:
    machine = {"label": "gpu-box", "gpus": ["NVIDIA H100 80GB HBM3"]}
    assert source_label(machine) == "mteb on gpu-box"
    assert source_label(machine, gpu=True) == "mteb on gpu-box (NVIDIA H100 80GB HBM3)"
    assert source_label({"label": "laptop", "gpus": []}, gpu=True) == "mteb on laptop"
