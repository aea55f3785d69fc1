"""`embedscout trial`: run candidate models on the user's documents and print what each achieved.

A thin adapter over `evaluators.runner.run_trial` (the same function the TUI calls): progress bars on stderr,
a results table or JSON on stdout, Ctrl-C stops after the current batch and keeps finished models, and
`--save` files the trial in the journal. Nothing heavy is imported until the trial starts.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import click

from tui.commands.trial_save import TrialSaver
from tui.commands.trial_view import dropped_text, render, to_json


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
    "--chunk-tokens",
    "chunk_text",
    default="256",
    show_default=True,
    metavar="N[,N...]",
    help="Chunk size in tokens of each model's own tokenizer (0: whole documents). Several sizes, e.g. "
    "128,256,512, run every model at each size (a sweep).",
)
@click.option(
    "--chunk-overlap",
    type=click.IntRange(min=0),
    default=32,
    show_default=True,
    help="Tokens shared by consecutive chunks.",
)
@click.option(
    "--synthetic",
    default="auto",
    show_default=True,
    metavar="KIND[:N]",
    help="Without queries: auto, ict (a sentence cut from its chunk), keyphrase, or none (refuse).",
)
@click.option(
    "--backend",
    type=click.Choice(["auto", "torch", "onnx", "openvino"]),
    default="auto",
    show_default=True,
    help="Local inference engine (auto: ONNX on CPU when it verifies, else torch).",
)
@click.option(
    "--int8",
    is_flag=True,
    help="Also run each local model int8-quantised (ONNX), with its Recall@10 agreement with fp32.",
)
@click.option(
    "--checks",
    metavar="KINDS",
    help="Deeper checks per embedding model: all, or any of tokenizer,crosslingual,stability,neighbourhood.",
)
@click.option(
    "--max-usd",
    type=click.FloatRange(min=0),
    help="Refuse to start when API models' estimated cost (tiktoken counts x list price) exceeds this.",
)
@click.option(
    "--generate-queries",
    "n_generate",
    type=click.IntRange(min=1),
    metavar="N",
    help="Have an LLM (--llm) write N questions from sampled chunks instead of the dataset's queries.",
)
@click.option(
    "--llm",
    metavar="REF",
    help="Chat model for --generate-queries: openai:gpt-4o-mini, ollama:<m>, openai-compatible:<m>@<url>.",
)
@click.option(
    "--rerank",
    metavar="REF",
    help="Re-score each model's top results with a reranker: a CrossEncoder folder or HF id "
    "(e.g. cross-encoder/ms-marco-MiniLM-L6-v2, BAAI/bge-reranker-v2-m3), or cohere:/voyage:/jina:<model>.",
)
@click.option(
    "--rerank-depth",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="With --rerank: how many of each query's top chunks the reranker re-scores.",
)
@click.option(
    "--tradeoffs",
    "show_tradeoffs",
    is_flag=True,
    help="Print each model's size/quality table (dimensions x fp16/int8/binary); always in --json.",
)
@click.option(
    "--corpus-docs",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --tradeoffs: size the index for N documents (chunked as in this trial).",
)
@click.option("--demo", is_flag=True, help="Use the bundled demo corpus (SQuAD 2.0 sample, CC BY-SA 4.0).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the embeddings cache.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--save", is_flag=True, help="Record the trial in the decision journal.")
@click.option("--decision", type=int, help="With --save: file under this decision (default: a new one).")
@click.option("--title", help="With --save: title of the new decision.")
@click.pass_context
def trial(
    ctx: click.Context,
    corpus: str | None,
    queries: str | None,
    qrels: str | None,
    models: tuple[str, ...],
    sample: int | None,
    seed: int,
    chunk_text: str,
    chunk_overlap: int,
    synthetic: str,
    backend: str,
    int8: bool,
    checks: str | None,
    max_usd: float | None,
    n_generate: int | None,
    llm: str | None,
    rerank: str | None,
    rerank_depth: int,
    show_tradeoffs: bool,
    corpus_docs: int | None,
    demo: bool,
    no_cache: bool,
    as_json: bool,
    save: bool,
    decision: int | None,
    title: str | None,
) -> None:
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
    _check_usage(demo, corpus, decision, title, save, n_generate, llm, int8, backend)
    if rerank_depth != 50 and not rerank:
        raise click.UsageError("--rerank-depth only applies with --rerank REF")
    if corpus_docs and not show_tradeoffs:
        raise click.UsageError("--corpus-docs only applies with --tradeoffs")
    from evaluators.api.budget import SpendCapExceeded, check_cap
    from evaluators.types import TrialInputError
    from evaluators.urls import refuse_credentials

    try:
        refuse_credentials([*models, llm])
        check_cap(max_usd)
    except (TrialInputError, SpendCapExceeded) as exc:
        raise click.UsageError(str(exc)) from None
    saver = TrialSaver(decision, title) if save else None  # journal problems show before any work
    cap_usd = max_usd
    try:
        sizes = _chunk_sizes(chunk_text)
        chunk_tokens = sizes[0]
        kinds = _check_kinds(checks)
        dataset = _load_dataset(
            corpus,
            queries,
            qrels,
            demo=demo,
            sample=sample,
            seed=seed,
            chunk_tokens=chunk_tokens,
            chunk_overlap=chunk_overlap if chunk_tokens else 0,
            synthetic=synthetic,
            store=None if no_cache else _cache_dir(),
        )
        if n_generate:
            assert llm is not None
            dataset, llm_usd = _generate(dataset, n_generate, llm, seed, max_usd)
            if max_usd is not None:  # the LLM's bound is reserved: the embeddings get what is left
                max_usd = max(0.0, max_usd - llm_usd)
    except TrialInputError as exc:
        raise click.ClickException(str(exc)) from None
    refs = list(models) or _default_models()
    settings = {
        "models": refs,
        "backend": backend,
        "sample": sample,
        "seed": seed,
        "chunk_tokens": sizes if len(sizes) > 1 else chunk_tokens,
        "chunk_overlap": chunk_overlap if any(sizes) else 0,
        "synthetic": synthetic,
        "demo": demo,
        "cache": not no_cache,
        "checks": kinds,
        "int8": int8,
        "max_usd": cap_usd,
        "rerank": {"ref": _public_ref(rerank), "depth": rerank_depth} if rerank else None,
        "generate_queries": {"n": n_generate, "llm": _public_ref(llm)} if n_generate else None,
    }
    if saver is not None:
        saver.begin(dataset, settings)
    options: dict[str, Any] = {"backend": backend, "checks": kinds, "int8": int8, "max_usd": max_usd}
    if len(sizes) > 1:
        options["chunk_sizes"] = sizes
    if rerank:
        options.update(rerank=rerank, rerank_depth=rerank_depth)
    result, interrupted = _run_with_progress(
        dataset, refs, use_cache=not no_cache, on_model_done=saver.add if saver else None, **options
    )
    if saver is not None:
        saver.finish(result)
    if as_json:
        click.echo(json.dumps(to_json(result), indent=2, ensure_ascii=False, default=str))
    else:
        render(result, tradeoffs=show_tradeoffs, corpus_docs=corpus_docs)
    if interrupted:
        ctx.exit(130)
    if result.results and not any(r.status == "ok" for r in result.results):
        ctx.exit(1)


def _check_usage(
    demo: bool,
    corpus: str | None,
    decision: int | None,
    title: str | None,
    save: bool,
    n_generate: int | None,
    llm: str | None,
    int8: bool,
    backend: str,
) -> None:
    if not demo and not corpus:
        raise click.UsageError("give --corpus PATH (or --demo for the bundled sample)")
    if (decision is not None or title) and not save:
        raise click.UsageError("--decision and --title only apply with --save")
    if n_generate and not llm:
        raise click.UsageError(
            "--generate-queries needs --llm REF (e.g. openai:gpt-4o-mini, ollama:llama3.1)"
        )
    if llm and not n_generate:
        raise click.UsageError("--llm only applies with --generate-queries N")
    if int8 and backend not in ("auto", "onnx"):
        raise click.UsageError(f"--int8 runs on the onnx backend, not --backend {backend}")


def _chunk_sizes(text: str) -> list[int]:
    from evaluators.ingest.model_chunking import parse_chunk_sizes
    from evaluators.types import TrialInputError

    try:
        return parse_chunk_sizes(text)
    except TrialInputError as exc:
        raise TrialInputError(f"--chunk-tokens: {exc}") from None


def _check_kinds(checks: str | None) -> list[str]:
    from evaluators.optins import check_kinds
    from evaluators.types import TrialInputError

    try:
        return check_kinds(checks or ())
    except TrialInputError as exc:
        raise TrialInputError(f"--checks: {exc}") from None


def _public_ref(ref: str | None) -> str | None:  # an openai-compatible server's URL may embed credentials
    return None if ref is None else ref.split("@", 1)[0]


def _generate(dataset: Any, n: int, llm: str, seed: int, max_usd: float | None) -> tuple[Any, float]:
    """LLM-written queries (cached by dataset fingerprint, model, N and seed) and the USD bound reserved
    for them under --max-usd (0 when cached or free); errors as one line."""
    from evaluators.api.http import ApiError
    from evaluators.api.llm_queries import cache_file, generate_queries
    from storage.paths import cache_dir

    reserved = 0.0
    if max_usd is not None and not cache_file(dataset, llm, n, seed, cache_dir()).is_file():
        reserved = _llm_budget(dataset, n, llm, seed, max_usd)
    click.echo(f"Writing {n} questions with {_public_ref(llm)} ...", err=True)
    try:
        out = generate_queries(dataset, n, llm, cache_dir=cache_dir(), seed=seed)
    except ApiError as exc:  # MissingApiKey, offline, HTTP failures: nothing is cached on failure
        raise click.ClickException(f"--generate-queries: {exc}") from None
    info = out.info.get("llm_queries", {})
    click.echo(
        f"{info.get('generated', len(out.queries))} LLM-generated questions kept"
        + dropped_text(info.get("dropped") or {})
        + (" (from cache)" if info.get("cache_hit") else ""),
        err=True,
    )
    return out, reserved


def _llm_budget(dataset: Any, n: int, llm: str, seed: int, max_usd: float) -> float:
    """The LLM's worst-case cost, checked against --max-usd before any chat request."""
    from evaluators.api.llm_queries import cost_bound

    bound = cost_bound(dataset, n, llm, seed=seed)
    name = _public_ref(llm)
    if bound["usd"] is None:
        raise click.ClickException(f"cannot check --max-usd {max_usd:g}: no price known for {name}")
    text = (
        f"{name}: at most {bound['calls']} calls, {bound['tokens_in']:,} tokens in + "
        f"{bound['tokens_out']:,} out ({bound['method']}), ~${bound['usd']:.4f}"
    )
    if bound["usd"] > max_usd:
        raise click.ClickException(f"{text} exceeds --max-usd {max_usd:g}; nothing was sent")
    click.echo(f"LLM budget: {text}, reserved from --max-usd {max_usd:g}.", err=True)
    return float(bound["usd"])


