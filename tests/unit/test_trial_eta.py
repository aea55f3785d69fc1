"""The trial clock (tui.workflow.eta) and the progress words (tui.present.trial_progress): estimates up
front, time left from the running model's own pace, where a stopped model stopped, and which notices a
finished trial gets (no 'could not be loaded' for a model that was only stopped)."""

from __future__ import annotations

from evaluators.types import ModelResult
from tui.present import trial_progress as words
from tui.workflow.eta import TrialClock


def _clock() -> TrialClock:
    clock = TrialClock()
    clock.start(["bm25", "sentence-transformers/all-MiniLM-L6-v2"])
    clock.estimate("bm25", 0.2)
    clock.estimate("sentence-transformers/all-MiniLM-L6-v2", 39.0)
    return clock


def test_estimate_line_sums_models_and_names_each() -> None:
    clock = _clock()
    assert clock.total_estimate() == 39.2
    assert words.estimate_line(clock.estimates) == (
        "Estimate: about 39 s for 2 models (bm25 <1 s, all-MiniLM-L6-v2 39 s)"
    )


def test_an_unknown_estimate_makes_the_total_unknown_and_says_which() -> None:
    clock = TrialClock()
    clock.start(["bm25", "openai:text-embedding-3-small"])
    clock.estimate("bm25", 0.2)
    clock.estimate("openai:text-embedding-3-small", None)
    assert clock.total_estimate() is None and clock.remaining(0.0) is None
    assert words.estimate_line(clock.estimates) == (
        "Estimate for 2 models: unknown for openai:text-embedding-3-small (bm25 <1 s, "
        "openai:text-embedding-3-small ?)"
    )


def test_remaining_counts_down_then_follows_the_models_own_pace() -> None:
    clock = _clock()
    assert clock.remaining(100.0) == 39.2  # nothing started: every estimate
    clock.progress("bm25", 10, 10, 100.0)
    clock.finish("bm25", 100.1)
    minilm = "sentence-transformers/all-MiniLM-L6-v2"
    clock.begin(minilm, 100.1)  # loading: the estimate minus the time spent
    assert clock.current() == minilm
    assert abs(clock.remaining(110.1) - 29.0) < 1e-9
    clock.progress(minilm, 0, 200, 120.0)  # encoding starts at 120 s ...
    clock.progress(minilm, 50, 200, 130.0)  # ... a quarter in 10 s: 30 s more at that pace
    assert abs(clock.remaining(130.0) - 30.0) < 1e-9
    clock.progress(minilm, 200, 200, 160.0)  # encoded: searching is seconds at most
    assert clock.remaining(160.0) == 0.0
    clock.finish(minilm, 161.0)
    assert clock.remaining(161.0) == 0.0 and clock.current() is None


def test_pace_of_finished_models_scales_the_estimates_still_to_come() -> None:
    clock = TrialClock()
    clock.start(["a", "b"])
    clock.estimate("a", 10.0)
    clock.estimate("b", 10.0)
    clock.begin("a", 0.0)
    clock.finish("a", 20.0)  # twice as slow as estimated
    assert clock.pace() == 2.0
    assert clock.remaining(20.0) == 20.0


def test_stopped_status_says_where_not_100_percent() -> None:
    assert words.stopped_status((128, 255)) == "stopped at 50% (128/255)"
    assert words.stopped_status((255, 255)) == "stopped after encoding, before scoring"
    assert words.stopped_status(None) == "stopped before encoding"
    assert words.encoding_status(3, 10) == "encoding 3/10"
    assert words.encoding_status(10, 10) == "searching (10 encoded)"
    assert words.stopped_line(1, "bge stopped at 50% (1/2)") == (
        "Stopped: 1 finished model kept; bge stopped at 50% (1/2)"
    )


def test_running_line_and_durations() -> None:
    line = words.running_line("BAAI/bge-small-en-v1.5", words.PHASE_WORDS["export"], 25.4, 12.0)
    assert line == "bge-small-en-v1.5: exporting to ONNX (once) · about 25 s left · 12 s elapsed"
    assert words.running_line(None, "", None, 0.2) == "time left unknown · <1 s elapsed"
    assert [words.secs(s) for s in (0.4, 8.2, 89, 150)] == ["<1 s", "8 s", "89 s", "2.5 min"]


def _row(model: str, status: str, error: str | None = None) -> ModelResult:
    return ModelResult(model, status=status, error=error)


def test_a_stopped_model_is_no_failure_to_load() -> None:
    """The issue's false toast: a model that failed offline ran first, MiniLM loaded and was stopped."""
    rows = [
        _row("BAAI/bge-small-en-v1.5", "failed", "OSError: not available offline"),
        _row("bm25", "ok"),
        _row("sentence-transformers/all-MiniLM-L6-v2", "cancelled", "stopped by the user"),
    ]
    notices = words.outcome_notices(rows, complete=False)
    assert notices == [("warning", "Trial stopped", "Stopped; 1 finished model(s) kept.")]
    assert words.outcome_notices(rows[:2], complete=True) == [  # it was the only embedding model: an error
        ("error", "Models failed", "No embedding model could be loaded (offline, or not installed?): "
         "BAAI/bge-small-en-v1.5: OSError: not available offline")
    ]


def test_every_embedding_model_failing_is_an_error() -> None:
    rows = [_row("bm25", "ok"), _row("broken/a", "failed", "offline"), _row("broken/b", "failed", "offline")]
    (severity, title, message), = words.outcome_notices(rows, complete=True)
    assert (severity, title) == ("error", "Models failed")
    assert message.startswith("No embedding model could be loaded (offline, or not installed?): broken/a")
    assert words.outcome_notices([_row("bm25", "ok"), _row("x", "ok")], complete=True) == []


def test_peak_mb_is_the_models_own_and_narrow_view_keeps_the_key_columns() -> None:
    """bm25 after MiniLM (measured here: own peak 45.7 MB, process peak 748.4 MB) shows its own peak; a
    failed row's table status is one word, its reason stays in the long status (details, CLI, report)."""
    from tui.present import trial_rows

    bm25 = ModelResult("bm25", metrics={"ndcg@10": 0.5}, perf={"peak_mem_mb": 45.7, "process_peak_mb": 748.4})
    failed = _row("x", "failed", "OSError: " + "very long reason " * 20)
    cells = trial_rows.trial_rows([bm25, failed])
    assert cells[0].cells["mem"] == "46"
    assert cells[1].cells["state"] == "failed"
    assert cells[1].cells["status"].startswith("failed: OSError: very long reason")
    assert set(trial_rows.TUI_NARROW_VIEW) >= {"model", "ndcg", "vs_best", "docs_s"}
