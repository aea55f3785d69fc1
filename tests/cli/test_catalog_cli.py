"""`embedscout catalog list/show`, `doctor` and `path` through click."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from tui.cli import main


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_list_json_has_every_model() -> None:
    result = run(["catalog", "list", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data["models"]) >= 60 and data["catalog_version"]


def test_list_filters() -> None:
    zh_open = json.loads(run(["catalog", "list", "--json", "--open", "--language", "zh"]).stdout)["models"]
    assert zh_open and all(m["open_weights"] and "zh" in m["languages"] for m in zh_open)
    api = json.loads(run(["catalog", "list", "--json", "--api"]).stdout)["models"]
    assert api and not any(m["open_weights"] for m in api)
    bge = json.loads(run(["catalog", "list", "--json", "--filter", "bge"]).stdout)["models"]
    assert {m["id"] for m in bge} >= {"BAAI/bge-m3", "BAAI/bge-large-zh-v1.5"}


def test_list_table() -> None:
    result = run(["catalog", "list", "--filter", "legal"])
    assert result.exit_code == 0 and "legal-bert" in result.stdout


def test_show_prints_fields_with_sources() -> None:
    result = run(["catalog", "show", "minilm"])
    assert result.exit_code == 0
    out = result.stdout
    assert "sentence-transformers/all-MiniLM-L6-v2" in out and "wordpiece" in out and "MTEB(eng, v2)" in out
    assert "embeddings-benchmark/results" in out
    data = json.loads(run(["catalog", "show", "BAAI/bge-m3", "--json"]).stdout)
    assert data["max_tokens"] == 8192 and data["scores"]["mmteb_multilingual_v2"]["mean"] is None


def test_show_unknown_model_is_a_usage_error() -> None:
    result = run(["catalog", "show", "nope-model"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def test_open_and_api_together_is_a_usage_error() -> None:
    assert run(["catalog", "list", "--open", "--api"]).exit_code == 2


def test_doctor_json_reports_hardware_backends_and_paths(home: Path) -> None:
    result = run(["doctor", "--fast", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["hardware"]["ram_gb"] > 0 and "sentence-transformers" in data["backends"]
    assert data["paths"]["db"].startswith(str(home))


def test_path_prints_the_four_locations(home: Path) -> None:
    result = run(["path", "--json"])
    paths = json.loads(result.stdout)
    assert set(paths) == {"data", "config", "cache", "db"} and all(
        p.startswith(str(home)) for p in paths.values()
    )
    assert run(["path", "db"]).stdout.strip() == paths["db"]


def test_catalog_group_lists_refresh() -> None:
    assert "refresh" in run(["catalog", "--help"]).stdout


def test_refresh_overlay_is_what_list_show_and_recommend_see(home: Path) -> None:
    """After `catalog refresh` wrote an overlay, every command reads the refreshed numbers and version."""
    from storage.catalog_overlay import write_overlay

    write_overlay(
        {
            "generated": "2026-12-01",
            "source": "test",
            "models": {
                "BAAI/bge-m3": {"scores": {"cmteb_v1": {"retrieval_mean": 77.7, "source": "test refresh"}}}
            },
        }
    )
    shown = json.loads(run(["catalog", "show", "bge-m3", "--json"]).stdout)
    assert shown["scores"]["cmteb_v1"]["retrieval_mean"] == 77.7
    listed = json.loads(run(["catalog", "list", "--json", "--filter", "bge-m3"]).stdout)
    assert "overlay" in listed["catalog_version"]
    args = ["recommend", "--language", "zh", "--hardware", "cpu", "--ram-gb", "64", "--json", "--top", "60"]
    rec = json.loads(run(args).stdout)
    assert "overlay" in rec["catalog_version"]
    assert any(c["id"] == "BAAI/bge-m3" and c["benchmark_value"] == 77.7 for c in rec["candidates"])


def test_show_says_what_bge_m3_sparse_and_multivector_outputs_need() -> None:
    """BGE-M3's extra outputs are not trial variants: `catalog show` says why and what the hybrid uses."""
    res = CliRunner().invoke(main, ["catalog", "show", "BAAI/bge-m3"], terminal_width=200)
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.replace("│", " ").split())
    assert "trial variants" in text and "FlagEmbedding" in text and "hybrid:BAAI/bge-m3+bm25" in text
    other = CliRunner().invoke(main, ["catalog", "show", "sentence-transformers/all-MiniLM-L6-v2"])
    assert other.exit_code == 0 and "trial variants" not in other.output
