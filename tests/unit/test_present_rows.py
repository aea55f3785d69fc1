"""The shared views: one trial row (every column, the winner, significance, reasons) for live rows and
journal rows alike; saved settings, requirements and environments in words, never field names or reprs."""

from __future__ import annotations

from evaluators.types import ModelResult
from tests.unit._journal_data import model_result
from tui.present import trial_rows as rows
from tui.present.journal import environment_text, settings_text
from tui.present.profile import requirements_line, requirements_rows
from tui.workflow.plan import Source, TrialPlan
from tui.workflow.profile import Profile


def _live() -> list[ModelResult]:
    return [
        ModelResult("bm25", metrics={"ndcg@10": 0.5}, ci95={"ndcg@10": (0.4, 0.6)},
                    p_vs_best={"ndcg@10": 0.03}),
        ModelResult("org/dense-a", metrics={"ndcg@10": 0.7, "recall@10": 0.9}, details={"best": True},
                    per_query={"ndcg@10": {"q1": 0.7, "q2": 0.7}}, perf={"docs_per_s": 1234.5}),
        ModelResult("org/dense-b", metrics={"ndcg@10": 0.69}, p_vs_best={"ndcg@10": 0.4}),
        ModelResult("nobody/x", status="failed", error="not available offline"),
    ]  # fmt: skip


def test_one_row_per_model_with_every_column() -> None:
    out = rows.trial_rows(_live())
    assert [r.cells["model"] for r in out] == ["bm25", "dense-a", "dense-b", "nobody/x"]
    assert [r.cells["vs_best"] for r in out] == ["*", "best", "n.s.", ""]
    assert [r.best for r in out] == [False, True, False, False]
    assert out[0].cells["ndcg"] == "0.500 [0.400, 0.600]" and out[1].cells["docs_s"] == "1,234"
    assert out[1].cells["n"] == "2" and out[3].cells["status"] == "failed: not available offline"
    assert set(out[0].cells) == {c.key for c in rows.COLUMNS}
    assert out[1].view(rows.REPORT_VIEW)[:4] == ["dense-a", "ok", "0.700", "best"]


def test_journal_rows_render_the_same_as_live_rows() -> None:
    live = rows.trial_rows(_live(), short=False)
    stored = rows.trial_rows([rows.stored_row(r.to_dict()) for r in _live()], short=False)
    assert [r.cells for r in live] == [r.cells for r in stored]
    row = rows.stored_row(model_result("m", 0.71))
    assert rows.trial_rows([row])[0].cells["ndcg"] == "0.710 [0.660, 0.760]"


def test_the_winner_of_rows_still_arriving() -> None:
    """Before the runner marks a winner, the highest nDCG@10 wins (first on ties), as compare_to_best."""
    arriving = [ModelResult("a", metrics={"ndcg@10": 0.6}), ModelResult("b", metrics={"ndcg@10": 0.6})]
    assert [r.cells["vs_best"] for r in rows.trial_rows(arriving)] == ["best", "?"]


def test_settings_and_requirements_in_words() -> None:
    plan = TrialPlan(Source("docs/"), ("bm25", "minilm"), checks=("tokenizer",), max_usd=0.5)
    text = settings_text(plan.settings())
    assert text.startswith("models bm25, minilm; documents docs/; chunks of 256 tokens, 32 overlap")
    assert "checks: tokenizer" in text and "API spend cap $0.5000" in text
    pairs = dict(requirements_rows(Profile(ram_gb=16.0).requirements().to_dict()))
    assert pairs["Languages"] == "English" and pairs["Open weights only"] == "yes" and pairs["RAM"] == "16 GB"
    assert pairs["Documents to index"] == "10,000" and pairs["GPU"] == "none"
    line = requirements_line(Profile(languages=("zh",), gpu="cuda", vram_gb=8.0).requirements().to_dict())
    assert (
        line
        == "Chinese · general · 400-token docs (chunked) · CUDA 8 GB, ? GB RAM · budget open weights only"
    )
    for shown in (text, *(v for _, v in pairs.items())):
        assert "True" not in shown and "None" not in shown and "_" not in shown


def test_environment_in_words() -> None:
    env = {"os": "Linux-6", "python": "3.11.9", "cpu_cores": 2, "ram_gb": 15.6,
           "packages": {"torch": "2.13.0", "onnxruntime": None}}  # fmt: skip
    assert environment_text(env) == "Linux-6, Python 3.11.9, 2 cores, 15.6 GB RAM; torch 2.13.0"
