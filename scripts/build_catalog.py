"""Rebuild catalog/data/models.toml from checkouts of mteb and the MTEB results repo plus the curated facts.

    python scripts/build_catalog.py --mteb ../mteb --results ../results [--check]

Inputs: a checkout of github.com/embeddings-benchmark/mteb (ModelMeta and benchmark task lists, imported from
the checkout, so its dependencies `datasets` and `polars` must import: pip install -e '.[catalog-build]'),
a checkout of github.com/embeddings-benchmark/results (per-task result files) and catalog/data/facts.toml (the
hand-curated, sourced facts: they win over ModelMeta; see catalog/SOURCES.md). Scores are recomputed with
catalog.refresh, the code `catalog refresh` runs, so the shipped numbers and a refresh can never disagree.
The output records both commits. `--check` writes nothing and fails when the shipped file differs. When
scripts/build_evidence.py exists it runs last with the same `--mteb` and `--results` arguments.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomllib

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog import mirror  # noqa: E402
from catalog.facts import merge, meta_facts, to_toml  # noqa: E402
from catalog.plausibility import broken_revisions, implausible_note  # noqa: E402
from catalog.refresh import BenchmarkDef, benchmark_scores, load_benchmarks  # noqa: E402

FACTS = ROOT / "catalog" / "data" / "facts.toml"
OUT = ROOT / "catalog" / "data" / "models.toml"
BENCHMARKS = ROOT / "catalog" / "data" / "mteb_benchmarks.json"
MTEB_NAMES = {
    "mteb_eng_v2": "MTEB(eng, v2)",
    "mmteb_multilingual_v2": "MTEB(Multilingual, v2)",
    "cmteb_v1": "MTEB(cmn, v1)",
    "mteb_code_v1": "MTEB(Code, v1)",
    "mteb_medical_v1": "MTEB(Medical, v1)",
    "mteb_law_v1": "MTEB(Law, v1)",
}
FLORES = "FloresBitextMining"
META_KEYS = ("name", "revision", "languages", "n_parameters", "memory_usage_mb", "max_tokens", "embed_dim",
             "license", "release_date", "modalities", "reference")  # fmt: skip


def git_commit(path: Path) -> str:
    """HEAD of a checkout; a directory that is not a git work tree is refused (the commit is recorded)."""
    done = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(
            f"{path} is not a git checkout: clone it so the commit can be recorded ({done.stderr.strip()})"
        )
    return done.stdout.strip()


def import_mteb(path: Path) -> Any:
    """The mteb package of the checkout itself (not an installed one), so ModelMeta matches the commit."""
    if not (path / "mteb" / "__init__.py").is_file():
        raise SystemExit(
            f"{path} has no mteb/__init__.py: pass a checkout of github.com/embeddings-benchmark/mteb"
        )
    sys.path.insert(0, str(path))
    warnings.filterwarnings("ignore")
    try:
        import mteb  # type: ignore[import-not-found]
    except ImportError as exc:
        raise SystemExit(
            f"cannot import mteb from {path}: {exc} (pip install -e '.[catalog-build]')"
        ) from None
    if not str(Path(mteb.__file__).resolve()).startswith(str(path.resolve())):
        raise SystemExit(f"imported mteb from {mteb.__file__}, not from {path}: uninstall the other copy")
    return mteb


def check_task_lists(mteb: Any) -> None:
    """The shipped task lists (catalog/data/mteb_benchmarks.json, read by `catalog refresh`) match mteb's."""
    problems = []
    for key, bench in load_benchmarks().items():
        tasks = {t.metadata.name: t for t in mteb.get_benchmark(MTEB_NAMES[key]).tasks}
        if set(tasks) != {t.name for t in bench.tasks}:
            problems.append(f"{key}: task names differ")
            continue
        for t in bench.tasks:
            task = tasks[t.name]  # the benchmark's copy: eval_splits and hf_subsets filtered to the benchmark
            got = (
                task.metadata.type,
                tuple(task.eval_splits),
                task.metadata.main_score,
                len(task.hf_subsets),
            )
            if got != (t.type, t.splits, t.main_score, t.n_subsets):
                problems.append(
                    f"{key}/{t.name}: {got} in mteb, {(t.type, t.splits, t.main_score, t.n_subsets)} shipped"
                )
    if problems:
        raise SystemExit(
            "catalog/data/mteb_benchmarks.json does not match this mteb checkout:\n  " + "\n  ".join(problems)
        )


