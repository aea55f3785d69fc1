"""Build catalog/data/task_scores.json from local checkouts of the mteb and results repositories.

    python scripts/build_evidence.py MTEB_GIT_DIR RESULTS_GIT_DIR [--mteb-commit C] [--results-commit C]

Both arguments are git directories (bare is fine: they are read with `git show/ls-tree/cat-file`, never
checked out). Task metadata (type, domains, eval splits, hf_subsets and their languages, main metric) comes
from importing the mteb package's own source at the given commit, which needs mteb's dependencies (the
`dev` and `scale` extras install them). Scores come from catalog.evidence_data.evidence_table, the function
`embedscout catalog refresh` runs on downloaded files. Reproducible: same commits in, same bytes out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from catalog.evidence_data import (  # noqa: E402
    TASK_TYPES,
    TaskInfo,
    dumps,
    evidence_table,
    task_info,
    wanted_file_stems,
)
from catalog.load import load_catalog  # noqa: E402
from catalog.refresh import ResultFile, results_folder  # noqa: E402

OUT = ROOT / "catalog" / "data" / "task_scores.json"


def git(git_dir: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], input=data, capture_output=True, check=True
    ).stdout


def resolve(git_dir: Path, rev: str) -> tuple[str, str]:
    """(full commit hash, commit date) of `rev`."""
    out = git(git_dir, "log", "-1", "--format=%H %cs", rev).decode().split()
    return out[0], out[1]


def read_blobs(git_dir: Path, commit: str, paths: list[str]) -> dict[str, bytes | None]:
    """Contents of many files in one `git cat-file --batch` call; None for a blob missing from the clone."""
    if not paths:
        return {}
    raw = git(git_dir, "cat-file", "--batch", data="".join(f"{commit}:{p}\n" for p in paths).encode())
    out: dict[str, bytes | None] = {}
    pos = 0
    for path in paths:
        end = raw.index(b"\n", pos)
        header = raw[pos:end].decode()
        pos = end + 1
        if header.endswith("missing"):
            out[path] = None
            continue
        size = int(header.rsplit(" ", 1)[1])
        out[path] = raw[pos : pos + size]
        pos += size + 1
    return out


def export_mteb_source(git_dir: Path, commit: str, dest: Path) -> None:
    """Write the mteb package's .py/.json/.txt files at `commit` under dest (skipping absent blobs)."""
    listing = git(git_dir, "ls-tree", "-r", "--name-only", commit, "mteb").decode().splitlines()
    wanted = [p for p in listing if "descriptive_stats" not in p and p.endswith((".py", ".json", ".txt"))]
    for path, body in read_blobs(git_dir, commit, wanted).items():
        if body is not None:
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)


def tasks_from_metadata(metadata: Iterable[Any]) -> dict[str, TaskInfo]:
    """Text-only tasks of the kept types, from mteb TaskMetadata objects (or anything with those fields)."""
    out: dict[str, TaskInfo] = {}
    for m in metadata:
        if m.type not in TASK_TYPES or list(m.modalities) != ["text"]:
            continue
        out[m.name] = task_info(m.name, m.type, m.main_score, m.eval_splits, m.eval_langs, m.domains)
    return out


def load_mteb_tasks(git_dir: Path, commit: str) -> dict[str, TaskInfo]:
    """Import the mteb source at `commit` (not the installed package) and read every task's metadata."""
    with tempfile.TemporaryDirectory(prefix="mteb-src-") as tmp:
        export_mteb_source(git_dir, commit, Path(tmp))
        sys.path.insert(0, tmp)
        try:
            import mteb  # the exported source shadows any installed mteb

            if not str(Path(mteb.__file__)).startswith(tmp):
                raise SystemExit(f"imported mteb from {mteb.__file__}, not from the checkout")
            tasks = mteb.get_tasks(exclude_superseded=False)
            return tasks_from_metadata(t.metadata for t in tasks)
        finally:
            sys.path.remove(tmp)


def read_results(
    git_dir: Path, commit: str, folders: Mapping[str, str], task_names: set[str]
) -> tuple[dict[str, dict[str, list[ResultFile]]], list[str]]:
    """{model id: {file stem: [(revision, json)]}} for every catalog model's folder (the shape
    `catalog refresh` downloads), and the paths whose blobs the clone lacks."""
    stems = wanted_file_stems(task_names)
    listing = git(git_dir, "ls-tree", "-r", "--name-only", commit, "results").decode().splitlines()
    by_folder: dict[str, list[str]] = {}
    for path in listing:
        parts = path.split("/")
        if len(parts) == 4 and parts[3].removesuffix(".json") in stems:
            by_folder.setdefault(parts[1].casefold(), []).append(path)
    files: dict[str, dict[str, list[ResultFile]]] = {}
    missing: list[str] = []
    for model_id, folder in sorted(folders.items()):
        paths = by_folder.get(folder.casefold(), [])
        for path, body in read_blobs(git_dir, commit, paths).items():
            _, _, revision, name = path.split("/")
            if body is None:
                missing.append(path)
                continue
            parsed = json.loads(body)
            if isinstance(parsed, dict):
                files.setdefault(model_id, {}).setdefault(name.removesuffix(".json"), []).append(
                    (revision, parsed)
                )
    return files, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mteb_git", type=Path, help="git dir of github.com/embeddings-benchmark/mteb")
    parser.add_argument("results_git", type=Path, help="git dir of github.com/embeddings-benchmark/results")
    parser.add_argument("--mteb-commit", default="HEAD")
    parser.add_argument("--results-commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    mteb_commit, mteb_date = resolve(args.mteb_git, args.mteb_commit)
    results_commit, results_date = resolve(args.results_git, args.results_commit)
    print(
        f"mteb {mteb_commit[:7]} ({mteb_date}); results {results_commit[:7]} ({results_date})",
        file=sys.stderr,
    )
    tasks = load_mteb_tasks(args.mteb_git, mteb_commit)
    folders = {m.id: results_folder(m) for m in load_catalog()}
    files, missing = read_results(args.results_git, results_commit, folders, set(tasks))
    sources = {
        "mteb": {"repo": "github.com/embeddings-benchmark/mteb", "commit": mteb_commit, "date": mteb_date},
        "results": {
            "repo": "github.com/embeddings-benchmark/results",
            "commit": results_commit,
            "date": results_date,
        },
        "method": "scripts/build_evidence.py; docs/ranking.md",
        "unreadable_files": sorted(missing),
    }
    table = evidence_table(tasks, files, sources)
    args.out.write_text(dumps(table), encoding="utf-8")
    n_scores = sum(len(p) for s in table.packed.values() for p in s.values())
    print(
        f"wrote {args.out}: {len(table.tasks)} tasks, {n_scores} scores, {len(table.models)} models "
        f"({len(missing)} result files absent from the clone)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
