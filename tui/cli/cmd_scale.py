"""`embedscout export-task` and `embedscout import-results`: run a trial with mteb on a bigger machine.

Thin click adapters: the export (reloading and verifying a trial's data, writing the task folder) lives in
`evaluators.scale`, the import's reading in `evaluators.scale.results` and its filing in
`storage.scale_import`. Nothing here imports torch or mteb; the generated runner does, on the other machine.
"""

from __future__ import annotations

import json
from typing import Any

import click

_CORPUS_OPTIONS = ("corpus", "demo", "sample", "seed", "chunk_tokens", "chunk_overlap", "synthetic")


@click.command("export-task")
@click.argument("trial_id", type=int, required=False, metavar="[TRIAL]")
@click.option("--corpus", type=click.Path(exists=True), help="Without TRIAL: documents, as `trial --corpus`.")
@click.option("--queries", type=click.Path(exists=True, dir_okay=False), help="Queries file (as `trial`).")
@click.option("--qrels", type=click.Path(exists=True, dir_okay=False), help="BEIR/TREC qrels file.")
@click.option("--demo", is_flag=True, help="Without TRIAL: the bundled demo corpus.")
@click.option("--sample", type=click.IntRange(min=1), help="Without TRIAL: keep N documents.")
@click.option("--seed", type=int, default=0, show_default=True, help="Without TRIAL: sampling seed.")
@click.option(
    "--chunk-tokens",
    type=click.IntRange(min=0),
    default=256,
    show_default=True,
    help="Without TRIAL: chunk size (0: none).",
)
@click.option(
    "--chunk-overlap",
    type=click.IntRange(min=0),
    default=32,
    show_default=True,
    help="Without TRIAL: chunk overlap.",
)
@click.option("--synthetic", default="auto", show_default=True, help="Without TRIAL: as `trial --synthetic`.")
@click.option(
    "--model",
    "-m",
    "models",
    multiple=True,
    metavar="M",
    help="Models to export (default: the trial's dense models; without TRIAL: minilm). Repeat.",
)
@click.option("--full", is_flag=True, help="Export every document, not the trial's sample.")
@click.option(
    "--out", "-o", type=click.Path(file_okay=False), help="Folder to write (default ./embedscout-task-N)."
)
@click.option("--force", is_flag=True, help="Replace an earlier export in --out.")
@click.pass_context
def export_task(
    ctx: click.Context,
    trial_id: int | None,
    models: tuple[str, ...],
    full: bool,
    out: str | None,
    force: bool,
    queries: str | None,
    qrels: str | None,
    seed: int,
    **corpus: Any,
) -> None:
    """Write a trial as an mteb retrieval task folder to run on a bigger machine (a GPU box).

    The folder holds the trial's documents, queries and qrels (BEIR layout), manifest.json (models with the
    exact prompts and normalisation the trial used, chunking, metric definitions, the trial id and data
    fingerprint) and run_mteb.py, which needs only `pip install mteb` there. Bring its results back with
    `embedscout import-results`. See docs/scale.md.

    \b
    Examples:
      embedscout export-task 12                       # trial #12, its sample, its models
      embedscout export-task 12 --full -m intfloat/e5-mistral-7b-instruct -o big-run
      embedscout export-task --corpus docs/ --queries q.jsonl -m minilm --chunk-tokens 0
    """
    given = [f"--{k.replace('_', '-')}" for k in _CORPUS_OPTIONS if _given(ctx, k)]
    if trial_id is not None and given:
        raise click.UsageError(
            f"{', '.join(given)} only apply without TRIAL (the trial's own settings are used)"
        )
    if trial_id is None and not (corpus["corpus"] or corpus["demo"]):
        raise click.UsageError("give a saved TRIAL id (see `embedscout show ID`), or --corpus PATH / --demo")
    from evaluators.scale.export import export_task as write
    from evaluators.scale.export import require_models
    from evaluators.scale.source import load_views
    from evaluators.types import TrialInputError
    from storage.records import utcnow

    try:
        load, chosen, skipped, trial, expected = _plan(trial_id, models, queries, qrels, seed, corpus)
        require_models(chosen, skipped)
        click.echo("Reading the documents ...", err=True)
        trial_view, export_view = load_views(load, expected=expected, full=full)
        target = out or (f"embedscout-task-{trial_id}" if trial_id is not None else "embedscout-task")
        report = write(
            target,
            trial_view,
            export_view,
            chosen,
            skipped=skipped,
            trial=trial,
            created_at=utcnow(),
            force=force,
        )
    except TrialInputError as exc:
        raise click.ClickException(str(exc)) from None
    _print_export(report.folder, report.manifest)


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def _plan(
    trial_id: int | None,
    models: tuple[str, ...],
    queries: str | None,
    qrels: str | None,
    seed: int,
    corpus: dict[str, Any],
) -> tuple[Any, list[Any], list[dict[str, str]], dict[str, Any] | None, str | None]:
    """(loader, models, skipped, trial facts, expected fingerprint) for a saved trial or for data given."""
    from evaluators.scale.source import corpus_loader, models_from_refs, models_from_trial, trial_loader

    if trial_id is None:
        load = corpus_loader(
            corpus["corpus"],
            queries,
            qrels,
            demo=corpus["demo"],
            sample=corpus["sample"],
            seed=seed,
            chunk_tokens=corpus["chunk_tokens"],
            chunk_overlap=corpus["chunk_overlap"],
            synthetic=corpus["synthetic"],
        )
        return (load, *models_from_refs(list(models) or ["minilm"]), None, None)
    from storage.store import StorageError, get_trial, open_db

    try:
        db = open_db()
        try:
            record = get_trial(db, trial_id)
        finally:
            db.close()
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    load = trial_loader(record.dataset, record.settings, queries=queries, qrels=qrels)
    chosen, skipped = models_from_trial(record.results, models)
    trial = {"id": record.id, "decision_id": record.decision_id, "started_at": record.started_at}
    return load, chosen, skipped, trial, record.dataset.get("fingerprint")


