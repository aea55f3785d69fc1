"""Decision journal commands: history, show, diff, decide, export, import, delete, recheck.

Thin click adapters over `storage.store` and `tui.workflow.advice` (the TUI's History screen calls the same
functions) rendered with `tui.present`. The journal file comes from `storage.paths.db_path()`, which the
group's --db sets; a journal error is reported by the group as one line with a non-zero exit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from storage import store
from storage.paths import db_path
from storage.records import STATUSES
from storage.report import decision_fields
from storage.sqlite_lib import Database
from tui.cli import journal_views as views
from tui.cli import services


@contextmanager
def _journal() -> Iterator[Database]:
    """The journal for one command, closed after it."""
    db = services(click.get_current_context()).open_db()
    try:
        yield db
        reason = store.read_only_reason(db)
        if reason is not None:  # a journal from a newer embedscout: read, never written (writes say so)
            click.echo(f"embedscout: note: {reason}", err=True)
    finally:
        db.close()


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.command("history")
@click.option("--search", "-s", default=None, help="Only decisions whose text contains this (any case).")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only decisions in this state.")
@click.option("--tag", default=None, help="Only decisions with this tag.")
@click.option("--model", default=None, help="Only decisions that chose, shortlisted or tried this model.")
@click.option("--since", default=None, metavar="DATE", help="Created on or after (YYYY-MM-DD, UTC).")
@click.option("--until", default=None, metavar="DATE", help="Created on or before (YYYY-MM-DD, UTC).")
@click.option("-n", "--count", default=20, show_default=True, type=click.IntRange(min=1), help="How many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def history(as_json: bool, count: int, **filters: Any) -> None:
    """List saved decisions, newest first."""
    with _journal() as db:
        decisions = store.list_decisions(db, limit=count, **filters)
    if as_json:
        _echo_json([decision_fields(d) for d in decisions])
    elif not decisions:
        click.echo("No decisions match." if any(filters.values()) else "The journal is empty.")
    else:
        _console().print(views.history_table(decisions))


@click.command("show")
@click.argument("decision_id", type=int, metavar="ID")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the full JSON document (as `export --format json`)."
)
def show(decision_id: int, as_json: bool) -> None:
    """Show one decision: requirements, shortlist, trials, choice."""
    with _journal() as db:
        if as_json:
            click.echo(store.export_json(db, decision_id))
            return
        decision = store.get_decision(db, decision_id)
    views.show_decision(_console(), decision)


@click.command("diff")
@click.argument("first", type=int, metavar="ID1")
@click.argument("second", type=int, metavar="ID2")
def diff(first: int, second: int) -> None:
    """Compare two decisions side by side.

    Requirements, shortlists, the latest trial result per model, and the choices.
    """
    with _journal() as db:
        result = store.diff_decisions(db, first, second)
    _console().print(views.diff_view(result))


@click.command("decide")
@click.argument("decision_id", type=int, metavar="ID")
@click.option(
    "--model", "-m", required=True, help="The chosen model (catalog id, short name, or trial model ref)."
)
@click.option("--note", default="", help="Why this model: the rationale kept with the decision.")
@click.option(
    "--supersedes",
    type=int,
    default=None,
    metavar="OLD_ID",
    help="Mark an older decision replaced by this one.",
)
def decide(decision_id: int, model: str, note: str, supersedes: int | None) -> None:
    """Record the chosen model and why."""
    with _journal() as db:
        current = store.get_decision(db, decision_id)
        if supersedes is not None:
            store.get_decision(db, supersedes, with_children=False)  # fail before deciding if OLD_ID is wrong
        store.check_model_ref(model)  # before any message echoes it
        chosen = _resolve_model(model, current)
        decided = store.decide(db, decision_id, model=chosen, note=note)
        if supersedes is not None:
            store.supersede(db, supersedes, decision_id)
    click.echo(f"Decision #{decided.id}: chose {decided.chosen_model}.")
    if supersedes is not None:
        click.echo(f"Decision #{supersedes} is now superseded by #{decision_id}.")


def _resolve_model(ref: str, decision: store.Decision) -> str:
    """The stable catalog id where known; a model this decision shortlisted or tried; else as given."""
    known = [*decision.shortlist, *(str(r.get("model")) for t in decision.trials for r in t.results)]
    for name in known:
        if name.casefold() == ref.strip().casefold():
            return name
    try:
        from catalog.load import find_model

        spec = find_model(ref)
    except Exception:  # a broken catalog must not stop a decision being recorded
        spec = None
    if spec is not None:
        return spec.id
    click.echo(
        f"note: {ref!r} is not in the catalog or this decision's shortlist/trials; stored as given.", err=True
    )
    return ref


@click.command("export")
@click.argument("decision_id", type=int, metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write to this file instead of stdout.")  # fmt: skip
def export(decision_id: int, fmt: str, output: Path | None) -> None:
    """Export a decision as a Markdown report or JSON.

    The JSON document can be read back with `embedscout import`.
    """
    from tui.present.markdown import decision_markdown

    with _journal() as db:
        if fmt == "md":
            text = decision_markdown(store.get_decision(db, decision_id))
        else:
            text = store.export_json(db, decision_id) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    if _same_file(output, db_path()):
        raise click.ClickException(f"{output} is the journal itself; choose another output file")
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output}", err=True)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


@click.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def import_(file: Any) -> None:
    """Import a decision from an exported JSON file.

    FILE comes from `embedscout export ID --format json` (- reads stdin). The decision gets a new id.
    """
    try:
        text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {file.name}: {exc} (exports are UTF-8 JSON)") from None
    with _journal() as db:
        new_id = store.import_json(db, text)
        title = store.get_decision(db, new_id, with_children=False).title
    click.echo(f"Imported as decision #{new_id}: {title}")


@click.command("delete")
@click.argument("decision_id", type=int, metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete(ctx: click.Context, decision_id: int, yes: bool) -> None:
    """Delete a decision and everything saved with it.

    Asks for confirmation unless --yes is given.
    """
    with _journal() as db:
        d = store.get_decision(db, decision_id)
        if not yes:
            prompt = f"Delete decision #{d.id} {d.title!r} ({len(d.trials)} trial(s))? This cannot be undone"
            try:
                confirmed = click.confirm(prompt, default=False)
            except click.Abort:
                raise click.ClickException(
                    "not deleted: no confirmation (pass --yes to skip the prompt)"
                ) from None
            if not confirmed:
                click.echo("Not deleted.")
                ctx.exit(1)
        store.delete_decision(db, decision_id)
    click.echo(f"Deleted decision #{decision_id}.")


@click.command("recheck")
@click.argument("decision_id", type=int, metavar="ID")
@click.option("--save", is_flag=True, help="Attach the fresh recommendation to the decision.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def recheck(decision_id: int, save: bool, as_json: bool) -> None:
    """Re-rank a saved decision on today's catalog.

    Re-runs the saved requirements and reports what changed: models that now outrank the chosen one,
    new or dropped candidates, changed scores and costs.
    """
    from tui.workflow.advice import recheck as recheck_decision

    with _journal() as db:
        decision = store.get_decision(db, decision_id)
        report, fresh = recheck_decision(decision, services(click.get_current_context()))
        if save:
            store.attach_recommendation(db, decision_id, fresh.to_dict())
    if as_json:
        _echo_json(report.to_dict())
        return
    _console().print(views.recheck_view(report, decision))
    if save:
        click.echo(f"Saved the fresh recommendation with decision #{decision_id}.")
