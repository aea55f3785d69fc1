"""`embedscout trial`: flags -> `TrialPlan` -> `tui.workflow.execute` -> a results table or JSON.

Progress bars go to stderr, Ctrl-C stops after the current batch and keeps finished models (see
`tui.cli.console_run`), and `--save` files the trial in the journal as it runs. Nothing heavy is imported
until the trial starts.
"""

from __future__ import annotations

import json
from typing import Any

import click

from tui.cli import services
from tui.workflow.errors import UserError
from tui.workflow.plan import (
    BACKENDS,
    SYNTHETIC_KINDS,
    Chunking,
    Queries,
    Sample,
    Source,
    TrialPlan,
    expand_checks,
)


@click.command("trial")
@click.option(
    "--corpus", type=click.Path(exists=True), help="Folder/file of documents, a BEIR folder, or SQuAD JSON."
)
@click.option(
    "--queries",
    type=click.Path(exists=True, dir_okay=False),
    help="JSONL/CSV of questions with a relevant doc id or an answer text.",
)
@click.option("--qrels", type=click.Path(exists=True, dir_okay=False), help="BEIR/TREC qrels file.")
@click.option(
    "--model",
    "-m",
    "models",
    multiple=True,
    metavar="M",
    help="bm25, hybrid:<dense>+bm25, minilm, a catalog/HF id, a local folder, or provider:model. Repeat.",
)
@click.option(
    "--sample", type=click.IntRange(min=1), help="Keep N documents (every relevant one of kept queries)."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for sampling and synthetic queries."
)
@click.option(
    "--chunk-tokens", "chunk_text", default="256", show_default=True, metavar="N[,N...]",
    help="Chunk size in tokens of each model's own tokenizer (0: whole documents). Several sizes, e.g. "
    "128,256,512, run every model at each size (a sweep).",
)  # fmt: skip
@click.option(
    "--chunk-overlap", type=click.IntRange(min=0), default=32, show_default=True,
    help="Tokens shared by consecutive chunks.",
)  # fmt: skip
@click.option(
    "--synthetic", default="auto", show_default=True, metavar="KIND[:N]",
    help=f"Without queries: {', '.join(SYNTHETIC_KINDS[:-1])} (a sentence cut from its chunk; keyphrase), "
    "or none (refuse).",
)  # fmt: skip
@click.option(
    "--backend", type=click.Choice(list(BACKENDS)), default="auto", show_default=True,
    help="Local inference engine (auto: ONNX on CPU when it verifies, else torch).",
)  # fmt: skip
@click.option(
    "--int8", is_flag=True,
    help="Also run each local model int8-quantised (ONNX), with its Recall@10 agreement with fp32.",
)  # fmt: skip
@click.option(
    "--checks", metavar="KINDS",
    help="Deeper checks per embedding model: all, or any of tokenizer,crosslingual,stability,neighbourhood.",
)  # fmt: skip
@click.option(
    "--max-usd", type=click.FloatRange(min=0),
    help="Refuse to start when the API spend could exceed this (LLM questions first, then embeddings).",
)  # fmt: skip
@click.option(
    "--generate-queries", "n_generate", type=click.IntRange(min=1), metavar="N",
    help="Have an LLM (--llm) write N questions from sampled chunks instead of the dataset's queries.",
)  # fmt: skip
@click.option(
    "--llm", metavar="REF",
    help="Chat model for --generate-queries: openai:gpt-4o-mini, ollama:<m>, openai-compatible:<m>@<url>.",
)  # fmt: skip
@click.option(
    "--rerank", metavar="REF",
    help="Re-score each model's top results with a reranker: a CrossEncoder folder or HF id "
    "(e.g. cross-encoder/ms-marco-MiniLM-L6-v2, BAAI/bge-reranker-v2-m3), or cohere:/voyage:/jina:<model>.",
)  # fmt: skip
@click.option(
    "--rerank-depth", type=click.IntRange(min=1), default=50, show_default=True,
    help="With --rerank: how many of each query's top chunks the reranker re-scores.",
)  # fmt: skip
@click.option(
    "--tradeoffs", "show_tradeoffs", is_flag=True,
    help="Print each model's size/quality table (dimensions x fp16/int8/binary); always in --json.",
)  # fmt: skip
@click.option(
    "--corpus-docs", type=click.IntRange(min=1), metavar="N",
    help="With --tradeoffs: size the index for N documents (chunked as in this trial).",
)  # fmt: skip
@click.option("--demo", is_flag=True, help="Use the bundled demo corpus (SQuAD 2.0 sample, CC BY-SA 4.0).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the embeddings cache.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--save", is_flag=True, help="Record the trial in the decision journal as it runs.")
@click.option("--decision", type=int, help="With --save: file under this decision (default: a new one).")
@click.option("--title", help="With --save: title of the new decision.")
@click.pass_context
def trial(ctx: click.Context, as_json: bool, save: bool, decision: int | None, title: str | None,
          show_tradeoffs: bool, corpus_docs: int | None, **flags: Any) -> None:  # fmt: skip
    """Compare models on your documents: nDCG@10, recall, MRR, hit@1 with 95% CIs, speed and memory.

    \b
    Examples:
      embedscout trial --demo
      embedscout trial --corpus docs/ -m bm25 -m intfloat/multilingual-e5-small --sample 300
      embedscout trial --corpus beir/scifact -m minilm -m hybrid:minilm+bm25 --checks all --save
      embedscout trial --corpus docs/ -m openai:text-embedding-3-small --max-usd 0.50 \\
          --generate-queries 50 --llm openai:gpt-4o-mini
      embedscout trial --demo -m minilm --chunk-tokens 128,256,512 \\
          --rerank cross-encoder/ms-marco-MiniLM-L6-v2
    """
    from tui.cli.console_run import run_in_console

    if (decision is not None or title) and not save:
        raise click.UsageError("--decision and --title only apply with --save")
    if corpus_docs and not show_tradeoffs:
        raise click.UsageError("--corpus-docs only applies with --tradeoffs")
    plan = plan_from_flags(**flags)
    plan.validate()
    if save:
        _check_journal()
    outcome = run_in_console(plan, services(ctx), save=save, decision=decision, title=title)
    if as_json:
        from tui.cli.trial_json import to_json

        click.echo(json.dumps(to_json(outcome.result), indent=2, ensure_ascii=False, default=str))
    else:
        from tui.cli.tables import render

        render(outcome.result, tradeoffs=show_tradeoffs, corpus_docs=corpus_docs)
    if outcome.saved_line:
        click.echo(outcome.saved_line, err=True)
    if outcome.interrupted:
        ctx.exit(130)
    if outcome.result.results and not any(r.status == "ok" for r in outcome.result.results):
        ctx.exit(1)