def _load_dataset(
    corpus: str | None,
    queries: str | None,
    qrels: str | None,
    *,
    demo: bool,
    sample: int | None,
    seed: int,
    chunk_tokens: int,
    chunk_overlap: int,
    synthetic: str,
    store: Path | None = None,
) -> Any:
    """The dataset, from the dataset cache when its files and options are unchanged (`store`: cache dir)."""
    from evaluators.dataset_cache import cached_dataset

    kwargs: dict[str, Any] = {
        "chunk_tokens": chunk_tokens or None,
        "chunk_overlap": chunk_overlap,
        "sample": sample,
        "seed": seed,
        "synthetic": None if synthetic.lower() == "none" else synthetic,
    }
    if demo:
        import evaluators

        demo_dir = Path(evaluators.__path__[0]) / "data" / "demo"  # package data, unzipped (wheel install)
        return cached_dataset("demo", kwargs, [demo_dir], store, lambda: _datasets().load_demo(**kwargs))
    assert corpus is not None
    sources = [p for p in (corpus, queries, qrels) if p]
    return cached_dataset(
        "files", {**kwargs, "paths": sources}, sources, store,
        lambda: _datasets().load_dataset(corpus, queries, qrels, **kwargs),
    )


def _datasets() -> Any:
    from evaluators import datasets  # the ingest code loads only when the dataset is not cached

    return datasets


