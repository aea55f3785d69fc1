"""`embedscout recommend`: flags -> Requirements -> catalog.ranking.recommend -> table or JSON (+ --save).

Thin adapter over the same pure function the TUI calls. Hardware defaults come from a fast probe (psutil and
nvidia-smi, never torch). Bad values raise click.BadParameter, which the group prints as one line, exit 2.
"""

from __future__ import annotations

import json
from typing import Any

import click

from catalog.filters import language_name
from catalog.models import ModelSpec
from catalog.ranking import Recommendation
from catalog.requirements import DOMAINS, Requirements

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
PRIORITIES = {
    "balanced": (0.7, 0.15, 0.15),
    "quality": (0.8, 0.1, 0.1),
    "speed": (0.4, 0.5, 0.1),
    "cost": (0.4, 0.1, 0.5),
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


def resolve_hardware(
    kind: str, ram_gb: float | None, vram_gb: float | None
) -> tuple[str | None, float | None, float | None, str]:
    """(gpu, ram_gb, vram_gb, description): explicit flags win; the rest comes from a torch-free probe."""
    from evaluators.hardware import detect_hardware

    probe = kind in ("auto", "cuda") and not (kind == "cuda" and vram_gb is not None)
    hw = detect_hardware(probe_gpu=probe, allow_torch=False)
    ram = ram_gb if ram_gb is not None else hw.ram_gb
    if kind == "cpu":
        gpu, vram = None, None
    elif kind == "auto":
        gpu = hw.gpu or ("cuda" if vram_gb is not None else None)
        vram = vram_gb if vram_gb is not None else hw.vram_gb
    else:
        gpu = kind
        vram = vram_gb if vram_gb is not None else (hw.vram_gb if hw.gpu == kind else None)
        if kind == "cuda" and vram is None:
            raise click.BadParameter(
                "no CUDA GPU found by nvidia-smi: give its memory with --vram-gb",
                param_hint="'--hardware cuda'",
            )
    def gb(value: float | None) -> str:
        return "?" if value is None else f"{round(value, 1):g}"

    where = "CPU" if gpu is None else f"{gpu.upper()} {gb(vram)} GB"
    return gpu, ram, vram, f"{where}, {gb(ram)} GB RAM"


def build_requirements(opts: dict[str, Any]) -> tuple[Requirements, str]:
    open_only, max_price = parse_budget(opts["budget"])
    gpu, ram, vram, hw_desc = resolve_hardware(opts["hardware"], opts["ram_gb"], opts["vram_gb"])
    q, s, c = parse_priority(opts["priority"])
    try:
        req = Requirements(
            languages=parse_languages(opts["language"]),
            domain=opts["domain"],
            doc_tokens=opts["doc_tokens"],
            will_chunk=opts["chunk"],
            corpus_docs=opts["corpus_docs"],
            queries_per_month=opts["queries_per_month"],
            open_only=open_only,
            max_usd_per_1m=max_price,
            monthly_cap_usd=opts["monthly_cap"],
            ram_gb=ram,
            gpu=gpu,
            vram_gb=vram,
            api_allowed=not opts["no_api"],
            commercial_use=opts["commercial"],
            open_weights_required=opts["open_weights"],
            quality_weight=q,
            speed_weight=s,
            cost_weight=c,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    return req, hw_desc


def effective_catalog() -> tuple[tuple[ModelSpec, ...], str]:
    """The shipped catalog plus the `catalog refresh` overlay when one validates, and its version string."""
    from storage.catalog_overlay import catalog_with_overlay, effective_catalog_version

    return catalog_with_overlay(), effective_catalog_version()


def render_recommendation(
    rec: Recommendation, *, top: int, hardware: str, all_excluded: bool = False
) -> None:
    """Rich table of the top candidates with their reasons, then the excluded models and why."""
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False)
    req = rec.requirements
    budget = (
        "open weights only"
        if req.open_only
        else (f"max ${req.max_usd_per_1m:g}/1M tokens" if req.max_usd_per_1m is not None else "any")
    )
    langs = ", ".join(language_name(x) for x in req.languages)
    console.print(
        f"[bold]Profile[/]: {langs} · {req.domain} · {req.doc_tokens:,}-token docs "
        f"({'chunked' if req.will_chunk else 'not chunked'}) · {hardware} · budget {budget}"
    )
    table = Table(
        title=f"Top {min(top, len(rec.candidates))} of {len(rec.candidates)} eligible models", show_lines=True
    )
    table.add_column("#", justify="right")
    table.add_column("Model", overflow="fold", max_width=42)
    table.add_column("Score", justify="right")
    table.add_column("Why", overflow="fold")
    for i, cand in enumerate(rec.top(top), start=1):
        table.add_row(str(i), cand.spec.id, f"{cand.score:.1f}", "\n".join(f"• {r}" for r in cand.reasons))
    console.print(table)
    if rec.excluded:
        console.print(_excluded_table(rec, all_excluded))
    for line in rec.assumptions:
        console.print(f"[dim]· {line}[/]")


def _excluded_table(rec: Recommendation, all_excluded: bool) -> Any:
    from rich.table import Table

    near_misses = sorted(rec.excluded, key=lambda e: len(e.reasons))  # stable: catalog order within ties
    shown = near_misses if all_excluded else near_misses[:8]
    more = "" if len(shown) == len(rec.excluded) else f" (first {len(shown)}; --all-excluded for all)"
    table = Table(title=f"Excluded: {len(rec.excluded)} models{more}")
    table.add_column("Model", overflow="fold", max_width=42)
    table.add_column("Failed constraint(s)", overflow="fold")
    for item in shown:
        table.add_row(item.spec.id, "; ".join(item.reasons))
    return table


def _save(rec_dict: dict[str, Any], req: Requirements, title: str | None) -> int:
    from storage.store import StorageError, attach_recommendation, create_decision, open_db

    default = f"recommend: {'+'.join(req.languages)} {req.domain}, {req.doc_tokens:,}-token docs"
    try:
        db = open_db()
        decision_id = create_decision(db, title=title or default, requirements=req.to_dict())
        attach_recommendation(db, decision_id, rec_dict)
    except StorageError as exc:
        raise click.ClickException(f"could not save to the journal: {exc}") from None
    return decision_id


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
    help="Share of the corpus re-embedded each month (new or changed documents), for the sizing table.",
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
def recommend(**opts: Any) -> None:
    """Rank the catalog's embedding models for your documents, hardware and budget, and explain why."""
    from catalog.ranking import recommend as run_recommend

    if opts["title"] is not None and not opts["save"]:
        raise click.UsageError("--title only makes sense with --save")
    req, hw_desc = build_requirements(opts)
    models, version = effective_catalog()
    rec = run_recommend(req, models, catalog_version=version)
    rec_dict = rec.to_dict(top=opts["top"])
    rec_dict["hardware"] = hw_desc
    from tui.commands.sizing_view import render_sizing, sizing_section

    sizes, sizing = sizing_section([c.spec for c in rec.top(opts["top"])], req, opts["monthly_updates"])
    rec_dict.update(sizing)
    decision_id = _save(rec_dict, req, opts["title"]) if opts["save"] else None
    if opts["as_json"]:
        if decision_id is not None:
            rec_dict["decision_id"] = decision_id
        click.echo(json.dumps(rec_dict, indent=2, ensure_ascii=False))
        return
    render_recommendation(rec, top=opts["top"], hardware=hw_desc, all_excluded=opts["all_excluded"])
    render_sizing(sizes, sizing["sizing_assumptions"])
    if decision_id is not None:
        click.echo(f"Saved as decision #{decision_id} (see: embedscout show {decision_id})")
