"""Scale-out: run a trial's comparison with mteb on a bigger machine and bring the numbers back.

`export` writes a self-contained task folder (BEIR files, manifest, the `run_mteb.py` runner); `results`
reads the folder the runner wrote. The names below are the contract between the three (the runner repeats
the format strings because it must not import embedscout; a test keeps them equal).
"""

from __future__ import annotations

from typing import Any

MANIFEST = "manifest.json"
RUNNER = "run_mteb.py"
RUN_RECORD = "embedscout_run.json"
DEFAULT_OUTPUT = "mteb-results"
"""Where run_mteb.py writes unless told otherwise (inside the task folder)."""
MANIFEST_FORMAT = "embedscout-mteb-task"
RUN_FORMAT = "embedscout-mteb-run"
FORMAT_VERSION = 1

METRIC_MAP: dict[str, str] = {
    "ndcg@10": "ndcg_at_10",
    "recall@1": "recall_at_1",
    "recall@5": "recall_at_5",
    "recall@10": "recall_at_10",
    "mrr@10": "mrr_at_10",
    "hit@1": "hit_rate_at_1",
}
"""embedscout metric -> the key mteb writes for the same quantity."""

METRIC_DEFINITIONS: dict[str, str] = {
    "embedscout": (
        "nDCG@10 with linear gain (trec_eval), Recall@k = relevant in the top k / relevant, MRR@10, hit@1; "
        "relevance = grade > 0; mean over queries with a relevant document; ties by score, then corpus order"
    ),
    "mteb": (
        "pytrec_eval ndcg_cut_10 (linear gain), recall_k, success_1 (hit@1) and mteb's MRR@10; "
        "mean over queries with a relevant document; ties by score, then document id"
    ),
    "similarity": "dot product of the vectors (cosine when the model normalises), exact search, as a trial",
}


def source_label(machine: dict[str, Any], *, gpu: bool = False) -> str:
    """'mteb on <machine>' (imported rows carry it in their name); with gpu=True, plus the first GPU."""
    gpus = (machine.get("gpus") or []) if gpu else []
    return f"mteb on {machine.get('label') or '?'}" + (f" ({gpus[0]})" if gpus else "")
