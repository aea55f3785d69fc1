"""`embedscout doctor` names the encoding paths this machine has and what `--backend auto` would run."""

from __future__ import annotations

import json

from click.testing import CliRunner

from evaluators.precision import plan, probe_facts
from tui.cli import main


def test_doctor_shows_paths_and_the_auto_choice() -> None:
    result = CliRunner().invoke(main, ["doctor", "--fast"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Encoding paths (CPU flags:" in out and "[x] CPU fp32 (ONNX Runtime)" in out
    the_plan = plan(probe_facts())
    auto_line = next(line for line in out.splitlines() if line.strip().startswith("auto runs"))
    assert the_plan.fallback.key in auto_line and the_plan.reason in auto_line


def test_doctor_json_has_the_precision_section() -> None:
    data = json.loads(CliRunner().invoke(main, ["doctor", "--fast", "--json"]).stdout)
    prec = data["precision"]
    assert prec["auto"]["fallback"] == plan(probe_facts()).fallback.key
    assert {row["path"] for row in prec["paths"]} >= {"CUDA fp16 (torch)", "CPU bf16 (OpenVINO)"}
    assert len(prec["hardware_fingerprint"]) == 16 and isinstance(prec["native_bf16"], bool)
