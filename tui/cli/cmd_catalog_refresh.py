"""`embedscout catalog refresh`: fetch current MTEB results, recompute the catalog's means, show the diff,
and replace the local overlay only after validation and confirmation (atomic write).

Offline it prints one line and changes nothing. The recompute is catalog.refresh (pure), the download is
evaluators.api.mteb_fetch (httpx, imported only when the command runs), the file is storage.catalog_overlay.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Any

import click

MAX_LISTED = 40


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _fetch(base: tuple[Any, ...], source: str | None, timeout: float, extra: set[str]) -> Any:
    import httpx

    from catalog.refresh import all_task_names, known_revisions, results_folder
    from evaluators.api.http import ApiError, ApiTimeout, OfflineError
    from evaluators.api.mteb_fetch import DEFAULT_SOURCE, fetch_results

    folders = {m.id: results_folder(m) for m in base}
    bar: Any = None
    if sys.stderr.isatty():  # a non-interactive run stays quiet, so offline is exactly one line
        bar = click.progressbar(length=1, label="fetching MTEB result files", file=sys.stderr)

    def on_progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

    try:
        return fetch_results(
            folders,
            all_task_names() | extra,
            source=source,
            timeout=timeout,
            revisions=known_revisions(),
            on_progress=on_progress,
        )
    except OfflineError as exc:
        _fail(f"offline: could not reach {exc.host}; catalog unchanged")
    except ApiTimeout:  # a black-holed network looks like timeouts, not refusals
        _fail(f"offline: could not reach {httpx.URL(source or DEFAULT_SOURCE).host}; catalog unchanged")
    except ApiError as exc:
        _fail(f"embedscout: error: refresh failed ({source or DEFAULT_SOURCE}): {exc}; catalog unchanged")
    finally:
        if bar is not None:
            bar.render_finish()


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def _show_diff(diff: Any, n_files: int, source: str, probed: bool = False) -> None:
    click.echo(f"source: {source} ({n_files} result files)")
    if probed:
        click.echo(
            "note: the source has no paths.json; probed the catalog's known revision folders "
            "(new models and new revisions cannot be discovered this way)"
        )
    if diff.changed:
        click.echo(f"changed scores ({len(diff.changed)}):")
        for ch in diff.changed[:MAX_LISTED]:
            delta = "" if ch.old is None or ch.new is None else f" ({ch.new - ch.old:+.2f})"
            click.echo(f"  {ch.model}  {ch.benchmark}.{ch.field}: {_fmt(ch.old)} -> {_fmt(ch.new)}{delta}")
        if len(diff.changed) > MAX_LISTED:
            click.echo(f"  ... and {len(diff.changed) - MAX_LISTED} more")
    else:
        click.echo("changed scores: none")
    click.echo(
        f"unchanged scores: {diff.unchanged}; kept (not recomputable from this source): {len(diff.kept)}"
    )
    if diff.new_models:
        shown = ", ".join(diff.new_models[:MAX_LISTED])
        more = (
            f" ... and {len(diff.new_models) - MAX_LISTED} more" if len(diff.new_models) > MAX_LISTED else ""
        )
        click.echo(f"new models with results (not added; the catalog is curated): {shown}{more}")


@click.command("refresh")
@click.option(
    "--source",
    metavar="URL",
    default=None,
    help="Base URL of the results repository's raw files, or a mirror serving the same layout "
    "(paths.json + results/...). Default: the embeddings-benchmark/results repo on GitHub.",
)
@click.option("--yes", "-y", is_flag=True, help="Replace the overlay without asking.")
@click.option("--dry-run", is_flag=True, help="Show the diff only; write nothing.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per HTTP request.")
def refresh(source: str | None, yes: bool, dry_run: bool, timeout: float) -> None:
    """Recompute the catalog's MTEB scores from current results and update the local overlay.

    The shipped catalog is never modified; the overlay (in the config folder) patches its scores.
    """
    from catalog.evidence_data import load_task_scores
    from catalog.evidence_refresh import compare_evidence, evidence_file_stems, refresh_evidence
    from catalog.load import load_catalog
    from catalog.refresh import plan_refresh, recompute
    from storage.catalog_overlay import (
        catalog_with_overlay,
        effective_task_scores,
        overlay_path,
        write_evidence_overlay,
        write_overlay,
    )

    base = load_catalog()
    current = catalog_with_overlay()
    shipped, current_evidence = load_task_scores(), effective_task_scores()
    fetched = _fetch(base, source, timeout, evidence_file_stems(shipped))

    generated = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    overlay, diff = plan_refresh(
        base,
        current,
        recompute(fetched.files),
        generated=generated,
        source=fetched.source,
        listing=fetched.listing,
    )
    _show_diff(diff, fetched.n_files, fetched.source, fetched.probed)
    evidence = refresh_evidence(
        shipped, fetched.files, source=fetched.source, generated=generated, current=current_evidence
    )
    change = compare_evidence(current_evidence, evidence)
    click.echo(change.summary())
    if diff.errors:
        for err in diff.errors[:MAX_LISTED]:
            click.echo(f"invalid: {err}", err=True)
        _fail("embedscout: error: refreshed scores failed validation; catalog unchanged")
    evidence_changed = change.changed or change.scores_after != change.scores_before
    if not diff.has_changes and not evidence_changed:
        click.echo("catalog is up to date; nothing written")
        return
    if dry_run:
        click.echo("dry run: catalog unchanged")
        return
    if not yes and not click.confirm(f"Replace the catalog overlay ({overlay_path()})?", default=False):
        click.echo("catalog unchanged")
        return
    if diff.has_changes:
        click.echo(f"overlay written: {write_overlay(overlay)}")
    if evidence_changed:
        click.echo(f"evidence written: {write_evidence_overlay(evidence)}")
