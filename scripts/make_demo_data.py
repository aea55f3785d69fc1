"""Build the bundled demo set (evaluators/data/demo/) from ../shared/data/squad_en, deterministically.

Run from the repository root: `python scripts/make_demo_data.py`. The selection reuses the trial's own
sampler (evaluators.ingest.sampling) so the demo is made the way a `--sample` trial would make it.
squad_en has no answer texts: run scripts/add_demo_answers.py afterwards to add them (answer-hit@1).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluators.ingest.beir import read_beir  # noqa: E402
from evaluators.ingest.files import ReadReport  # noqa: E402
from evaluators.ingest.sampling import sample_corpus  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "squad_en"
OUT = ROOT / "evaluators" / "data" / "demo"
DOCS, MAX_QUERIES, SEED = 240, 80, 20261122


def main() -> None:
    parts = read_beir(SOURCE, ReadReport())
    s = sample_corpus(parts.corpus, parts.queries, parts.qrels, DOCS, SEED, max_queries=MAX_QUERIES)
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "corpus.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for d in s.docs:
            fh.write(json.dumps({"_id": d.id, "title": d.title, "text": d.text}, ensure_ascii=False) + "\n")
    with (OUT / "queries.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for q in s.queries:
            fh.write(json.dumps({"_id": q.id, "text": q.text}, ensure_ascii=False) + "\n")
    with (OUT / "qrels.tsv").open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("query-id\tcorpus-id\tscore\n")
        for q in s.queries:
            for did, grade in sorted(s.qrels[q.id].items()):
                fh.write(f"{q.id}\t{did}\t{grade}\n")
    articles = sorted({d.title for d in s.docs})
    relevant = {d for rel in s.qrels.values() for d in rel}
    print(f"{len(s.docs)} docs ({len(relevant)} relevant), {len(s.queries)} queries, "
          f"{len(articles)} articles")


if __name__ == "__main__":
    main()
