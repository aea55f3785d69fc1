"""The deeper checks in words: which numbers head each check, and one check as a few lines of text.

Used by the trial details (TUI pane, CLI notes, Markdown report) and by `embedscout check`'s tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

HEADLINES: dict[str, tuple[tuple[str, str], ...]] = {
    "tokenizer": (("tokens_per_char", "tok/char"), ("tokens_per_word", "tok/word"), ("unk_share", "[UNK]"),
                  ("over_window_share", "over window")),
    "crosslingual": (("margin", "margin"),),
    "stability": (("cosine", "cosine"), ("overlap@10", "overlap@10"), ("ndcg@10_drop", "nDCG@10 drop")),
    "neighbourhood": (("intrusion_rate", "intrusion"), ("chance_intrusion_rate", "chance"),
                      ("sense_coverage", "sense coverage")),
}  # fmt: skip
"""(value key, label) of the numbers that summarise each check."""
STATUS_LABELS = {"ok": "ok", "not_applicable": "not applicable", "failed": "FAILED"}


def accuracy_columns(checks: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Cross-lingual accuracy@1 in each direction found in the results: (key, 'acc@1 en→zh')."""
    accs = dict.fromkeys(k for c in checks for k in c.get("values") or {} if k.startswith("accuracy@1_"))
    return [(k, k.replace("accuracy@1_", "acc@1 ").replace("_to_", "→")) for k in accs]


def measures(kind: str, checks: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The measures a check table shows: its headline numbers plus per-kind / per-language breakdowns."""
    split = {"stability": "cosine:", "neighbourhood": "intrusion_rate:"}.get(kind)
    if split:
        extra = list(dict.fromkeys(k for c in checks for k in c.get("values") or {} if k.startswith(split)))
        return list(HEADLINES[kind]) + [(k, "  " + k.replace(":", ": ")) for k in extra]
    if kind == "crosslingual":
        return accuracy_columns(checks) + list(HEADLINES[kind])
    return list(HEADLINES.get(kind, ()))


def value_text(check: Mapping[str, Any], key: str) -> str | None:
    """'0.250 [0.200, 0.300]' (value and 95% interval), '1,234' for counts; None when not a number."""
    value = (check.get("values") or {}).get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    text = f"{value:,}" if isinstance(value, int) else f"{value:.3f}"
    ci = (check.get("ci95") or {}).get(key)
    return text + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def status_label(check: Mapping[str, Any]) -> str:
    return STATUS_LABELS.get(str(check.get("status")), str(check.get("status")))


def check_lines(check: Mapping[str, Any]) -> list[str]:
    """'kind · status · n: summary', then its headline values with 95% intervals, then notes ('  · ...')."""
    lines = [
        f"{check.get('kind')} · {status_label(check)} · n={check.get('n', 0)}: {check.get('summary', '')}"
    ]
    if check.get("status") == "ok":
        keys = measures(str(check.get("kind")), [check])
        values = [f"{label.strip()} {v}" for k, label in keys if ":" not in k and (v := value_text(check, k))]
        if values:
            lines.append("  " + " · ".join(values))
    lines += [f"  · {note}" for note in check.get("notes") or ()]
    return lines
