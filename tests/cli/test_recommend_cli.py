"""`embedscout recommend` end to end through click: JSON shape, the issue's example, usage errors, --save."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tui.cli import main

EXAMPLE = [
    "recommend",
    "--language",
    "zh",
    "--domain",
    "legal",
    "--doc-tokens",
    "3000",
    "--budget",
    "open",
    "--hardware",
    "cpu",
    "--ram-gb",
    "16",
]


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def run_json(args: list[str]) -> dict[str, Any]:
    result = run([*args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_issue_example_json() -> None:
    """The documented command prints {candidates: [{id, score, reasons[]}], excluded: [{id, reasons[]}]}."""
    data = run_json([*EXAMPLE, "--top", "3"])
    assert len(data["candidates"]) == 3
    for cand in data["candidates"]:
        assert isinstance(cand["id"], str) and isinstance(cand["score"], float) and cand["reasons"]
        assert cand["open_weights"] is True
    scores = [c["score"] for c in data["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert data["benchmarks"] == ["cmteb_v1", "mteb_law_v1"]
    excluded = {e["id"]: e["reasons"] for e in data["excluded"]}
    assert excluded["openai/text-embedding-3-small"] == ["API-only model; your budget is open-weights only"]
    assert "needs ~35 GB RAM on CPU" in excluded["Qwen/Qwen3-Embedding-8B"][0]
    assert any("evidence against Chinese support" in r for r in excluded["BAAI/bge-large-en-v1.5"])
    for cand in data["candidates"]:  # the parts of the score, in the JSON too
        low, high = cand["quality_interval"]
        assert low <= cand["quality"] <= high and cand["evidence"] and cand["tier"] == 0
        assert cand["reasons"][0].startswith("quality: wins ~")


def test_no_chunk_turns_short_windows_into_exclusions() -> None:
    data = run_json([*EXAMPLE, "--no-chunk"])
    excluded = {e["id"]: e["reasons"] for e in data["excluded"]}
    assert (
        "max 512 tokens < your 3,000-token documents (you won't chunk)" in excluded["BAAI/bge-large-zh-v1.5"]
    )
    chunked = run_json(EXAMPLE)
    assert "BAAI/bge-large-zh-v1.5" not in {e["id"] for e in chunked["excluded"]}


def test_gpu_profile_and_monthly_cap() -> None:
    data = run_json(
        [
            "recommend",
            "--language",
            "en",
            "--hardware",
            "cuda",
            "--vram-gb",
            "8",
            "--ram-gb",
            "32",
            "--monthly-cap",
            "1",
            "--doc-tokens",
            "3000",
            "--top",
            "10",
        ]
    )
    excluded = {e["id"]: e["reasons"] for e in data["excluded"]}
    assert excluded["openai/text-embedding-3-large"] == ["API cost ~$4.83 in the first month > cap $1.00"]
    assert any(
        r.startswith("needs ~16 GB VRAM at 3,000 tokens, you have 8")
        for r in excluded["intfloat/e5-mistral-7b-instruct"]
    )
    assert data["requirements"]["gpu"] == "cuda" and data["requirements"]["vram_gb"] == 8


def test_task_flag_picks_the_task_type_and_image_text_is_opt_in() -> None:
    data = run_json([*EXAMPLE, "--task", "clustering", "--top", "3"])
    assert data["requirements"]["task"] == "clustering"
    assert all(c["evidence"][0].startswith("Chinese clustering") for c in data["candidates"])
    assert any("Chinese clustering" in a for a in data["assumptions"])
    plain = {e["id"] for e in run_json(["recommend", "--hardware", "cpu", "--ram-gb", "16"])["excluded"]}
    asked = run_json(["recommend", "--hardware", "cpu", "--ram-gb", "16", "--image-text", "--top", "200"])
    assert "BAAI/BGE-VL-base" in plain and "BAAI/BGE-VL-base" in {c["id"] for c in asked["candidates"]}


def test_table_output_is_readable() -> None:
    result = run([*EXAMPLE, "--top", "2"])
    assert result.exit_code == 0
    assert "Top 2 of" in result.stdout and "Excluded:" in result.stdout and "C-MTEB" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["recommend", "--language", "zh-Hans!"],
        ["recommend", "--domain", "astrology"],
        ["recommend", "--doc-tokens", "-5"],
        ["recommend", "--budget", "cheap"],
        ["recommend", "--hardware", "tpu"],
        ["recommend", "--priority", "1,2"],
        ["recommend", "--top", "0"],
        ["recommend", "--frobnicate"],
        ["recommend", "--title", "x"],
        ["recommend", "--hardware", "cpu", "--priority", "0,0,0"],
    ],
)
def test_bad_values_give_one_line_and_exit_2(args: list[str]) -> None:
    result = run(args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("embedscout: error:")


def test_save_stores_the_recommendation_in_the_journal() -> None:
    data = run_json([*EXAMPLE, "--save", "--title", "zh legal pick"])
    decision_id = data["decision_id"]
    from storage.store import get_decision, open_db

    decision = get_decision(open_db(), decision_id)
    assert decision.title == "zh legal pick"
    assert decision.requirements["languages"] == ["zh"]
