"""`embedscout use DECISION`: ready-to-paste code for the decision's chosen model and setting.

A thin adapter: the plan comes from storage.handover (shared with the Markdown export) and the code from
catalog.handover. One target prints bare code (so `> embed.py` runs); several print a title before each.
"""

from __future__ import annotations

import click

from catalog.handover import PRECISIONS, TARGETS


@click.command("use")
@click.argument("decision_id", type=int, metavar="DECISION")
@click.option(
    "--target",
    "-t",
    "targets",
    multiple=True,
    type=click.Choice([*TARGETS, "all"]),
    default=("all",),
    show_default=True,
    help="st (sentence-transformers, or the provider SDK for an API model), llamaindex, langchain, "
    "milvus, pgvector, qdrant, or all. Repeatable.",
)
@click.option(
    "--dims", type=click.IntRange(min=1), help="Override the dimensions (default: the trial's suggestion)."
)
@click.option(
    "--precision", type=click.Choice(PRECISIONS), help="Override the precision (default: as --dims)."
)
@click.option(
    "--model-path",
    metavar="PATH",
    help="Load the model from this folder instead of its Hugging Face id (offline or mirrored deployments).",
)
@click.option("--hnsw-m", type=click.IntRange(min=2, max=512), default=16, show_default=True, help="HNSW M.")
def use(
    decision_id: int,
    targets: tuple[str, ...],
    dims: int | None,
    precision: str | None,
    model_path: str | None,
    hnsw_m: int,
) -> None:
    """Print code that embeds and indexes exactly as the trial measured.

    Uses the decision's chosen model with the trial's query/passage prompts, normalisation, dimensions
    and max length, at the trial's suggested size/precision (the smallest setting whose nDCG@10 stayed
    within full precision) unless --dims/--precision say otherwise. API keys are read from the
    environment by the code, never written into it.

    \b
    Examples:
      embedscout use 3                       # every target
      embedscout use 3 -t st > embed.py      # bare sentence-transformers code
      embedscout use 3 -t pgvector --precision binary+rescore
    """
    from catalog.handover import render_text, snippets
    from storage import store
    from storage.handover import plan_for

    chosen = TARGETS if "all" in targets else tuple(t for t in TARGETS if t in targets)
    try:
        db = store.open_db()
        try:
            decision = store.get_decision(db, decision_id)
        finally:
            db.close()
        plan = plan_for(decision, dims=dims, precision=precision, model_path=model_path, hnsw_m=hnsw_m)
        items = snippets(plan.deployment, chosen)
    except (store.StorageError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(items[0].code if len(items) == 1 else render_text(items), nl=False)
