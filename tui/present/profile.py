"""A profile in words: the questionnaire's summary, a one-line label, a saved requirements table, and the
detected hardware. Labels are the questions' own words, never field names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tui.present.formats import gb, plain
from tui.workflow.profile import BUDGETS, DOMAINS, GPUS, LICENCES, MULTI, TASKS, Profile

if TYPE_CHECKING:
    from evaluators.hardware import Hardware

REQUIREMENT_LABELS: dict[str, str] = {
    "languages": "Languages",
    "domain": "Domain",
    "task": "What the embeddings are for",
    "doc_tokens": "Typical document length",
    "will_chunk": "Long documents split into chunks",
    "corpus_docs": "Documents to index",
    "queries_per_month": "Queries per month",
    "query_tokens": "Tokens per query",
    "docs_updated_per_month": "Documents re-embedded per month",
    "open_only": "Open weights only",
    "max_usd_per_1m": "Max price per 1M tokens",
    "monthly_cap_usd": "Monthly API cap",
    "ram_gb": "RAM",
    "gpu": "GPU",
    "vram_gb": "GPU memory",
    "api_allowed": "API models allowed",
    "commercial_use": "Licence must allow commercial use",
    "open_weights_required": "Downloadable weights required",
    "image_text": "Corpus has images (image-text models)",
    "quality_weight": "Weight of retrieval quality",
    "speed_weight": "Weight of speed",
    "cost_weight": "Weight of cost",
}
"""catalog.requirements.Requirements fields as the questions put them."""


def language_names(codes: Any) -> str:
    from catalog.languages import language_name  # not catalog.filters: that loads numpy (~0.3 s)

    items = [codes] if isinstance(codes, str) else list(codes or ())
    return ", ".join(language_name(str(c)) for c in items) or "-"


def requirement_value(key: str, value: Any) -> str:
    """A saved requirement's value in words ('English, French', '3,000 tokens', '16 GB', 'none')."""
    if value is None:
        return "not given" if key in ("ram_gb", "vram_gb") else "none"
    if isinstance(value, bool):
        return plain(value)
    if key == "languages":
        return language_names(value)
    if key == "domain":
        return dict(DOMAINS).get(str(value), str(value))
    if key == "task":
        return dict(TASKS).get(str(value), str(value))
    if key in ("doc_tokens", "query_tokens") and isinstance(value, int):
        return f"{value:,} tokens"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if key in ("ram_gb", "vram_gb"):
        return f"{gb(float(value))} GB"
    if key in ("max_usd_per_1m", "monthly_cap_usd") and isinstance(value, (int, float)):
        return f"${value:g}"
    if key == "gpu":
        return dict(GPUS).get(str(value), str(value))
    return plain(value)


def requirement_label(key: str) -> str:
    """The question behind a saved requirement; a field this version does not know, in words."""
    return REQUIREMENT_LABELS.get(key, key.replace("_", " ").capitalize())


def requirements_rows(requirements: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(question, answer) for a saved `Requirements.to_dict()`."""
    return [(requirement_label(k), requirement_value(k, v)) for k, v in requirements.items()]


def hardware_text(gpu: str | None, vram_gb: float | None, ram_gb: float | None) -> str:
    """'CUDA 8 GB, 16 GB RAM' / 'CPU, 16 GB RAM'."""
    where = "CPU" if gpu in (None, "none") else f"{str(gpu).upper()} {gb(vram_gb)} GB"
    return f"{where}, {gb(ram_gb)} GB RAM"


def requirements_line(requirements: Mapping[str, Any]) -> str:
    """One line: 'Chinese · legal · 3,000-token docs (chunked) · CUDA 8 GB, 16 GB RAM · budget any'."""
    r = requirements
    if r.get("open_only"):
        budget = "open weights only"
    elif r.get("max_usd_per_1m") is not None:
        budget = f"max ${r['max_usd_per_1m']:g}/1M tokens"
    else:
        budget = "any"
    if r.get("monthly_cap_usd") is not None and not r.get("open_only"):
        budget += f", <= ${r['monthly_cap_usd']:g}/month"
    chunked = "chunked" if r.get("will_chunk", True) else "not chunked"
    task = "" if r.get("task", "retrieval") == "retrieval" else f"{r['task']} · "  # search is the default
    return (
        f"{language_names(r.get('languages'))} · {r.get('domain', 'general')} · {task}"
        f"{int(r.get('doc_tokens') or 0):,}-token docs ({chunked}) · "
        f"{hardware_text(r.get('gpu'), r.get('vram_gb'), r.get('ram_gb'))} · budget {budget}"
    )


def profile_label(profile: Profile) -> str:
    """Short enough for a status line: 'English · general · 400 tok · CPU'."""
    langs = language_names([x for x in profile.languages if x != MULTI]) + (
        " +multi" if profile.multilingual else ""
    )
    device = "CPU" if profile.gpu == "none" else f"{profile.gpu.upper()} {gb(profile.vram_gb)} GB"
    return f"{langs} · {profile.domain} · {profile.doc_tokens:,} tok · {device}"


def summary_rows(profile: Profile) -> list[tuple[str, str]]:
    """(question, answer) for the questionnaire's always-visible summary, one per step."""
    p = profile
    shown, more = p.languages[:2], len(p.languages) - 2
    langs = language_names(shown) + (f" +{more}" if more > 0 else "")
    if p.multilingual:
        langs += " +multi"
    budget = dict(BUDGETS)[p.budget].split(" (")[0]
    if p.budget == "price":
        budget = f"<= ${p.max_price_per_1m:g}/1M"
    elif p.budget == "monthly":
        budget = f"<= ${p.monthly_cap_usd:g}/month"
    ram = f"{p.ram_gb:g} GB RAM" if p.ram_gb else "RAM ?"
    gpu = "no GPU" if p.gpu == "none" else f"{p.gpu} {gb(p.vram_gb)} GB"
    return [
        ("Languages", langs),
        ("Domain", dict(DOMAINS).get(p.domain, p.domain) + ("" if p.task == "retrieval" else f", {p.task}")),
        ("Doc length", f"{p.doc_tokens:,} tok" + (", chunked" if p.will_chunk else ", whole")),
        ("Corpus", f"{p.corpus_docs:,} docs"),
        ("Budget", budget),
        ("Hardware", f"{ram}, {gpu}" + (", API ok" if p.api_allowed and not p.open_only else "")),
        ("Licence", dict(LICENCES)[p.licence].split(" (")[0]),
    ]


def describe_hardware(hw: Hardware) -> str:
    """One line: '15.6 GB RAM, 2 cores, no GPU found' (or the GPU's name and memory)."""
    parts = [f"{gb(hw.ram_gb)} GB RAM" if hw.ram_gb else "RAM unknown"]
    if hw.cpu_cores:
        parts.append(f"{hw.cpu_cores} cores")
    if hw.gpu is None:
        parts.append("no GPU found")
    else:
        parts.append(f"{hw.gpu_name or hw.gpu.upper()} {gb(hw.vram_gb)} GB VRAM")
    return ", ".join(parts)
