"""`embedscout check KIND --model M ...`: the deeper checks (tokenizer fit, cross-lingual alignment,
perturbation stability, neighbourhood consistency) for one or more models, as rich tables or JSON.

Flags -> `CheckPlan` -> `tui.workflow.checking.run_checks` (the checks a trial runs with `--checks`).
Documents come from `--corpus` (else the built-in demo); model weights load only for checks that embed text.
"""

from __future__ import annotations

import json
from typing import Any

import click

from tui.workflow.plan import BACKENDS, CHECK_KINDS


@click.command("check")
@click.argument("kind", type=click.Choice([*CHECK_KINDS, "all"], case_sensitive=False))
@click.option(
    "-m",
    "--model",
    "models",
    multiple=True,
    required=True,
    metavar="REF",
    help="Model to check (repeatable): catalog id, HF id, local folder, minilm, provider:model.",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True),
    default=None,
    help="Your documents (folder, file, BEIR folder, SQuAD JSON). Default: the built-in demo.",
)
@click.option(
    "--queries",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Queries for the stability check (default: the corpus's own, else synthetic).",
)
@click.option(
    "--pairs",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Parallel sentences, two tab-separated columns (default: 150 Tatoeba en-zh pairs).",
)
@click.option(
    "--probes",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help='Probe JSON: {"language", "probes": [{"term", "senses": {...}, "unrelated": [...]}]}.',
)
@click.option("--mine-probes", is_flag=True, help="Also mine probe terms from the corpus (lexical labels).")
@click.option("--sample", type=click.IntRange(min=1), default=None, help="Use N documents of the corpus.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for sampling, perturbations, CIs.")
@click.option("--force", is_flag=True, help="Measure cross-lingual alignment even for one-language models.")
@click.option("--backend", type=click.Choice(list(BACKENDS)), default="auto", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {dataset, checks: [...]}.")
def check(kind: str, models: tuple[str, ...], as_json: bool, **opts: Any) -> None:
    """Run a deeper check on your text: tokenizer fit, cross-lingual alignment, stability, neighbourhoods.

    Every number comes with its 95% interval and the count it rests on. Examples:

    \b
      embedscout check tokenizer -m minilm -m openai/text-embedding-3-small --corpus ./docs
      embedscout check crosslingual -m BAAI/bge-m3 --pairs my_pairs.tsv
      embedscout check all -m minilm --sample 200 --json
    """
    from tui.cli.tables import render_checks
    from tui.workflow.checking import CheckPlan, run_checks
    from tui.workflow.errors import UserError
    from tui.workflow.plan import expand_checks

    report = run_checks(CheckPlan(expand_checks(kind), models, **opts))
    if as_json:
        click.echo(
            json.dumps({"dataset": report.dataset, "checks": report.checks}, indent=2, ensure_ascii=False)
        )
    else:
        render_checks(report.checks)
    failed = report.failed
    if failed:
        first = failed[0]
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        reason = first["notes"][0] if first["notes"] else first["summary"]
        raise UserError(f"{first['kind']} check failed for {first['model']}: {reason}{more}")
