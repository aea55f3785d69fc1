"""Labelled priors: what stands in for evidence a model lacks, and what thin evidence is pulled toward.

In order: the model's measured family members ('Qwen3-Embedding-4B' for the 0.6B), else its size (a
line through log10 parameters of well-measured open models), else the standing of well-measured API
models (for an API model), else 'a typical model'. Each says what it is and comes with a wide spread, so an
unmeasured model is never scored 0 and never passes for measured. Pure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

THIN_TASKS = 5
"""Below this many tasks in a profile, evidence is thin: flagged and suggested for the trial."""
FAMILY_SD = 0.8
TYPICAL_SD = 1.5
"""An unmeasured model could be anywhere from bottom to top: a wide interval, and a flag for the trial."""
MIN_SPREAD = 0.7
"""Floor on a fitted prior's spread: a size or vendor trend never makes a guess look precise."""
_SIZE = re.compile(r"^(x?small|base|large|lite|nano|mini|tiny|medium|xl|xxl|[lms]|\d+(\.\d+)?[mbk])$")


@dataclass(frozen=True)
class ModelFacts:
    """The facts a prior may use."""

    params: float | None
    is_api: bool
    languages: tuple[str, ...] = ()
    """Declared languages (ISO 639-1): a near-zero score in one of them is a broken file, not a finding."""


@dataclass(frozen=True)
class Prior:
    mean: float
    sd: float
    label: str


@lru_cache(maxsize=1024)
def family_key(model_id: str) -> str:
    """Size/variant tokens dropped: 'Qwen/Qwen3-Embedding-0.6B' -> 'qwen/qwen3-embedding'."""
    org, _, name = model_id.lower().rpartition("/")
    kept = [t for t in re.split(r"[-_]", name) if t and not _SIZE.match(t)]
    return f"{org}/{'-'.join(kept)}"


def _short(model_id: str) -> str:
    return model_id.rsplit("/", 1)[-1]


def _size_line(
    well: Mapping[str, float], facts: Mapping[str, ModelFacts]
) -> tuple[float, float, float] | None:
    """(intercept, slope, residual sd) of theta on log10(params) over well-measured open models."""
    pts = [
        (math.log10(f.params), well[m]) for m, f in facts.items() if m in well and f.params and not f.is_api
    ]
    if len(pts) < 5:
        return None
    x, y = np.array(pts).T
    if float(np.ptp(x)) < 0.3:  # sizes within a factor of 2: no trend to draw
        return None
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    return float(intercept), float(slope), max(MIN_SPREAD, float(np.std(resid)))


def priors(
    fitted: Mapping[str, tuple[float, int]], facts: Mapping[str, ModelFacts], group_tasks: int
) -> dict[str, Prior]:
    """A prior for every model in `facts`, from the group's fit {model: (theta, n_tasks)}. Trends are
    drawn from the well-measured: THIN_TASKS tasks, or half the group's tasks when the group is small."""
    enough = min(THIN_TASKS, max(1, math.ceil(group_tasks / 2)))
    well = {m: t for m, (t, n) in fitted.items() if n >= enough}
    families: dict[str, list[str]] = {}
    for m in well:
        families.setdefault(family_key(m), []).append(m)
    line = _size_line(well, facts)
    api = [well[m] for m, f in facts.items() if m in well and f.is_api]
    out: dict[str, Prior] = {}
    for model, f in facts.items():
        mates = sorted(x for x in families.get(family_key(model), []) if x != model)
        if mates:
            names = ", ".join(_short(x) for x in mates[:3])
            out[model] = Prior(float(np.mean([well[x] for x in mates])), FAMILY_SD, f"family prior ({names})")
        elif line is not None and f.params and not f.is_api:
            a, b, sd = line
            size = f"{f.params / 1e9:.1f}B" if f.params >= 1e9 else f"{f.params / 1e6:.0f}M"
            out[model] = Prior(
                a + b * math.log10(f.params), sd, f"size prior (open models of ~{size} parameters)"
            )
        elif f.is_api and len(api) >= 3:
            out[model] = Prior(
                float(np.mean(api)), max(MIN_SPREAD, float(np.std(api))), "prior: measured API models"
            )
        else:
            out[model] = Prior(0.0, TYPICAL_SD, "typical-model prior (no family or size trend to go on)")
    return out
