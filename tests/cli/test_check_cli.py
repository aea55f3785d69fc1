"""`embedscout check`: table and JSON output, one-line errors with non-zero exits, weights loaded only
when a check embeds text (the encoder loader is swapped for fakes here; MiniLM's tokenizer is real)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "unit"))
from _check_fakes import BagOfWords  # noqa: E402

DOCS = {
    "bank.txt": "The central bank raised interest rates to slow inflation. Commercial banks lend money.",
    "river.txt": "The river overflowed its banks after heavy rain. Salmon swim upstream in cold rivers.",
    "steam.txt": "A steam engine turns heat into mechanical work. Electroencephalography is unrelated.",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def fake_loader(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """load_encoder returns a bag of words and records what it was asked to load."""
    import evaluators.backends

    loaded: list[str] = []

    def load(ref, **kwargs):
        loaded.append(ref.name)
        return BagOfWords()

    monkeypatch.setattr(evaluators.backends, "load_encoder", load)
    return loaded


def invoke(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def test_tokenizer_json_on_a_corpus_without_loading_weights(corpus: Path, fake_loader: list[str]) -> None:
    res = invoke("tokenizer", "--model", "minilm", "--corpus", str(corpus), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["dataset"]["n_docs"] == 3
    (check,) = out["checks"]
    assert check["kind"] == "tokenizer" and check["status"] == "ok" and check["n"] == 3
    assert check["values"]["context_window"] == 256 and check["values"]["over_window_share"] == 0.0
    assert check["values"]["most_fragmented"][0] == ["Electroencephalography", 5]
    assert fake_loader == []  # tokenizer fit never loads the model


def test_stability_table_for_two_models(corpus: Path, fake_loader: list[str]) -> None:
    res = invoke("stability", "-m", "minilm", "-m", "minilm", "--corpus", str(corpus))
    assert res.exit_code == 0, res.output
    assert "stability check" in res.stdout and "cosine" in res.stdout and "overlap@10" in res.stdout
    assert len(fake_loader) == 1  # the same model given twice runs once


def test_crosslingual_on_an_english_only_model_says_so(fake_loader: list[str]) -> None:
    res = invoke("crosslingual", "--model", "minilm")
    assert res.exit_code == 0, res.output
    assert "not_applicable" in res.stdout and "not multilingual" in res.stdout
    assert fake_loader == []


def test_neighbourhood_with_user_probes_and_json(tmp_path: Path, fake_loader: list[str]) -> None:
    probes = tmp_path / "p.json"
    probes.write_text(json.dumps({"language": "en", "probes": [
        {"term": "bank", "senses": {"river": ["river bank"], "money": ["bank loan"]},
         "unrelated": ["violin", "galaxy"]}]}), encoding="utf-8")
    res = invoke("neighbourhood", "-m", "minilm", "--probes", str(probes), "--json")
    assert res.exit_code == 0, res.output
    (check,) = json.loads(res.stdout)["checks"]
    assert check["values"]["intrusion_rate"] == 0.0 and check["n"] == 1


def test_unknown_kind_is_a_one_line_usage_error() -> None:
    res = invoke("vibes", "--model", "minilm")
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("embedscout: error:")


def test_a_failed_check_exits_non_zero_with_one_line(corpus: Path) -> None:
    res = invoke("tokenizer", "--model", "bm25", "--corpus", str(corpus))
    assert res.exit_code == 1
    assert res.stderr.count("\n") == 1
    assert res.stderr.startswith("embedscout: error: tokenizer check failed for bm25:")


def test_bad_pairs_file_fails_cleanly(tmp_path: Path, fake_loader: list[str]) -> None:
    bad = tmp_path / "pairs.tsv"
    bad.write_text("just one column\n", encoding="utf-8")
    res = invoke("crosslingual", "--model", "minilm", "--pairs", str(bad), "--force")
    assert res.exit_code == 1 and "row 1 needs two non-empty tab-separated columns" in res.stderr


def test_a_chinese_corpus_adds_the_chinese_probes(tmp_path: Path, fake_loader: list[str]) -> None:
    """Neighbourhood reads a given corpus only to pick probe languages: Chinese text brings the zh set."""
    folder = tmp_path / "zh"
    folder.mkdir()
    (folder / "a.txt").write_text("银行提高了利率。我们明天去长城参观。", encoding="utf-8")
    res = invoke("neighbourhood", "-m", "minilm", "--corpus", str(folder))
    assert res.exit_code == 0, res.output
    assert "intrusion_rate: zh" in res.stdout and "18 probe terms (en, zh)" in " ".join(res.stdout.split())
