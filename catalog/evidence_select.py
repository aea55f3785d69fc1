"""Which MTEB task slices speak to a profile: languages, domain and task nature -> weighted evidence groups.

A group is one question the evidence answers ("Chinese retrieval", "legal retrieval in your languages",
"code retrieval"); each is fitted on its own and the groups are averaged with their shares, so English's 190
retrieval tasks cannot drown Chinese's 20 in a zh+en profile. Pure, over catalog.evidence_data tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.evidence_data import TaskScores
from catalog.languages import CODE, language_name

TASK_NATURES: dict[str, tuple[str, ...]] = {
    "retrieval": ("Retrieval",),
    "reranking": ("Reranking",),
    "clustering": ("Clustering",),
    "classification": ("Classification",),
}
"""The user's task nature -> the MTEB task types whose scores count."""
NATURE_WORDS = {
    "retrieval": "retrieval",
    "reranking": "reranking",
    "clustering": "clustering",
    "classification": "classification",
}
DOMAIN_TAGS = {
    "legal": "Legal",
    "medical": "Medical",
    "code": "Programming",
    "finance": "Financial",
    "scientific": "Academic",
    "ecommerce": "E-commerce",
}
"""Our domains -> mteb TaskMetadata.domains tags. 'support' has no tag: general evidence only."""
MULTIPLE = "mul"
FULL_GROUP = 5
"""A group with fewer tasks than this weighs proportionally less (one task cannot carry a whole share)."""
CROSS_RELEVANCE = 0.5
RELATED = {"reranking": "retrieval"}
"""A bi-encoder that ranks documents well for a query reranks them well too: for reranking, the far more
plentiful retrieval tasks of the same languages count as a related group."""
RELATED_RELEVANCE = 0.5

Slice = tuple[str, str]
"""(task name, slice key)."""


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    """Plain words: 'Chinese retrieval', 'legal retrieval in other languages'."""
    slices: tuple[Slice, ...]
    share: float = 0.0
    """This group's weight in the combined estimate (shares sum to 1 over the profile's groups)."""

    @property
    def n_tasks(self) -> int:
        return len({t for t, _ in self.slices})


def _langs_of(key: str) -> set[str]:
    return set(key.split("-"))


def _candidates(table: TaskScores, nature: str) -> list[tuple[str, str, tuple[str, ...]]]:
    types = TASK_NATURES[nature]
    return [
        (task, key, info.domains)
        for task, info in sorted(table.tasks.items())
        if info.type in types
        for key in sorted(table.packed.get(task, {}))
    ]


def select(table: TaskScores, languages: tuple[str, ...], domain: str, nature: str) -> tuple[Group, ...]:
    """The profile's evidence groups with shares; groups without any slice are dropped."""
    word = NATURE_WORDS[nature]
    rows = _candidates(table, nature)
    raw: list[tuple[Group, float]] = []
    tag = DOMAIN_TAGS.get(domain)
    langs = [x for x in dict.fromkeys(languages) if x != MULTIPLE]
    if domain == "code":
        allowed = {CODE, "en", *langs}
        code = tuple((t, k) for t, k, d in rows if tag in d and _langs_of(k) <= allowed)
        raw.append((Group("code", f"code {word}", code), 1.0))
    else:
        if MULTIPLE in languages:
            every = tuple((t, k) for t, k, _ in rows if "-" not in k)
            raw.append((Group("all", f"{word} in any language", every), 1.0))
        for lang in langs:
            mono = tuple((t, k) for t, k, _ in rows if k == lang)
            raw.append((Group(f"lang:{lang}", f"{language_name(lang)} {word}", mono), 1.0))
        if len(langs) > 1:
            cross = tuple((t, k) for t, k, _ in rows if "-" in k and _langs_of(k) <= set(langs))
            raw.append(
                (Group("cross", f"cross-lingual {word} between your languages", cross), CROSS_RELEVANCE)
            )
        if tag is not None:
            # Only in the profile's languages: legal tasks in English or German mostly measure English or
            # German, which says nothing about Chinese contracts.
            mine = tuple((t, k) for t, k, d in rows if tag in d and _langs_of(k) <= set(langs))
            raw.append((Group("domain", f"{domain} {word} in your languages", mine), 1.0))
    related = RELATED.get(nature)
    if related is not None and domain != "code":
        rows_r = _candidates(table, related)
        for lang in langs:
            mono = tuple((t, k) for t, k, _ in rows_r if k == lang)
            label = f"{language_name(lang)} {NATURE_WORDS[related]} (related task)"
            raw.append((Group(f"related:{lang}", label, mono), RELATED_RELEVANCE))
    weighted = [(g, rel * min(1.0, g.n_tasks / FULL_GROUP)) for g, rel in raw if g.slices]
    total = sum(w for _, w in weighted)
    return tuple(Group(g.key, g.label, g.slices, w / total) for g, w in weighted)


def language_slices(table: TaskScores, lang: str) -> tuple[Slice, ...]:
    """Monolingual retrieval slices of one language: the evidence for or against supporting it."""
    return tuple((t, k) for t, k, _ in _candidates(table, "retrieval") if k == lang)
