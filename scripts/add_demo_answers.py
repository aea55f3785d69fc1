"""Add SQuAD's answer texts to the bundled demo queries (evaluators/data/demo/queries.jsonl): answer-hit@1.

Run from the repository root with the SQuAD 2.0 dev file the demo was drawn from (repository chrischute/squad,
commit 85623adeb9e6639f145081fea9cae2d8f3a26379, data/dev-v2.0.json, CC BY-SA 4.0):
`python scripts/add_demo_answers.py path/to/dev-v2.0.json`. Each query keeps its id and text and gains
"answers": the distinct answer texts of its question, in the file's order. Deterministic and idempotent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

QUERIES = Path(__file__).resolve().parent.parent / "evaluators" / "data" / "demo" / "queries.jsonl"


def answers_by_id(squad_file: Path) -> dict[str, list[str]]:
    data = json.loads(squad_file.read_text("utf-8"))
    out: dict[str, list[str]] = {}
    for article in data["data"]:
        for para in article["paragraphs"]:
            for qa in para["qas"]:
                texts = [a["text"].strip() for a in qa.get("answers") or [] if a.get("text", "").strip()]
                out[qa["id"]] = list(dict.fromkeys(texts))
    return out


def main(squad_file: str) -> None:
    answers = answers_by_id(Path(squad_file))
    rows = [json.loads(line) for line in QUERIES.read_text("utf-8").splitlines() if line.strip()]
    missing = [r["_id"] for r in rows if not answers.get(r["_id"])]
    if missing:
        raise SystemExit(f"{len(missing)} demo queries have no answer in {squad_file}: {missing[:3]}")
    with QUERIES.open("w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            row = {"_id": r["_id"], "text": r["text"], "answers": answers[r["_id"]]}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} demo queries now carry their answers")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python scripts/add_demo_answers.py path/to/dev-v2.0.json")
    main(sys.argv[1])
