"""`embedscout check KIND --model M ...`: the deeper checks (tokenizer fit, cross-lingual alignment,
perturbation stability, neighbourhood consistency) for one or more models, as a rich table or JSON.

A thin adapter over `evaluators.checks.checks_for_ref`, the same function a trial uses with `--checks`.
Documents come from `--corpus` (else the built-in demo); model weights load only for checks that embed text.
"""

from __future__ import annotations

import json
from typing import Any

import click

KINDS = ("tokenizer", "crosslingual", "stability", "neighbourhood", "all")
HEADLINES: dict[str, tuple[tuple[str, str], ...]] = {
    "tokenizer": (("tokens_per_char", "tok/char"), ("tokens_per_word", "tok/word"), ("unk_share", "[UNK]"),
                  ("over_window_share", "over window")),
    "crosslingual": (("margin", "margin"),),
    "stability": (("cosine", "cosine"), ("overlap@10", "overlap@10"), ("ndcg@10_drop", "nDCG@10 drop")),
    "neighbourhood": (("intrusion_rate", "intrusion"), ("chance_intrusion_rate", "chance"),
                      ("sense_coverage", "sense coverage")),
}


def _load_corpus(corpus: str | None, queries: str | None, sample: int | None, seed: int) -> Any:
    from evaluators.datasets import load_dataset, load_demo
    from evaluators.types import TrialInputError

    try:
        if corpus is None:
            return load_demo(chunk_tokens=None, sample=sample, seed=seed)
        return load_dataset(corpus, queries, chunk_tokens=None, sample=sample, seed=seed)
    except (TrialInputError, ValueError, OSError) as exc:
        raise click.ClickException(" ".join(str(exc).split())) from None


def _run_model(kinds: list[str], ref: str, opts: dict[str, Any], dataset: Any) -> list[dict[str, Any]]:
    from evaluators.checks import CheckError, CheckResult, checks_for_ref

    try:
        results = checks_for_ref(
            kinds, ref, backend=opts["backend"], dataset=dataset, pairs=opts["pairs"], probes=opts["probes"],
            mine=opts["mine_probes"], force=opts["force"], seed=opts["seed"])
    except (CheckError, ValueError) as exc:
        msg = " ".join(str(exc).split())
        results = {k: CheckResult(k, ref, f"{k} check failed: {msg}", status="failed", notes=(msg,))
                   for k in kinds}
    return [r.to_dict() for r in results.values()]


def _cell(d: dict[str, Any], key: str) -> str:
    value = d["values"].get(key)
    if value is None:
        return "-"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if not isinstance(value, float):
        return str(value)
    ci = d["ci95"].get(key)
    return f"{value:.3f}" + (f" [dim]\\[{ci[0]:.3f}, {ci[1]:.3f}][/]" if ci else "")


