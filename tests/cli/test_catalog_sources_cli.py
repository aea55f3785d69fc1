"""`catalog show` prints each fact with its source (or why it is unknown); `--json` carries the sources."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from tui.cli import main


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False, env={"COLUMNS": "300"})


def _flat(out: str) -> str:
    """The rich table as one line of words: a row reads 'label value source: ...'."""
    return " ".join(out.replace("│", " ").split())


def test_show_prints_each_fact_with_its_source() -> None:
    result = run(["catalog", "show", "BAAI/bge-small-en-v1.5"])
    assert result.exit_code == 0
    out = _flat(result.stdout)
    assert "dimensions 384 source: github.com/FlagOpen/FlagEmbedding@7ed43d6" in out
    assert "context window 512 source: github.com/FlagOpen/FlagEmbedding" in out
    assert "release date 2023-09-12 source: mteb ModelMeta @a905523" in out


def test_show_says_why_a_fact_is_unknown_and_flags_broken_scores() -> None:
    piccolo = _flat(run(["catalog", "show", "sensenova/piccolo-large-zh-v2"]).stdout)
    assert "licence - source: unknown:" in piccolo and "commercial use - source: unknown:" in piccolo
    m3e = _flat(run(["catalog", "show", "moka-ai/m3e-base"]).stdout)  # verified since: research use only
    assert "licence non-commercial" in m3e and "commercial use no" in m3e
    jina = _flat(run(["catalog", "show", "jina-embeddings-v2-base-en"]).stdout)
    assert "IMPLAUSIBLE: Upstream result files look broken" in jina


def test_show_json_carries_fact_sources_and_the_implausible_note() -> None:
    data = json.loads(run(["catalog", "show", "stella_en_1.5B_v5", "--json"]).stdout)
    assert (data["dims"], data["max_tokens"]) == (1024, 512)
    assert "sentence_bert_config.json" in data["fact_sources"]["max_tokens"]
    jina = json.loads(run(["catalog", "show", "jinaai/jina-embeddings-v2-base-en", "--json"]).stdout)
    assert "broken" in jina["scores"]["mteb_eng_v2"]["implausible"]
    listed = json.loads(run(["catalog", "list", "--json", "--filter", "piccolo"]).stdout)["models"]
    assert listed and all(m["fact_sources"]["license"].startswith("unknown") for m in listed)
