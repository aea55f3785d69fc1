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
from typing import Any

import click

SIG_LEVEL = 0.05
TABLE_METRICS = (
    ("ndcg@10", "nDCG@10"),
    ("recall@1", "R@1"),
    ("recall@10", "R@10"),
    ("mrr@10", "MRR@10"),
    ("hit@1", "hit@1"),
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
    "--chunk-tokens",
    type=click.IntRange(min=0),
    default=256,
    show_default=True,
    help="Chunk size in tokens (0: no chunking).",
)
@click.option(
    "--backend",
    type=click.Choice(["auto", "torch", "onnx", "openvino"]),
    default="auto",
    show_default=True,
    help="Local inference engine (auto: ONNX on CPU when it verifies, else torch).",
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
    chunk_tokens: int,
    backend: str,
    demo: bool,
    no_cache: bool,
    as_json: bool,
    save: bool,
    decision: int | None,
    title: str | None,
) -> None:
    """Compare models on your documents: nDCG@10, recall, MRR, hit@1 with 95% CIs, speed and memory."""
    if not demo and not corpus:
        raise click.UsageError("give --corpus PATH (or --demo for the bundled sample)")
    if (decision is not None or title) and not save:
        raise click.UsageError("--decision and --title only apply with --save")
    from evaluators.types import TrialInputError

    try:
        dataset = _load_dataset(
            corpus, queries, qrels, demo=demo, sample=sample, seed=seed, chunk_tokens=chunk_tokens
        )
    except TrialInputError as exc:
        raise click.ClickException(str(exc)) from None
    refs = list(models) or _default_models()
    settings = {
        "models": refs,
        "backend": backend,
        "sample": sample,
        "seed": seed,
        "chunk_tokens": chunk_tokens,
        "demo": demo,
        "cache": not no_cache,
    }
    saver = _Saver(decision, title) if save else None
    if saver is not None:
        saver.begin(dataset, settings)
    result, interrupted = _run_with_progress(dataset, refs, backend=backend, use_cache=not no_cache)
    if saver is not None:
        saver.finish(result)
    if as_json:
        click.echo(json.dumps(to_json(result), indent=2, ensure_ascii=False, default=str))
    else:
        render(result)
    if interrupted:
        ctx.exit(130)
    if result.results and not any(r.status == "ok" for r in result.results):
        ctx.exit(1)


def _load_dataset(
    corpus: str | None,
    queries: str | None,
    qrels: str | None,
    *,
    demo: bool,
    sample: int | None,
    seed: int,
    chunk_tokens: int,
) -> Any:
    from evaluators import datasets

    kwargs = {"chunk_tokens": chunk_tokens or None, "sample": sample, "seed": seed}
    if demo:
        return datasets.load_demo(**kwargs)
    assert corpus is not None
    return datasets.load_dataset(corpus, queries, qrels, **kwargs)


def _default_models() -> list[str]:
    from evaluators.models import packaged_minilm_path

    refs = ["bm25"] + (["minilm"] if packaged_minilm_path() else [])
    click.echo(f"No --model given: comparing {', '.join(refs)}.", err=True)
    return refs


def _run_with_progress(dataset: Any, refs: list[str], *, backend: str, use_cache: bool) -> tuple[Any, bool]:
    """Run the trial in a worker thread so Ctrl-C in the main thread can ask it to stop between batches."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evaluators.runner import run_trial
    from storage.paths import cache_dir

    stop, finished = threading.Event(), threading.Event()
    box: dict[str, Any] = {}
    console = Console(stderr=True)
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
            progress.update(tasks[model], completed=done, total=total)

        def work() -> None:
            try:
                box["result"] = run_trial(
                    dataset,
                    refs,
                    cache_dir=cache_dir() if use_cache else None,
                    backend=backend,
                    on_progress=on_progress,
                    should_stop=stop.is_set,
                )
            except BaseException as exc:  # re-raised in the main thread
                box["error"] = exc
            finally:
                finished.set()

        worker = threading.Thread(target=work, name="embedscout-trial", daemon=True)
        worker.start()
        interrupted = _wait(finished, stop, console)
    if "error" in box:
        raise click.ClickException(f"trial failed: {box['error']}")
    return box["result"], interrupted


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


class _Saver:
    """--save: the trial record exists (status incomplete) before models run; rows land when they finish."""

    def __init__(self, decision: int | None, title: str | None) -> None:
        from storage.store import create_decision, open_db

        self.db = open_db()
        self.decision = decision
        self._create, self._title = create_decision, title
        self.trial_id: int | None = None

    def begin(self, dataset: Any, settings: dict[str, Any]) -> None:
        from evaluators.hardware import environment
        from evaluators.runner import describe_dataset
        from storage.store import StorageError, begin_trial

        try:
            if self.decision is None:
                self.decision = self._create(
                    self.db, title=self._title or f"Trial on {dataset.name}", requirements={}
                )
            info = describe_dataset(dataset, len(dataset.queries))
            self.trial_id = begin_trial(
                self.db, self.decision, dataset=info, settings=settings, environment=environment()
            )
        except StorageError as exc:
            raise click.ClickException(str(exc)) from None

    def finish(self, result: Any) -> None:
        from storage.store import StorageError, add_trial_result, finish_trial

        assert self.trial_id is not None
        try:
            for row in result.results:
                if row.status != "cancelled":
                    add_trial_result(self.db, self.trial_id, row)
            finish_trial(self.db, self.trial_id, complete=result.complete)
        except StorageError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Saved trial #{self.trial_id} under decision #{self.decision}.", err=True)


def to_json(result: Any) -> dict[str, Any]:
    """TrialResult.to_dict() with each row's metrics and perf also flattened to top-level keys."""
    data: dict[str, Any] = result.to_dict()
    rows = []
    for row in data["results"]:
        flat = {"model": row["model"], "status": row["status"], "error": row["error"]}
        flat.update(row.get("metrics", {}))
        flat.update(row.get("perf", {}))
        rows.append({**flat, **row})
    data["results"] = rows
    return data


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _cell(row: Any, key: str, best: bool) -> str:
    value = row.metrics.get(key)
    if value is None:
        return "-"
    text = _fmt(value)
    if key == "ndcg@10":
        lo, hi = row.ci95.get(key, (value, value))
        text += f" [{lo:.3f}-{hi:.3f}]"
    p = row.p_vs_best.get(key)
    if best:
        text += " ^"
    elif p is not None:
        text += " *" if p < SIG_LEVEL else " ~"
    return text


