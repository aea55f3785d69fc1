"""`embedscout recommend`: flags -> `Profile` -> `tui.workflow.advice.recommend_for` -> a table or JSON.

The profile is the same value the TUI's questionnaire builds; hardware the flags leave out comes from a fast
probe (psutil and nvidia-smi, never torch). Bad values are one-line usage errors (exit 2).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from catalog.requirements import DOMAINS, TASKS
from tui.cli import services
from tui.workflow.profile import PRIORITIES, Profile

if TYPE_CHECKING:
    from catalog.ranking import Recommendation

LANGUAGE_ALIASES = {
    "english": "en",
    "chinese": "zh",
    "mandarin": "zh",
    "cn": "zh",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "japanese": "ja",
    "korean": "ko",
    "russian": "ru",
}


def parse_languages(values: tuple[str, ...]) -> tuple[str, ...]:
    """'zh' / 'en,de' / repeated flags / names like 'Chinese' -> ('zh',) etc."""
    out: list[str] = []
    for raw in values:
        for part in raw.split(","):
            code = LANGUAGE_ALIASES.get(part.strip().casefold(), part.strip().casefold())
            if not code:
                continue
            if not (code.isascii() and code.isalpha() and 2 <= len(code) <= 3):
                raise click.BadParameter(
                    f"{part!r} is not a language code like 'en' or 'zh'", param_hint="'--language'"
                )
            if code not in out:
                out.append(code)
    return tuple(out) or ("en",)


def parse_budget(value: str) -> tuple[bool, float | None]:
    """'open' -> open weights only; 'any' -> no limit; a number -> max USD per 1M tokens."""
    text = value.strip().casefold().lstrip("$")
    if text in ("open", "free", "open-weights"):
        return True, None
    if text in ("any", "none", "unlimited"):
        return False, None
    try:
        price = float(text.removesuffix("/1m"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: use 'open', 'any' or a max USD per 1M tokens like 0.05", param_hint="'--budget'"
        ) from None
    if price < 0:
        raise click.BadParameter("must be >= 0", param_hint="'--budget'")
    return False, price


def parse_priority(value: str) -> tuple[float, float, float]:
    """'quality' | 'speed' | 'cost' | 'balanced' or three weights 'Q,S,C'."""
    if value.casefold() in PRIORITIES:
        return PRIORITIES[value.casefold()]
    try:
        q, s, c = (float(x) for x in value.split(","))
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: use {', '.join(PRIORITIES)} or weights like 0.7,0.15,0.15", param_hint="'--priority'"
        ) from None
    if min(q, s, c) < 0 or q + s + c <= 0:
        raise click.BadParameter("weights must be >= 0 and not all zero", param_hint="'--priority'")
    return q, s, c


def profile_from_flags(ctx: click.Context, opts: dict[str, Any]) -> Profile:
    """The profile the flags describe, with the hardware they leave out detected."""
    open_only, max_price = parse_budget(opts["budget"])
    kind = str(opts["hardware"]).casefold()
    profile = Profile(
        languages=parse_languages(opts["language"]),
        domain=str(opts["domain"]).casefold(),
        task=str(opts["task"]).casefold(),
        doc_tokens=opts["doc_tokens"],
        will_chunk=opts["chunk"],
        corpus_docs=opts["corpus_docs"],
        queries_per_month=opts["queries_per_month"],
        docs_updated_per_month=round(opts["corpus_docs"] * opts["monthly_updates"] / 100),
        open_only=open_only,
        max_price_per_1m=max_price,
        monthly_cap_usd=opts["monthly_cap"],
        ram_gb=opts["ram_gb"],
        vram_gb=opts["vram_gb"],
        api_allowed=not opts["no_api"],
        licence="commercial" if opts["commercial"] else "any",
        open_weights_required=opts["open_weights"],
        image_text=opts["image_text"],
        priority=parse_priority(opts["priority"]),
    )
    # nvidia-smi only where its answer is used: not for --hardware cpu/mps, nor cuda with --vram-gb given.
    probe = kind in ("auto", "cuda") and not (kind == "cuda" and opts["vram_gb"] is not None)
    return profile.with_hardware(services(ctx).detect_hardware(probe_gpu=probe), kind)


def render_recommendation(rec: Recommendation, *, top: int, all_excluded: bool = False) -> None:
    """Rich table of the top candidates with their reasons, then the excluded models and why."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tui.present.profile import requirements_line

    console = Console(soft_wrap=False, highlight=False)
    console.print(Text("Profile: ", style="bold") + Text(requirements_line(rec.requirements.to_dict())))
    shown = rec.top(top)
    table = Table(title=f"Top {len(shown)} of {len(rec.candidates)} eligible models", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("Model", overflow="fold", max_width=42)
    table.add_column("Score", justify="right")
    table.add_column("Why", overflow="fold")
    for i, cand in enumerate(shown, start=1):
        table.add_row(
            str(i), Text(cand.spec.id), f"{cand.score:.1f}", Text("\n".join(f"• {r}" for r in cand.reasons))
        )
    console.print(table)
    if rec.excluded:
        near_misses = sorted(rec.excluded, key=lambda e: len(e.reasons))  # stable: catalog order within ties
        listed = near_misses if all_excluded else near_misses[:8]
        more = "" if len(listed) == len(rec.excluded) else f" (first {len(listed)}; --all-excluded for all)"
        excluded = Table(title=f"Excluded: {len(rec.excluded)} models{more}")
        excluded.add_column("Model", overflow="fold", max_width=42)
        excluded.add_column("Failed constraint(s)", overflow="fold")
        for item in listed:
            excluded.add_row(Text(item.spec.id), Text("; ".join(item.reasons)))
        console.print(excluded)
    for line in rec.assumptions:
        console.print(Text(f"· {line}", style="dim"))


@click.command("recommend")
@click.option(
    "-l",
    "--language",
    multiple=True,
    metavar="CODES",
    help="Document/query languages, e.g. zh or en,de (repeatable). Default: en.",
)
@click.option(
    "--domain", type=click.Choice(DOMAINS, case_sensitive=False), default="general", show_default=True
)
@click.option(
    "--task",
    type=click.Choice(TASKS, case_sensitive=False),
    default="retrieval",
    show_default=True,
    help="What the embeddings are for: retrieval (search/QA), reranking, clustering or classification; "
    "picks the MTEB task type whose scores count.",
)
@click.option(
    "--doc-tokens",
    type=click.IntRange(min=1),
    default=512,
    show_default=True,
    help="Typical document length in tokens.",
)
@click.option(
    "--chunk/--no-chunk",
    default=True,
    show_default=True,
    help="Will you split long documents? --no-chunk turns short context windows into exclusions.",
)
@click.option("--corpus-docs", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option(
    "--queries-per-month",
    type=click.IntRange(min=0),
    default=100_000,
    show_default=True,
    help="Assumed query volume for the API cost estimate.",
)
@click.option(
    "--monthly-updates",
    type=click.FloatRange(min=0, max=100),
    default=10.0,
    show_default=True,
    metavar="PCT",
    help="Share of the corpus re-embedded each month (new or changed documents): the API cost after the "
    "first month and the sizing table.",
)
@click.option(
    "--budget",
    default="any",
    show_default=True,
    metavar="open|any|USD",
    help="'open' = open-weights only; a number = max USD per 1M tokens.",
)
@click.option(
    "--monthly-cap",
    type=click.FloatRange(min=0),
    default=None,
    metavar="USD",
    help="Max API spend per month.",
)
@click.option(
    "--hardware",
    type=click.Choice(["auto", "cpu", "cuda", "mps"], case_sensitive=False),
    default="auto",
    show_default=True,
    help="auto: detect (psutil + nvidia-smi, no torch).",
)
@click.option("--ram-gb", type=click.FloatRange(min=0), default=None, help="CPU RAM (default: detected).")
@click.option("--vram-gb", type=click.FloatRange(min=0), default=None, help="GPU memory (default: detected).")
@click.option("--no-api", is_flag=True, help="API models are not allowed (data must stay local).")
@click.option("--commercial", is_flag=True, help="The licence must allow commercial use.")
@click.option("--open-weights", is_flag=True, help="Require downloadable weights.")
@click.option(
    "--image-text",
    is_flag=True,
    help="Your corpus has images too: include image-text (CLIP-style) models, left out otherwise.",
)
@click.option(
    "--priority",
    default="balanced",
    show_default=True,
    metavar="NAME|Q,S,C",
    help="quality, speed, cost, balanced, or weights like 0.7,0.15,0.15.",
)
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="Candidates to show.")
@click.option("--all-excluded", is_flag=True, help="List every excluded model (table output).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {candidates: [...], excluded: [...]}.")
@click.option("--save", is_flag=True, help="Store this recommendation in the decision journal.")
@click.option("--title", default=None, help="Title for --save (default: derived from the profile).")
@click.pass_context
def recommend(ctx: click.Context, **opts: Any) -> None:
    """Rank the catalog's embedding models for your documents, hardware and budget, and explain why."""
    from tui.cli.sizing_view import render_sizing, sizing_section
    from tui.present.profile import hardware_text
    from tui.workflow.advice import recommend_for, save_recommendation

    if opts["title"] is not None and not opts["save"]:
        raise click.UsageError("--title only makes sense with --save")
    profile = profile_from_flags(ctx, opts)
    rec = recommend_for(profile, services(ctx))
    rec_dict = rec.to_dict(top=opts["top"])
    rec_dict["hardware"] = hardware_text(profile.gpu, profile.vram_gb, profile.ram_gb)
    shown = [c.spec for c in rec.top(opts["top"])]
    sizes, sizing = sizing_section(shown, rec.requirements, opts["monthly_updates"])
    rec_dict.update(sizing)
    decision_id = save_recommendation(rec, rec_dict, opts["title"], services(ctx)) if opts["save"] else None
    if opts["as_json"]:
        if decision_id is not None:
            rec_dict["decision_id"] = decision_id
        click.echo(json.dumps(rec_dict, indent=2, ensure_ascii=False))
        return
    render_recommendation(rec, top=opts["top"], all_excluded=opts["all_excluded"])
    render_sizing(sizes, sizing["sizing_assumptions"])
    if decision_id is not None:
        click.echo(f"Saved as decision #{decision_id} (see: embedscout show {decision_id})")