def _columns(kind: str, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The measures shown for a check: its headline numbers plus per-kind / per-language breakdowns."""
    split = {"stability": "cosine:", "neighbourhood": "intrusion_rate:"}.get(kind)
    if split:
        extra = list(dict.fromkeys(k for r in rows for k in r["values"] if k.startswith(split)))
        return list(HEADLINES[kind]) + [(k, "  " + k.replace(":", ": ")) for k in extra]
    if kind != "crosslingual":
        return list(HEADLINES[kind])
    return accuracy_columns(rows) + list(HEADLINES[kind])


def accuracy_columns(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Cross-lingual accuracy@1 in each direction found in the results: (key, 'acc@1 en→zh')."""
    accs = dict.fromkeys(k for r in rows for k in r.get("values") or {} if k.startswith("accuracy@1_"))
    return [(k, k.replace("accuracy@1_", "acc@1 ").replace("_to_", "→")) for k in accs]


def render(results: list[dict[str, Any]]) -> None:
    """One table per check: a row per measure, a column per model (value, then its 95% interval)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(soft_wrap=False)
    for kind in dict.fromkeys(r["kind"] for r in results):
        rows = [r for r in results if r["kind"] == kind]
        table = Table(title=f"{kind} check: value [95% interval]")
        table.add_column("Measure", no_wrap=True)
        for r in rows:
            table.add_column(escape(r["model"]), overflow="fold", justify="right")
        table.add_row("status", *[r["status"] for r in rows])
        table.add_row("n", *[str(r["n"]) for r in rows])
        for key, label in _columns(kind, rows):
            table.add_row(label, *[_cell(r, key) if r["status"] == "ok" else "-" for r in rows])
        console.print(table)
        for r in rows:
            console.print(f"[bold]{escape(r['model'])}[/]: {escape(r['summary'])}")
            words = r["values"].get("most_fragmented")
            if words:
                console.print("  most fragmented: " + escape(", ".join(f"{w} ({p})" for w, p in words)))
            for note in r["notes"]:
                console.print(f"  [dim]· {escape(note)}[/]")


@click.command("check")
@click.argument("kind", type=click.Choice(KINDS, case_sensitive=False))
@click.option("-m", "--model", "models", multiple=True, required=True, metavar="REF",
              help="Model to check (repeatable): catalog id, HF id, local folder, minilm, provider:model.")
@click.option("--corpus", type=click.Path(exists=True), default=None,
              help="Your documents (folder, file, BEIR folder, SQuAD JSON). Default: the built-in demo.")
@click.option("--queries", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Queries for the stability check (default: the corpus's own, else synthetic).")
@click.option("--pairs", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Parallel sentences, two tab-separated columns (default: 150 Tatoeba en-zh pairs).")
@click.option("--probes", type=click.Path(exists=True, dir_okay=False), default=None,
              help='Probe JSON: {"language", "probes": [{"term", "senses": {...}, "unrelated": [...]}]}.')
@click.option("--mine-probes", is_flag=True, help="Also mine probe terms from the corpus (lexical labels).")
@click.option("--sample", type=click.IntRange(min=1), default=None, help="Use N documents of the corpus.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for sampling, perturbations, CIs.")
@click.option("--force", is_flag=True, help="Measure cross-lingual alignment even for one-language models.")
@click.option("--backend", type=click.Choice(["auto", "torch", "onnx", "openvino"]), default="auto",
              show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {dataset, checks: [...]}.")
def check(kind: str, models: tuple[str, ...], as_json: bool, **opts: Any) -> None:
    """Run a deeper check on your text: tokenizer fit, cross-lingual alignment, stability, neighbourhoods.

    Every number comes with its 95% interval and the count it rests on. Examples:

    \b
      embedscout check tokenizer -m minilm -m openai/text-embedding-3-small --corpus ./docs
      embedscout check crosslingual -m BAAI/bge-m3 --pairs my_pairs.tsv
      embedscout check all -m minilm --sample 200 --json
    """
    from evaluators.checks import CheckError, expand_kinds

    try:
        kinds = expand_kinds(kind)
    except CheckError as exc:
        raise click.UsageError(str(exc)) from None
    # Neighbourhood reads a given corpus too: its language picks the built-in probe sets (Chinese text -> zh).
    needs_corpus = bool({"tokenizer", "stability"} & set(kinds)) or opts["mine_probes"] or (
        opts["corpus"] is not None and "neighbourhood" in kinds)
    dataset = None
    if needs_corpus:
        dataset = _load_corpus(opts["corpus"], opts["queries"], opts["sample"], opts["seed"])
    results = [d for ref in dict.fromkeys(models) for d in _run_model(kinds, ref, opts, dataset)]
    if as_json:
        info = {"name": dataset.name, "n_docs": len(dataset.corpus), "n_queries": len(dataset.queries),
                "query_origin": dataset.query_origin} if dataset is not None else None
        click.echo(json.dumps({"dataset": info, "checks": results}, indent=2, ensure_ascii=False))
    else:
        render(results)
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        first = failed[0]
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        reason = first["notes"][0] if first["notes"] else first["summary"]
        raise click.ClickException(f"{first['kind']} check failed for {first['model']}: {reason}{more}")
