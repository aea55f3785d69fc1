"""`embedscout trial` opt-ins end to end: usage errors, LLM-written queries and API models against a real
HTTP server on 127.0.0.1, --save replacing the running rows with the compared ones, and a trial killed
mid-run that keeps the rows of the models that had finished."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.cli.test_trial_cli import _tiny_beir
from tests.unit._fake_http import TEST_OPENAI_KEY, FakeServer
from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_beir(shared_data / "squad_en", tmp_path_factory.mktemp("opts") / "squad_tiny", 6, 20)


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["trial", *args])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--generate-queries", "5"], "--generate-queries needs --llm"),
        (["--llm", "openai:gpt-4o-mini"], "--llm only applies with --generate-queries"),
        (["--int8", "--backend", "torch"], "int8 runs on the onnx backend, not torch"),
    ],
)
def test_option_combinations_are_usage_errors(corpus: Path, args: list[str], message: str) -> None:
    res = _run("--corpus", str(corpus), "-m", "bm25", *args)
    assert res.exit_code == 2 and message in res.output


def test_unknown_check_is_one_line(corpus: Path) -> None:
    res = _run("--corpus", str(corpus), "-m", "bm25", "--checks", "tokenizer,vibes")
    assert res.exit_code == 2 and "'--checks': unknown check vibes" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_llm_queries_api_model_and_save(corpus: Path, openai_server: FakeServer, home: Path) -> None:
    """LLM-written questions replace the dataset's; an API model runs under the cap next to BM25 and
    reports its tokens and cost; --save keeps exactly the final rows (compared with the best)."""
    openai_server.chat = lambda messages: (
        "YES" if "YES or NO" in messages[0]["content"] else "Which topic is covered?"
    )
    args = ["--corpus", str(corpus), "--generate-queries", "4", "--llm", "openai:gpt-4o-mini"]
    res = _run(*args, "-m", "bm25", "-m", "openai:text-embedding-3-small", "--max-usd", "0.5", "--save")
    assert res.exit_code == 0, res.output
    assert "LLM-generated" in res.stdout and "4 LLM-generated questions kept" in res.stderr
    text = " ".join(res.stdout.split())  # the notes wrap at the console width
    assert "API used: " in text and "API estimate before the run: " in text
    assert "LLM budget: openai:gpt-4o-mini: at most" in res.stderr
    chats = openai_server.count("/chat/completions")
    assert chats == 8  # one question and one judgement per sampled chunk

    from storage.store import get_decision, open_db

    (trial,) = get_decision(open_db(), 1).trials
    assert trial.status == "complete" and len(trial.results) == 2
    assert trial.dataset["llm_queries"]["generated"] == 4
    assert trial.settings["generate_queries"] == {"n": 4, "llm": "openai:gpt-4o-mini"}
    api_row = next(r for r in trial.results if r["model"] != "bm25")
    assert api_row["details"]["usage"]["tokens"] > 0 and trial.settings["max_usd"] == 0.5
    assert 0.49 < api_row["details"]["cost_estimate"]["cap_usd"] < 0.5  # what the LLM's bound left
    compared = [r for r in trial.results if r.get("p_vs_best")]
    assert len(compared) == 1 and "ndcg@10" in compared[0]["p_vs_best"]
    assert TEST_OPENAI_KEY not in (home / "embedscout.db").read_bytes().decode("latin-1")

    again = _run(*args, "-m", "bm25", "--json")  # the questions come from the cache: no chat request
    assert again.exit_code == 0, again.output
    assert openai_server.count("/chat/completions") == chats
    assert json.loads(again.stdout)["dataset"]["llm_queries"]["cache_hit"] is True


def test_spend_cap_refuses_and_saves_no_rows(corpus: Path, openai_server: FakeServer, home: Path) -> None:
    res = _run("--corpus", str(corpus), "-m", "openai:text-embedding-3-large", "--max-usd", "0.0000001")
    assert res.exit_code == 1 and "exceeds --max-usd" in res.output and openai_server.requests == []


@pytest.mark.slow
def test_killed_trial_keeps_the_rows_of_finished_models(shared_data: Path, tmp_path: Path) -> None:
    """bm25 finishes in milliseconds and is saved at once; the process is killed while MiniLM encodes."""
    big = _tiny_beir(shared_data / "squad_en", tmp_path / "big", 40, 400)
    env = {**os.environ, "EMBEDSCOUT_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "tui", "trial", "--corpus", str(big), "--chunk-tokens", "0"]
    cmd += ["-m", "bm25", "-m", "minilm", "--backend", "torch", "--no-cache", "--save"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    db_file = tmp_path / "home" / "embedscout.db"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _rows(db_file) < 1:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.2)
        assert _rows(db_file) == 1
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    from storage.store import get_decision, open_db

    (trial,) = get_decision(open_db(db_file), 1).trials
    assert trial.status == "incomplete" and [r["model"] for r in trial.results] == ["bm25"]
    assert trial.results[0]["metrics"]["ndcg@10"] > 0


def _rows(db_file: Path) -> int:
    if not db_file.exists():
        return 0
    try:
        with sqlite3.connect(db_file, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM trial_results").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is still being created
        return 0


def test_synthetic_overlap_and_skipped_files(tmp_path: Path) -> None:
    """Plain documents without queries: --synthetic picks the generator (or refuses), --chunk-overlap reaches
    the chunker, and files skipped while reading are named under the table."""
    docs = tmp_path / "docs"
    docs.mkdir()
    facts = [
        "The volcano erupted in 1990 and covered the valley in ash.",
        "Glaciers in the Alps retreat fast.",
    ]
    for i, text in enumerate(facts * 3):
        (docs / f"d{i}.txt").write_text(
            f"{text} Paragraph {i} adds detail about measurement campaigns.", "utf-8"
        )
    (docs / "blob.txt").write_bytes(bytes(range(256)) * 4)
    refused = _run("--corpus", str(docs), "-m", "bm25", "--synthetic", "none")
    assert refused.exit_code == 1 and "no queries given" in refused.output
    res = _run("--corpus", str(docs), "-m", "bm25", "--synthetic", "ict", "--chunk-overlap", "4", "--json")
    assert res.exit_code == 0, res.output
    ds = json.loads(res.stdout)["dataset"]
    assert ds["synthetic"] is True and ds["query_origin"].endswith("ict") and ds["chunk_overlap"] == 4
    table = _run("--corpus", str(docs), "-m", "bm25", "--synthetic", "ict")
    assert "Skipped while reading (6 files read): 1 binary." in table.stdout
    assert "Queries are SYNTHETIC" in table.stdout


def _yes_judge(server: FakeServer) -> None:
    server.chat = lambda messages: (
        "YES" if "YES or NO" in messages[0]["content"] else "Which topic is covered?"
    )


def test_llm_spend_counts_against_the_cap(corpus: Path, openai_server: FakeServer) -> None:
    """The LLM's worst case is checked before any chat request, and reserved: the embeddings get the rest."""
    from evaluators.api.llm_queries import cost_bound
    from evaluators.datasets import load_dataset

    _yes_judge(openai_server)
    llm = ["--generate-queries", "4", "--llm", "openai:gpt-4o-mini"]
    too_low = _run("--corpus", str(corpus), *llm, "-m", "bm25", "--max-usd", "0.0000001")
    assert too_low.exit_code == 1 and "exceeds --max-usd 1e-07; nothing was sent" in too_low.output
    unknown = _run("--corpus", str(corpus), "--generate-queries", "4", "--llm", "openai:mystery-chat", "-m",
                   "bm25", "--max-usd", "1")  # fmt: skip
    assert unknown.exit_code == 1 and "no price known for openai:mystery-chat" in unknown.output
    assert openai_server.requests == []

    bound = cost_bound(load_dataset(str(corpus)), 4, "openai:gpt-4o-mini")["usd"]
    just_llm = f"{bound + 1e-9:.12f}"  # enough for the questions, not for an embedding model too
    res = _run("--corpus", str(corpus), *llm, "-m", "openai:text-embedding-3-small", "--max-usd", just_llm)
    assert res.exit_code == 1 and "exceeds --max-usd" in res.output
    assert openai_server.count("/chat/completions") > 0 and openai_server.count("/embeddings") == 0
