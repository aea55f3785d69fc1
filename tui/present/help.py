"""The help screen's text (F1 or `?`): the journey, the keys of the screen it was opened from, where the
data lives and how to quit. Pure formatting: the app passes the keys (taken from the screen's BINDINGS, so
the help never drifts from them) and the folders (from `Services.locations`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

JOURNEY: tuple[tuple[str, str, str], ...] = (
    ("F2", "Questions", "describe your case: languages, domain, document length, budget, hardware, licence"),
    ("F3", "Shortlist", "the catalog ranked on published evidence for your answers, with every reason"),
    ("F4", "Trial", "run the ticked models on your own documents (or the built-in demo) and compare them"),
    ("F5", "Decide", "pick the model, write why, and save it with the trials that back it"),
    ("F6", "History", "every saved decision: read, compare two, re-check against today's catalog, export"),
)
"""(key, screen, what happens there) in the order a first decision goes through them."""

LOCATION_WORDS: dict[str, str] = {
    "db": "Decision journal (SQLite)",
    "data": "Data folder (exports in exports/)",
    "config": "Settings and catalog updates",
    "cache": "Cache (embeddings, ONNX exports, written questions)",
}


def help_markdown(
    screen: str,
    screen_keys: Sequence[tuple[str, str]],
    global_keys: Sequence[tuple[str, str]],
    locations: Mapping[str, str],
) -> str:
    """Markdown for the help screen opened from `screen`: its keys, then the keys that work everywhere."""
    lines = ["## The journey", ""]
    lines += [f"{i}. **{title}** ({key}): {what}" for i, (key, title, what) in enumerate(JOURNEY, 1)]
    lines += ["", f"## Keys on {screen}", ""]
    lines += _keys(screen_keys) or ["_This screen has no keys of its own._"]
    lines += ["", "## Keys everywhere", ""]
    lines += _keys(global_keys)
    lines += ["", "## Where your data is", ""]
    order = [
        *[k for k in LOCATION_WORDS if k in locations],
        *[k for k in locations if k not in LOCATION_WORDS],
    ]
    lines += [f"- {LOCATION_WORDS.get(k, k.capitalize())}: `{locations[k]}`" for k in order]
    lines += [
        "",
        "`embedscout path` prints the same folders; set `EMBEDSCOUT_HOME` to keep everything in one folder.",
        "",
        "## Quitting",
        "",
        "`ctrl+q` quits (a running trial is stopped first); answers not saved with `ctrl+s` on Decide "
        "are not kept. Saved decisions stay in the journal.",
        "",
        "_escape, F1 or ? closes this help._",
    ]
    return "\n".join(lines) + "\n"


def _keys(keys: Sequence[tuple[str, str]]) -> list[str]:
    return [f"- `{key}` {description}" for key, description in keys]