def model_metas(mteb: Any, checkout: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Every ModelMeta as a plain dict, and the implementation file that defines each name."""
    metas = {}
    for m in mteb.get_model_metas():
        metas[m.name] = {k: getattr(m, k, None) for k in META_KEYS}
    files: dict[str, str] = {}
    for py in sorted((checkout / "mteb" / "models" / "model_implementations").glob("*.py")):
        for name in re.findall(r'name="([^"]+)"', py.read_text(encoding="utf-8")):
            files.setdefault(name, py.relative_to(checkout).as_posix())
    return metas, files


def read_results(
    results: Path, folder: str, tasks: set[str]
) -> dict[str, list[tuple[str, Mapping[str, Any]]]]:
    """{task: [(revision, parsed file)]} for one model folder; unreadable files are reported and skipped."""
    files: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    base = results / "results" / folder
    for rev in sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []:
        for task in sorted(tasks):
            path = rev / f"{task}.json"
            if not path.is_file():
                continue
            try:
                files.setdefault(task, []).append((rev.name, json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError) as exc:
                print(f"warning: skipped unreadable {path}: {exc}", file=sys.stderr)
    return files


def score_tables(files: Mapping[str, Any], revision: str | None, source: str) -> dict[str, dict[str, Any]]:
    """The catalog's [model.scores.*] tables for one model (benchmarks without a mean are left out)."""
    out = {}
    broken = broken_revisions(files)
    for key, bench in load_benchmarks().items():
        scores = benchmark_scores(bench, files, revision)
        if scores is None:
            continue
        if key == "mmteb_multilingual_v2" and scores["mean"] is None and scores["tasks_with_results"] == 130:
            rest = BenchmarkDef(
                key, bench.label, tuple(t for t in bench.tasks if t.name != FLORES), bench.languages
            )
            mean130 = (benchmark_scores(rest, files, revision) or {}).get("mean")
            if mean130 is not None:
                scores["mean_note"] = (
                    "Leaderboard mean not recomputable "
                    "(FloresBitextMining results absent from the snapshot); "
                    f"130-task mean excluding Flores = {mean130}, NOT the leaderboard number."
                )
        note = implausible_note(bench, files, revision, broken)
        if note:
            scores["implausible"] = note
        if scores["mean"] is not None or scores["retrieval_mean"] is not None:
            out[key] = {**scores, "source": source}
    return out


def build_entries(
    facts: Mapping[str, Any], mteb_dir: Path, results_dir: Path
) -> tuple[list[dict[str, Any]], str, str]:
    mteb = import_mteb(mteb_dir)
    check_task_lists(mteb)
    mteb_commit, results_commit = git_commit(mteb_dir), git_commit(results_dir)
    metas, impl = model_metas(mteb, mteb_dir)
    tasks = {t.name for b in load_benchmarks().values() for t in b.tasks}
    entries = []
    for curated in facts["model"]:
        name = curated.get("mteb_name", curated["id"])
        meta = metas.get(name)
        where = f"mteb ModelMeta @{mteb_commit[:7]} ({impl.get(name, 'mteb/models')})"
        entry = merge(curated, meta_facts(meta, where) if meta else None)
        if meta:
            mteb_line = f"github.com/embeddings-benchmark/mteb@{mteb_commit[:7]} {impl.get(name, '')}".strip()
            refs = [meta.get("reference"), mteb_line]
            entry["sources"] = list(dict.fromkeys([*entry.get("sources", []), *[r for r in refs if r]]))
        folder = curated.get("results_folder", name.replace("/", "__"))
        repo = f"github.com/embeddings-benchmark/results@{results_commit[:7]}"
        source = f"{repo} results/{folder}/ (recomputed, see catalog/SOURCES.md)"
        files = read_results(results_dir, folder, tasks)
        entry["scores"] = score_tables(files, (meta or {}).get("revision"), source)
        entries.append(entry)
    return entries, mteb_commit, results_commit


def result_revisions(results_dir: Path, entries: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Results folder -> revision folders holding a benchmark task file, for every catalog model: what
    `catalog refresh` probes when its source has no paths.json listing (catalog/data/mteb_benchmarks.json)."""
    tasks = {t.name for b in load_benchmarks().values() for t in b.tasks}
    out = {}
    for entry in entries:
        folder = entry.get("results_folder", entry["id"].replace("/", "__"))
        base = results_dir / "results" / folder
        revs = [r.name for r in sorted(base.iterdir()) if r.is_dir()] if base.is_dir() else []
        found = [r for r in revs if any((base / r / f"{t}.json").is_file() for t in tasks)]
        if found:
            out[folder] = found
    return out


def with_revisions(text: str, revisions: dict[str, list[str]]) -> str:
    data = json.loads(text)
    data["result_revisions"] = revisions  # catalog order
    data["_about_result_revisions"] = (
        "Revision folders (holding a benchmark task file) per results folder of every catalog model, "
        "written by scripts/build_catalog.py from the results checkout: probed when a source has no "
        "paths.json listing."
    )
    return json.dumps(data, indent=1, ensure_ascii=False)


def header(snapshot: str, mteb_commit: str, results_commit: str) -> str:
    return (
        "# embedscout curated catalog: one [[model]] table per text-embedding model. GENERATED, don't edit:\n"
        "# edit catalog/data/facts.toml (curated, sourced facts) and rerun scripts/build_catalog.py\n"
        "# (see catalog/SOURCES.md). Absent key = unknown. [model.fact_sources] names each fact's source;\n"
        "# scores are percent, recomputed from\n"
        f"# github.com/embeddings-benchmark/results@{results_commit} with mteb@{mteb_commit}.\n"
        f'snapshot = "{snapshot}"\n'
    )


def run_evidence(mteb_dir: Path, results_dir: Path) -> None:
    script = ROOT / "scripts" / "build_evidence.py"
    if script.is_file():
        print(f"running {script.relative_to(ROOT)}")
        subprocess.run(
            [sys.executable, str(script), "--mteb", str(mteb_dir), "--results", str(results_dir)], check=True
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mteb", type=Path, required=True, help="checkout of github.com/embeddings-benchmark/mteb"
    )
    parser.add_argument(
        "--results", type=Path, required=True, help="checkout of github.com/embeddings-benchmark/results"
    )
    parser.add_argument("--facts", type=Path, default=FACTS, help="curated facts file (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT, help="catalog file to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if --out would change")
    args = parser.parse_args(argv)
    facts = tomllib.loads(args.facts.read_text(encoding="utf-8"))
    entries, mteb_commit, results_commit = build_entries(facts, args.mteb, args.results)
    text = to_toml(entries, header(str(facts.get("snapshot", "unknown")), mteb_commit, results_commit))
    from catalog.load import parse_catalog  # validate before writing: a bad fact never ships

    parse_catalog(tomllib.loads(text))
    revisions = result_revisions(args.results, entries)
    bench_text = with_revisions(BENCHMARKS.read_text(encoding="utf-8"), revisions)
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        same_revs = BENCHMARKS.read_text(encoding="utf-8") == bench_text
        print(f"{args.out}: {'up to date' if same else 'DIFFERS from a rebuild'} ({len(entries)} models)")
        print(f"{BENCHMARKS}: result_revisions {'up to date' if same_revs else 'DIFFER from a rebuild'}")
        return 0 if same and same_revs else 1
    args.out.write_text(text, encoding="utf-8")
    BENCHMARKS.write_text(bench_text, encoding="utf-8")
    if args.out.resolve() == mirror.SOURCE:
        mirror.write_mirror()  # the JSON mirror read at start-up follows the TOML
    print(f"wrote {len(entries)} models to {args.out} (mteb@{mteb_commit[:7]}, results@{results_commit[:7]})")
    run_evidence(args.mteb, args.results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
