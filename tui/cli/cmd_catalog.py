"""`embedscout catalog list|show`: browse the curated catalog with every number's source.

Reads through `catalog.load` and filters with `catalog.filters.apply` (the same code the TUI uses);
this module only formats. Unknown values print as '-' (never guessed).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from typing import Any

import click

from catalog.models import Benchmark, ModelSpec

LIST_BENCHMARKS = (Benchmark.MTEB_ENG_V2, Benchmark.CMTEB_V1, Benchmark.MMTEB_MULTILINGUAL_V2)


def _fmt(value: Any) -> str:
    if value is None or value == () or value == []:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _size(m: ModelSpec) -> str:
    if m.is_api:
        return f"${m.price_usd_per_1m:g}/1M" if m.price_usd_per_1m is not None else "API, price ?"
    return f"{m.n_parameters / 1e6:,.0f}M" if m.n_parameters else "-"


def _context(m: ModelSpec) -> str:
    return "unbounded" if m.unbounded_context else _fmt(m.max_tokens)


def _retrieval(m: ModelSpec, bench: Benchmark) -> str:
    s = m.score(bench)
    return f"{s.retrieval_mean:.1f}" if s and s.retrieval_mean is not None else "-"


def _languages(m: ModelSpec) -> str:
    if len(m.languages) > 3:
        return f"{len(m.languages)}"
    return ", ".join(m.languages) or ("multilingual" if m.multilingual else "?")


class _CatalogGroup(click.Group):
    """`refresh` lives in its own module (it needs httpx and the overlay store): loaded only when named."""

    LAZY = {"refresh": ("tui.cli.cmd_catalog_refresh", "refresh")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = {n for n, (mod, _) in self.LAZY.items() if importlib.util.find_spec(mod) is not None}
        return sorted(set(super().list_commands(ctx)) | lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in self.LAZY:
            return found
        module, attr = self.LAZY[cmd_name]
        if importlib.util.find_spec(module) is None:
            return None
        command = getattr(importlib.import_module(module), attr)
        return command if isinstance(command, click.Command) else None


@click.group("catalog", cls=_CatalogGroup)
def catalog() -> None:
    """Browse the curated embedding-model catalog (facts, benchmark scores, sources)."""


@catalog.command("list")
@click.option(
    "--filter", "-f", "text", default="", help="Substring of id, provider, licence, domain, language."
)
@click.option("--open", "open_only", is_flag=True, help="Open-weights models only.")
@click.option("--api", "api_only", is_flag=True, help="API models only.")
@click.option("--language", default=None, metavar="CODE", help="Models listing this language (e.g. zh).")
@click.option("--domain", default=None, help="Models tagged with this domain (legal, medical, code, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print the full entries as JSON.")
def list_models(
    text: str, open_only: bool, api_only: bool, language: str | None, domain: str | None, as_json: bool
) -> None:
    """List catalog models; retrieval means are MTEB(eng, v2), C-MTEB and MTEB(Multilingual, v2)."""
    from catalog.filters import Filters, apply
    from tui.cli import services

    if open_only and api_only:
        raise click.UsageError("--open and --api exclude each other")
    filters = Filters(
        text=text,
        open_only=open_only,
        api_only=api_only,
        language=language.casefold() if language else None,
        domain=domain.casefold() if domain else None,
    )
    snapshot = services(click.get_current_context()).catalog()
    all_models, version = snapshot.models, snapshot.version
    models = apply(filters, all_models)
    if as_json:
        click.echo(
            json.dumps(
                {"catalog_version": version, "models": [m.to_dict() for m in models]},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    _print_list(models, version)


def _print_list(models: list[ModelSpec], version: str) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{len(models)} models (catalog {version})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("id", overflow="fold", min_width=20)
    for col in ("kind", "ctx", "dims", "size", "langs", "eng R", "zh R", "mul R"):
        table.add_column(col, justify="left" if col in ("kind", "langs") else "right", no_wrap=True)
    for m in models:
        kind = "open" if m.open_weights else "API"
        if not m.sentence_embedder:
            kind += "*enc"
        if m.multimodal:
            kind += "+img"
        table.add_row(
            m.id,
            kind,
            _context(m),
            _fmt(m.dims),
            _size(m),
            _languages(m),
            *(_retrieval(m, b) for b in LIST_BENCHMARKS),
        )
    console = Console()
    console.print(table)
    console.print(
        "[dim]R = retrieval mean (%); *enc = domain encoder, not a sentence embedder; +img = multimodal; "
        "langs = ISO codes or a count. Details: embedscout catalog show ID[/]"
    )


_SOURCED_ROWS = {
    "modalities": "modalities",
    "context window": "max_tokens",
    "dimensions": "dims",
    "Matryoshka dims": "matryoshka_dims",
    "parameters": "n_parameters",
    "memory (fp32, mteb)": "memory_mb",
    "languages": "languages",
    "multilingual": "multilingual",
    "licence": "license",
    "commercial use": "commercial_use",
    "release date": "release_date",
}
"""Detail row -> ModelSpec field whose recorded source (`fact_sources`) is printed under the value."""


def _with_sources(m: ModelSpec, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for label, value in rows:
        field = _SOURCED_ROWS.get(label)
        source = m.fact_source(field) if field else None
        if field == "max_tokens" and source is None and m.unbounded_context:
            source = m.fact_source("unbounded_context")
        out.append((label, f"{value}\nsource: {source}" if source else value))
    return out


def _detail_rows(m: ModelSpec) -> list[tuple[str, str]]:
    rows = [
        ("name", m.name),
        ("provider", m.provider),
        ("open weights", _fmt(m.open_weights)),
        ("Hugging Face id", _fmt(m.hf_id)),
        ("API", f"{m.api_provider}:{m.api_model_name}" if m.is_api else "-"),
        ("modalities", _fmt(m.modalities) + (" (multimodal)" if m.multimodal else "")),
        ("sentence embedder", _fmt(m.sentence_embedder)),
        ("context window", _context(m)),
        ("tokenizer", _fmt(m.tokenizer)),
        ("tiktoken encoding", _fmt(m.tiktoken_encoding)),
        ("vocab size", _fmt(m.vocab_size)),
        ("dimensions", _fmt(m.dims)),
        ("Matryoshka dims", _fmt(m.matryoshka_dims)),
        ("parameters", _fmt(m.n_parameters)),
        ("memory (fp32, mteb)", f"{m.memory_mb:,.0f} MB" if m.memory_mb else "-"),
        ("price", f"${m.price_usd_per_1m:g} per 1M tokens" if m.price_usd_per_1m is not None else "-"),
        ("price source", _fmt(m.price_source)),
        ("languages", _fmt(m.languages)),
        ("multilingual", _fmt(m.multilingual)),
        ("licence", _fmt(m.license)),
        ("commercial use", _fmt(m.commercial_use)),
        ("release date", _fmt(m.release_date)),
        ("domains", _fmt(m.domains)),
        ("training data", _fmt(m.training_data)),
        ("query prompt", repr(m.query_prompt) if m.query_prompt is not None else "-"),
        ("passage prompt", repr(m.passage_prompt) if m.passage_prompt is not None else "-"),
        ("normalise", _fmt(m.normalize)),
        ("pooling", _fmt(m.pooling)),
    ]
    rows = _with_sources(m, rows)
    for bench, s in m.scores.items():
        mean = f"{s.mean:.2f}" if s.mean is not None else "- (" + (s.mean_note or "incomplete") + ")"
        retrieval = f"{s.retrieval_mean:.2f}" if s.retrieval_mean is not None else "-"
        cover = f"{s.tasks_with_results}/{s.tasks_total} tasks" if s.tasks_total else ""
        warn = f"\nIMPLAUSIBLE: {s.implausible}" if s.implausible else ""
        text = f"mean {mean}; retrieval mean {retrieval}; {cover}{warn}\nsource: {s.source}"
        rows.append((bench.label, text))
    rows += [("notes", "\n".join(m.notes) or "-"), ("sources", "\n".join(m.sources) or "-")]
    from evaluators.variants import extra_outputs_note

    if note := extra_outputs_note(m.id):
        rows.append(("trial variants", note))
    return rows


@catalog.command("show")
@click.argument("model_ref", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
def show(model_ref: str, as_json: bool) -> None:
    """Every field of one model (id, HF id, API name or short name), with the source of each number."""
    from catalog.load import find_model
    from tui.cli import services

    m = find_model(model_ref, services(click.get_current_context()).catalog().models)
    if m is None:
        raise click.BadParameter(
            f"no catalog model {model_ref!r} (try: embedscout catalog list --filter "
            f"{model_ref.split('/')[-1]})",
            param_hint="'ID'",
        )
    if as_json:
        click.echo(json.dumps(m.to_dict(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=m.id, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in _detail_rows(m):
        table.add_row(key, value)
    Console().print(table)


catalog.add_command(__import__("tui.cli.cmd_catalog_refresh", fromlist=["refresh"]).refresh)  # httpx: at run