def _cache_dir() -> Path:
    from storage.paths import cache_dir

    return cache_dir()


def _default_models() -> list[str]:
    from evaluators.models import packaged_minilm_path

    refs = ["bm25"] + (["minilm"] if packaged_minilm_path() else [])
    click.echo(f"No --model given: comparing {', '.join(refs)}.", err=True)
    return refs


def _run_with_progress(
    dataset: Any,
    refs: list[str],
    *,
    use_cache: bool,
    on_model_done: Any = None,
    **options: Any,
) -> tuple[Any, bool]:
    """Run the trial in a worker thread so Ctrl-C in the main thread can ask it to stop between batches."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evaluators.runner import run_trial
    from storage.paths import cache_dir

    stop, finished = threading.Event(), threading.Event()
    box: dict[str, Any] = {}
    console = Console(stderr=True)
    etas = _print_estimates(console, dataset, refs, cache_dir() if use_cache else None, options["backend"])
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[str, Any] = {}

        def on_progress(model: str, done: int, total: int) -> None:
            if model not in tasks:
                tasks[model] = progress.add_task(model, total=total)
            progress.update(tasks[model], completed=done, total=total, description=model)

        def on_phase(event: Any) -> None:  # one-time costs are named while they run
            if event.phase in ("download", "export", "verify"):
                if event.model not in tasks:
                    tasks[event.model] = progress.add_task(event.model, total=None)
                progress.update(tasks[event.model], description=f"{event.model}: {event.text}")

        def work() -> None:
            try:
                box["result"] = run_trial(
                    dataset,
                    refs,
                    cache_dir=cache_dir() if use_cache else None,
                    on_progress=on_progress,
                    on_model_done=on_model_done,
                    should_stop=stop.is_set,
                    on_phase=on_phase,
                    etas=etas,
                    **options,
                )
            except BaseException as exc:  # re-raised in the main thread
                box["error"] = exc
            finally:
                finished.set()

        worker = threading.Thread(target=work, name="embedscout-trial", daemon=True)
        worker.start()
        interrupted = _wait(finished, stop, console)
    if "error" in box:
        from evaluators.types import TrialInputError

        err = box["error"]
        raise click.ClickException(str(err) if isinstance(err, TrialInputError) else f"trial failed: {err}")
    return box["result"], interrupted


def _print_estimates(console: Any, dataset: Any, refs: list[str], cache: Any, backend: str) -> Any:
    """Each model's expected time and memory on stderr before anything runs (None if it cannot be made)."""
    from evaluators.estimate import estimate_trial

    try:
        etas = estimate_trial(dataset, refs, cache_dir=cache, backend=backend)
    except Exception as exc:  # an estimate is a courtesy: the trial still runs
        console.print(f"No estimate: {type(exc).__name__}: {exc}")
        return None
    for est in etas:
        console.print(f"Estimate {est.model} ({est.path or 'n/a'}): {est.text()}", highlight=False,
                      soft_wrap=True)
    return etas


def _wait(finished: threading.Event, stop: threading.Event, console: Any) -> bool:
    """Wait for the worker; the first Ctrl-C asks it to stop after the current batch, a second one aborts.

    Waits on an Event, not Thread.join: a KeyboardInterrupt inside join() can leave the thread looking dead
    (is_alive() False) while it still runs, and the process would then exit under a running torch thread.
    """
    try:
        while not finished.wait(0.2):
            pass
        return False
    except KeyboardInterrupt:
        stop.set()
        console.print("[yellow]Stopping after the current batch (Ctrl-C again to abort)...[/]")
    try:
        while not finished.wait(0.2):
            pass
    except KeyboardInterrupt:
        # Exit at once: interpreter shutdown under a thread still inside torch aborts with a C++ error.
        console.print("embedscout: interrupted")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    return True
