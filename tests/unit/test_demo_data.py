"""The bundled demo: loads offline, is small, licensed and attributed, and exactly what its script makes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from evaluators.datasets import DEMO_NAME, load_dataset, load_demo
from evaluators.ingest.beir import read_beir
from evaluators.ingest.files import ReadReport
from evaluators.ingest.sampling import sample_corpus

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "evaluators" / "data" / "demo"


def test_load_demo() -> None:
    """The demo is a dataset-origin set with every query answerable inside its corpus."""
    ds = load_demo()
    assert ds.name == DEMO_NAME and ds.info["name"] == DEMO_NAME and ds.info["format"] == "demo"
    assert ds.query_origin == "dataset" and not ds.synthetic
    assert ds.info["n_docs"] == 240 and len(ds.queries) == 80
    parents = {d.parent_id or d.id for d in ds.corpus}
    assert all(set(rel) <= parents for rel in ds.qrels.values()) and len(ds.qrels) == 80
    assert "CC BY-SA 4.0" in ds.info["licence"]


def test_load_demo_passes_settings() -> None:
    ds = load_demo(chunk_tokens=None, sample=60, seed=2)
    assert ds.info["n_docs"] == 60 and ds.qrels_level == "unit" and ds.info["sample"] == 60


def test_demo_is_small_licensed_and_attributed() -> None:
    """< 300 KB, CC BY-SA 4.0 licence and attribution files present, only SQuAD ids (never scifact)."""
    size = sum(p.stat().st_size for p in DEMO.iterdir())
    assert size < 300_000
    licence = (DEMO / "LICENSE.md").read_text(encoding="utf-8")
    attribution = (DEMO / "ATTRIBUTION").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in licence and "Rajpurkar" in licence and "Wikipedia" in licence
    assert "seed 20261122" in attribution and "make_demo_data.py" in attribution
    lines = (DEMO / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["_id"] for line in lines]
    assert all(i.startswith(("sq-", "sqx-")) for i in ids)


def test_demo_matches_its_script(shared_data: Path) -> None:
    """Re-running the documented selection on tests/data/squad_en gives exactly the committed files."""
    spec = importlib.util.spec_from_file_location("make_demo_data", ROOT / "scripts" / "make_demo_data.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    parts = read_beir(shared_data / "squad_en", ReadReport())
    s = sample_corpus(parts.corpus, parts.queries, parts.qrels, script.DOCS, script.SEED,
                      max_queries=script.MAX_QUERIES)
    committed = load_dataset(DEMO, chunk_tokens=None)
    assert [d.id for d in committed.corpus] == [d.id for d in s.docs]
    assert [d.text for d in committed.corpus] == [d.text for d in s.docs]
    assert [q.id for q in committed.queries] == [q.id for q in s.queries]
    assert committed.qrels == s.qrels