def plan_from_flags(
    *, corpus: str | None, queries: str | None, qrels: str | None, models: tuple[str, ...],
    sample: int | None, seed: int, chunk_text: str, chunk_overlap: int, synthetic: str, backend: str,
    int8: bool, checks: str | None, max_usd: float | None, n_generate: int | None, llm: str | None,
    rerank: str | None, rerank_depth: int, demo: bool, no_cache: bool,
) -> TrialPlan:  # fmt: skip
    """The plan the flags describe (flag-only mistakes are usage errors here; the rest is plan.validate)."""
    if not demo and not corpus:
        raise click.UsageError("give --corpus PATH (or --demo for the bundled sample)")
    if n_generate and not llm:
        raise click.UsageError(
            "--generate-queries needs --llm REF (e.g. openai:gpt-4o-mini, ollama:llama3.1)"
        )
    if llm and not n_generate:
        raise click.UsageError("--llm only applies with --generate-queries N")
    from evaluators.api.budget import SpendCapExceeded, check_cap

    try:
        check_cap(max_usd)  # nan/inf: named by its flag
    except SpendCapExceeded as exc:
        raise click.UsageError(str(exc)) from None
    if rerank_depth != 50 and not rerank:
        raise click.UsageError("--rerank-depth only applies with --rerank REF")
    try:
        chunking = Chunking.parse(chunk_text, chunk_overlap)
    except UserError as exc:
        raise click.BadParameter(str(exc), param_hint="'--chunk-tokens'") from None
    return TrialPlan(
        source=Source(None if demo else corpus, queries, qrels),
        models=models or _default_models(),
        chunking=chunking,
        sample=Sample(sample, seed),
        queries=Queries(synthetic, llm, n_generate),
        backend=backend,
        checks=_checks(checks),
        int8=int8,
        rerank=rerank,
        rerank_depth=rerank_depth,
        max_usd=max_usd,
        cache=not no_cache,
    )


def _check_journal() -> None:
    """`--save` with a journal that cannot be written is one line before any work, not a lost run."""
    from storage.db import StorageError, open_db

    try:
        open_db(writable=True).close()
    except StorageError as exc:
        raise click.ClickException(f"--save: {exc}") from None


def _checks(text: str | None) -> tuple[str, ...]:
    try:
        return expand_checks(text or "")
    except UserError as exc:
        raise click.BadParameter(str(exc), param_hint="'--checks'") from None


def _default_models() -> tuple[str, ...]:
    from evaluators.models import packaged_minilm_path

    refs = ("bm25", "minilm") if packaged_minilm_path() else ("bm25",)
    click.echo(f"No --model given: comparing {', '.join(refs)}.", err=True)
    return refs
