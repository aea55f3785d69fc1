"""Plain-text lines for one trial row beyond its headline numbers: how it ran, int8 agreement, API tokens
and cost (actual and estimated), and the deeper checks with 95% intervals.

No Textual here (rich only), so the CLI can print the same lines the TUI's details pane shows; wording
follows `embedscout trial` and `embedscout check`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.commands.check import HEADLINES, accuracy_columns

STATUS_LABELS = {"ok": "ok", "not_applicable": "not applicable", "failed": "FAILED"}


def usd(value: float) -> str:
    """Dollars readable at trial sizes: cents for real money, six decimals for a sample's fractions."""
    return f"${value:,.2f}" if value >= 1 else f"${value:.4f}" if value >= 0.01 else f"${value:.6f}"


def run_line(row: Any) -> str:
    """How the model ran (backend, truncation, latency, index size, cache), or why it did not."""
    if row.status != "ok":
        return f"{row.status}: {row.error or 'no reason given'}"
    d, perf = row.details or {}, row.perf or {}
    parts = [str(d.get("backend", "")) + (f"/{d['device']}" if d.get("device") else "")]
    if d.get("precision"):
        parts.append(str(d["precision"]) + (f", {d['threads']} threads" if d.get("threads") else ""))
    if d.get("tokenizer") and isinstance(d["tokenizer"], str):
        parts.append(f"tokenizer {d['tokenizer']}")
    if d.get("fusion"):
        parts.append(str(d["fusion"]))
    if "truncated_share" in perf and perf.get("max_tokens"):
        share, window = perf["truncated_share"], int(perf["max_tokens"])
        parts.append(f"{share:.0%} of chunks over {window} tokens (truncated)")
    if "query_p95_ms" in perf:
        parts.append(f"query p95 {perf['query_p95_ms']:.1f} ms")
    if "index_bytes" in perf:
        parts.append(f"index {perf['index_bytes'] / 2**20:.2f} MB")
    if d.get("cache_hits"):
        parts.append(f"{d['cache_hits']} chunks from cache")
    if d.get("fallback_reason"):
        parts.append(f"fallback: {d['fallback_reason']}")
    return " · ".join(p for p in parts if p) or "ok"


def int8_line(details: dict[str, Any]) -> str | None:
    """The int8 variant's agreement with its fp32 row, when this row is one."""
    if details.get("precision") != "int8-dynamic" and "int8_recall_agreement@10" not in details:
        return None
    agreement = details.get("int8_recall_agreement@10")
    if agreement is None:
        return "int8: no agreement with fp32 (the fp32 row did not finish)"
    return f"int8: keeps {agreement:.1%} of the fp32 top 10 per query (Recall@10 agreement)"


def api_lines(details: dict[str, Any]) -> list[str]:
    """API tokens and cost: what the provider billed, and what was estimated before any call."""
    usage, est = details.get("usage") or {}, details.get("cost_estimate") or {}
    lines = []
    if usage:
        text = f"API used: {int(usage.get('tokens', 0)):,} tokens ({usage.get('tokens_source', '?')})"
        if usage.get("usd") is not None:
            text += f", {usd(float(usage['usd']))} ({usage.get('usd_source', '?')})"
        text += f"; {int(usage.get('requests', 0))} requests, {int(usage.get('retries', 0))} retries"
        lines.append(text)
    if est:
        text = f"API estimate before the run: {int(est.get('tokens', 0)):,} tokens"
        if est.get("usd") is not None:
            text += f", {usd(float(est['usd']))}"
        text += f" ({est.get('method', '?')})"
        if est.get("cap_usd") is not None:
            text += f"; cap {usd(float(est['cap_usd']))}"
        lines.append(text)
    return lines


def _value(check: dict[str, Any], key: str, label: str) -> str | None:
    value = (check.get("values") or {}).get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    text = f"{value:,}" if isinstance(value, int) else f"{value:.3f}"
    ci = (check.get("ci95") or {}).get(key)
    return f"{label} {text}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def headline_keys(check: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, label) of the headline numbers: the check command's, plus cross-lingual acc@1 each way."""
    keys = list(HEADLINES.get(str(check.get("kind")), ()))
    return accuracy_columns([check]) + keys if check.get("kind") == "crosslingual" else keys


def check_lines(check: dict[str, Any]) -> list[str]:
    """One check: 'kind · status · n: summary', then its headline values with 95% intervals, then notes."""
    status = STATUS_LABELS.get(str(check.get("status")), str(check.get("status")))
    lines = [f"{check.get('kind')} · {status} · n={check.get('n', 0)}: {check.get('summary', '')}"]
    if check.get("status") == "ok":
        values = [v for k, label in headline_keys(check) if (v := _value(check, k, label))]
        if values:
            lines.append("  " + " · ".join(values))
    lines += [f"  · {note}" for note in check.get("notes") or ()]
    return lines


def details_text(row: Any) -> Text:
    """Everything the details pane shows for one row."""
    d = row.details or {}
    text = Text()  # the model's name is the pane's border title
    text.append(f"{run_line(row)}\n", style="" if row.status == "ok" else "italic")
    for line in [int8_line(d), *api_lines(d)]:
        if line:
            text.append(line + "\n")
    if d.get("tradeoffs"):
        from evaluators.tradeoffs import summary_line, text_lines

        text.append("Size/quality trade-offs (index at the trial's corpus; MRL = Matryoshka)\n", style="bold")
        for line in [*text_lines(d["tradeoffs"]), summary_line(d["tradeoffs"]) or ""]:
            text.append(line + "\n")
    checks = d.get("checks") or {}
    if checks:
        text.append("Deeper checks\n", style="bold")
        for check in checks.values():
            first, *rest = check_lines(check)
            text.append(first + "\n", style="dim" if check.get("status") == "not_applicable" else "")
            for line in rest:
                text.append(line + "\n", style="dim" if line.startswith("  ·") else "")
    text.rstrip()
    return text


def log_tail(row: Any) -> str:
    """The log line's tail: int8 agreement, API cost, check statuses (full text in the details pane)."""
    d = row.details or {}
    parts = []
    if d.get("int8_recall_agreement@10") is not None:
        parts.append(f"top-10 agreement with fp32 {d['int8_recall_agreement@10']:.1%}")
    usage = d.get("usage") or {}
    if usage:
        parts.append(f"API {int(usage.get('tokens', 0)):,} tokens")
        if usage.get("usd") is not None:
            parts[-1] += f", {usd(float(usage['usd']))}"
    checks = d.get("checks") or {}
    if checks:
        parts.append("checks " + ", ".join(f"{k} {c.get('status')}" for k, c in checks.items()))
    return "".join(f"; {p}" for p in parts)