def _print_export(folder: Any, manifest: dict[str, Any]) -> None:
    ex, ds = manifest["export"], manifest["dataset"]
    origin = f"trial #{manifest['trial']['id']}" if manifest.get("trial") else "the data given"
    click.echo(f"Exported {origin} ({ds['name']}, fingerprint {ds['fingerprint'][:12]}) to {folder}:")
    click.echo(f"  {ex['n_docs']} documents, {ex['n_queries']} queries; units: {ex['units']}")
    for m in manifest["models"]:
        click.echo(f"  model {m['name']}: prompts from {m['prompts_from']}")
    for s in manifest["skipped_models"]:
        click.echo(f"  not exported: {s['name']} ({s['reason']})")
    for note in manifest["differences"]:
        click.echo(f"  differs from the trial: {note}")
    click.echo("Next, on the machine with the GPU (copy the whole folder there):")
    click.echo('  pip install "mteb>=2.26,<3" && python run_mteb.py --device cuda')
    click.echo(f"then copy its mteb-results/ back and run: embedscout import-results {folder}/mteb-results")


@click.command("import-results")
@click.argument("folder", type=click.Path())
@click.option(
    "--decision", type=int, help="File under this decision when no local trial ran on the same data."
)
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
def import_results(folder: str, decision: int | None, as_json: bool) -> None:
    """Import the results run_mteb.py wrote (its mteb-results/ folder) into the journal as a trial.

    The trial lands beside the local trial it was exported from (matched by the data's fingerprint), with
    where it ran (machine, GPU, library and mteb versions) and every difference from the local trial
    stated. Compare them with `embedscout show`, `diff`, `export` or the TUI's History screen.
    """
    from evaluators.scale.results import ResultsError, read_run
    from storage.scale_import import file_mteb_trial
    from storage.store import StorageError, open_db

    try:
        run = read_run(folder)
        db = open_db()
        try:
            filed = file_mteb_trial(db, run.to_trial(), decision_id=decision)
        finally:
            db.close()
    except (ResultsError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
    local = {m["name"]: (m.get("trial_metrics") or {}).get("ndcg@10") for m in run.manifest["models"]}
    rows = [
        {
            "model": r.model,
            "status": r.status,
            "ndcg@10": r.metrics.get("ndcg@10"),
            "local_ndcg@10": local.get(str(r.details.get("name"))),
        }
        for r in run.result.results
    ]
    if as_json:
        out = {
            "trial_id": filed.trial_id,
            "decision_id": filed.decision_id,
            "beside_trial": filed.twin_trial_id,
            "source": run.label,
            "results": rows,
            "differences": run.notes,
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    beside = f", beside local trial #{filed.twin_trial_id}" if filed.twin_trial_id else ""
    click.echo(f"Imported trial #{filed.trial_id} ({run.label}) under decision #{filed.decision_id}{beside}.")
    for row, result in zip(rows, run.result.results, strict=True):
        click.echo(f"  {row['model']}: " + _ndcg_text(row))
        for note in result.details.get("comparability") or []:
            click.echo(f"    note: {note}")
    for note in run.notes:
        click.echo(f"  note: {note}")
    click.echo(f"See it with: embedscout show {filed.decision_id}")


def _ndcg_text(row: dict[str, Any]) -> str:
    if row["status"] != "ok":
        return row["status"]
    text = f"nDCG@10 {row['ndcg@10']:.4f}"
    if isinstance(row["local_ndcg@10"], float):
        text += f" (local trial {row['local_ndcg@10']:.4f}, {row['ndcg@10'] - row['local_ndcg@10']:+.4f})"
    return text