def _notes(row: Any) -> str:
    """One line per model under the table: how it ran, or why it failed."""
    if row.status != "ok":
        return f"{row.model}: {row.status.upper()}: {row.error}"
    d, perf = row.details, row.perf
    parts = [str(d.get("backend", "")) + (f"/{d['device']}" if d.get("device") else "")]
    if d.get("tokenizer"):
        parts.append(f"tokenizer {d['tokenizer']}")
    if d.get("fusion"):
        parts.append(str(d["fusion"]))
    if "truncated_share" in perf and perf.get("max_tokens"):
        parts.append(
            f"{perf['truncated_share']:.0%} of chunks over {int(perf['max_tokens'])} tokens (truncated)"
        )
    if "query_p95_ms" in perf:
        parts.append(f"query p95 {perf['query_p95_ms']:.1f} ms")
    if "index_bytes" in perf:
        parts.append(f"index {perf['index_bytes'] / 2**20:.2f} MB")
    if d.get("cache_hits"):
        parts.append(f"{d['cache_hits']} chunks from cache")
    if d.get("fallback_reason"):
        parts.append(f"fallback: {d['fallback_reason']}")
    return f"{row.model}: " + "; ".join(p for p in parts if p)


def render(result: Any) -> None:
    """The results table (stdout) with a caption saying what each figure measured and on how much."""
    from rich.console import Console
    from rich.table import Table

    ds = result.dataset
    n_q = ds.get("n_queries_evaluated", ds.get("n_queries"))
    origin = "SYNTHETIC queries" if ds.get("synthetic") else "queries"
    title = (
        f"{ds.get('name')}: {n_q} {origin} ({ds.get('query_origin')}) over {ds.get('n_chunks')} chunks "
        f"from {ds.get('n_docs')} documents" + ("" if result.complete else " - INCOMPLETE (stopped)")
    )
    table = Table(title=title, title_justify="left")
    table.add_column("model", overflow="fold", max_width=40)
    for _, label in TABLE_METRICS:
        table.add_column(label, justify="right", no_wrap=True)
    for label in ("docs/s", "p50 ms", "peak MB"):
        table.add_column(label, justify="right", no_wrap=True)
    for row in result.results:
        best = bool(row.details.get("best"))
        perf = row.perf
        table.add_row(
            row.model if row.status == "ok" else f"{row.model} ({row.status})",
            *[_cell(row, k, best) for k, _ in TABLE_METRICS],
            _fmt(perf.get("docs_per_s"), 1),
            _fmt(perf.get("query_p50_ms"), 1),
            _fmt(perf.get("peak_mem_mb"), 0),
        )
    console = Console()
    if not console.is_terminal:
        console = Console(width=130)
    console.print(table)
    for line in [_notes(r) for r in result.results] + _caption(result, n_q):
        console.print(line, highlight=False, markup=False)


def _caption(result: Any, n_q: Any) -> list[str]:
    ds = result.dataset
    lines = [
        f"Metrics: mean over {n_q} queries, top 10 of {ds.get('n_chunks')} chunks"
        + (" (documents ranked by their best chunk, MaxP)" if ds.get("qrels_level") == "parent" else "")
        + "; nDCG@10 [95% bootstrap CI over queries].",
        f"^ best by nDCG@10; * worse than the best (paired randomisation test, p < {SIG_LEVEL});"
        " ~ not significantly different.",
        "docs/s: chunks encoded per second (model load excluded); p50/p95: one query encoded + searched"
        " (up to 20 probes, time-capped); peak MB: process RSS peak while the model ran.",
    ]
    if ds.get("synthetic"):
        lines.append(
            f"Queries are SYNTHETIC ({ds.get('query_origin')}): generated from the documents, not asked "
            "by users; treat absolute numbers with care."
        )
    for row in result.results:
        if row.details.get("perf_source", "measured") != "measured":
            lines.append(f"{row.model}: speed/memory from the {row.details['perf_source']}.")
    return lines
