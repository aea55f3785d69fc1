"""Filing an mteb run in the journal: beside the trial it was exported from, once, and visibly so.

The trial dicts are in the shape `MtebRun.to_trial()` hands over (tests/cli/test_scale_roundtrip.py makes
a real one); here the journal's side: which local trial is the twin, what is refused, what is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage import store
from storage.report import trial_provenance
from storage.scale_import import file_mteb_trial
from tests.unit._journal_data import model_result, trial
from tui.present.markdown import decision_markdown

FP = "fp-demo-1"


def _mteb_trial(run_id: str, exported_from: int | None, fingerprint: str = FP) -> dict[str, Any]:
    row = model_result("sentence-transformers/all-MiniLM-L6-v2 (mteb on box)", 0.8)
    row["details"] = {
        "source": "mteb",
        "comparability": ["weights in bfloat16 on the runner (the trial ran float32)"],
    }
    return {
        **trial(row),
        "dataset": {
            "name": "demo",
            "fingerprint": fingerprint,
            "trial_fingerprint": fingerprint,
            "n_queries": 2,
        },
        "environment": {
            "source": "mteb",
            "label": "box",
            "gpus": ["NVIDIA H100 80GB HBM3"],
            "device": "cuda",
            "os": "Linux",
            "packages": {"mteb": "2.26.24", "torch": "2.13.0", "sentence-transformers": "6.2.0"},
        },
        "settings": {
            "source": "mteb",
            "mteb_run_id": run_id,
            "exported_from_trial": exported_from,
            "dtype": "bfloat16",
            "batch_size": 64,
            "differences": ["the trial sampled 100 documents; this export has all 1000"],
        },
    }


@pytest.fixture
def db(tmp_path: Path) -> Any:
    db = store.open_db(tmp_path / "journal.db")
    for title in ("first", "second"):  # two local trials on the same data, under two decisions
        store.save_trial(db, store.create_decision(db, title=title), trial(model_result("minilm", 0.7)))
    return db


def test_the_run_lands_beside_the_exported_trial_not_just_any_twin(db: Any) -> None:
    filed = file_mteb_trial(db, _mteb_trial("run-a", exported_from=1))
    assert (filed.decision_id, filed.twin_trial_id) == (1, 1)
    stored = store.get_trial(db, filed.trial_id)
    assert stored.settings["twin_trial"] == 1 and stored.environment["label"] == "box"
    # the exported trial is gone (another journal, deleted): the newest local trial on the same data
    filed = file_mteb_trial(db, _mteb_trial("run-b", exported_from=99))
    assert (filed.decision_id, filed.twin_trial_id) == (2, 2)
    # imported trials share the fingerprint but are never anyone's local twin
    filed = file_mteb_trial(db, _mteb_trial("run-c", exported_from=None))
    assert filed.twin_trial_id == 2


def test_refusals_write_nothing(db: Any) -> None:
    file_mteb_trial(db, _mteb_trial("run-a", exported_from=1))
    count = len(list(db.table("trials").rows))
    with pytest.raises(store.StorageError, match="already in the journal: trial #3"):
        file_mteb_trial(db, _mteb_trial("run-a", exported_from=1))
    with pytest.raises(store.StorageError, match="matches no trial in this journal"):
        file_mteb_trial(db, _mteb_trial("run-x", exported_from=1, fingerprint="other"))
    with pytest.raises(store.DecisionNotFound):
        file_mteb_trial(db, _mteb_trial("run-y", exported_from=1, fingerprint="other"), decision_id=42)
    with pytest.raises(store.StorageError, match="not an mteb run record"):
        file_mteb_trial(db, trial(model_result("minilm", 0.7)))
    assert len(list(db.table("trials").rows)) == count
    filed = file_mteb_trial(db, _mteb_trial("run-y", exported_from=1, fingerprint="other"), decision_id=2)
    assert (filed.decision_id, filed.twin_trial_id) == (2, None)


def test_the_report_says_where_it_ran_and_how_it_differs(db: Any) -> None:
    file_mteb_trial(db, _mteb_trial("run-a", exported_from=1))
    decision = store.get_decision(db, 1)
    local, imported = decision.trials
    assert trial_provenance(local) == []
    lines = trial_provenance(imported)
    assert lines[0].startswith("Source: mteb on box (NVIDIA H100 80GB HBM3); device cuda, bfloat16, batch 64")
    assert "Exported from, and comparable with, local trial 1." in lines
    assert "Compared with the local trial: the trial sampled 100 documents; this export has all 1000" in lines
    assert any(line.endswith("weights in bfloat16 on the runner (the trial ran float32)") for line in lines)
    md = decision_markdown(decision)  # what `export` prints and the TUI's History screen shows
    assert md.index("### Trial 1") < md.index("### Trial 3") < md.index("- Source: mteb on box (NVIDIA H100")
