"""Download MTEB per-task result files for the catalog's models (httpx), for `embedscout catalog refresh`.

Reads the results repository's `paths.json` listing (folder -> file paths), then fetches only the files of
the catalog's models for the benchmark tasks, in parallel; without a listing it probes the revision folders
the catalog knows. Any failure aborts the whole fetch: the refresh sees every file or changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import httpx

from evaluators.api.http import ApiError, ApiResponseError, RetryPolicy, make_client, request_json

DEFAULT_SOURCE = "https://raw.githubusercontent.com/embeddings-benchmark/results/main"
LISTING = "paths.json"


@dataclass
class FetchedResults:
    source: str
    listing: dict[str, list[str]]
    """Results folder -> file paths, as published in paths.json."""
    files: dict[str, dict[str, list[tuple[str, dict[str, Any]]]]] = field(default_factory=dict)
    """Model id -> task name -> [(revision folder, parsed JSON)]."""
    n_files: int = 0
    probed: bool = False
    """True when the source had no listing and known revision folders were probed instead."""


def _parse_listing(body: Any, source: str) -> dict[str, list[str]]:
    if not isinstance(body, dict) or not all(isinstance(v, list) for v in body.values()):
        raise ApiResponseError(f"{source}/{LISTING}: not a results listing (expected folder -> [paths])")
    return {str(k): [str(p) for p in v] for k, v in body.items()}


def plan_downloads(
    listing: Mapping[str, list[str]], folders: Mapping[str, str], task_names: Iterable[str]
) -> list[tuple[str, str, str, str]]:
    """(model id, task, revision, path) for every listed file of a wanted model and task."""
    wanted = set(task_names)
    by_folder = {k.casefold(): v for k, v in listing.items()}
    plan = []
    for model_id, folder in folders.items():
        for path in by_folder.get(folder.casefold(), []):
            parts = path.split("/")
            task = parts[-1].removesuffix(".json")
            if len(parts) >= 3 and task in wanted:
                plan.append((model_id, task, parts[-2], path))
    return plan


def probe_plan(
    folders: Mapping[str, str], task_names: Iterable[str], revisions: Mapping[str, Sequence[str]]
) -> list[tuple[str, str, str, str]]:
    """Without a listing: every (known revision x task) path of each model; absent files are skipped."""
    by_folder = {k.casefold(): v for k, v in revisions.items()}
    return [
        (model_id, task, rev, f"results/{folder}/{rev}/{task}.json")
        for model_id, folder in folders.items()
        for rev in by_folder.get(folder.casefold(), [])
        for task in sorted(set(task_names))
    ]


def _listing(
    client: httpx.Client, base: str, policy: RetryPolicy, probing: bool
) -> dict[str, list[str]] | None:
    try:
        body = request_json(client, "GET", LISTING, policy=policy)
    except ApiError as exc:
        if exc.status != 404:
            raise
        if probing:
            return None
        raise ApiError(
            f"{base} serves no {LISTING} listing; use --source with a mirror that does", status=404
        ) from None
    return _parse_listing(body, base)


def fetch_results(
    folders: Mapping[str, str],
    task_names: Iterable[str],
    *,
    source: str | None = None,
    timeout: float = 30.0,
    max_retries: int = 3,
    backoff_base: float = 0.5,
    workers: int = 8,
    revisions: Mapping[str, Sequence[str]] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> FetchedResults:
    """Fetch the listing and the needed result files from `source` (default: the results repo on GitHub).

    Without a paths.json at the source, and with `revisions` (folder -> revision folders), every known
    revision x task path is probed instead (404 = no result; new models cannot be discovered that way).
    Raises OfflineError when the host cannot be reached, ApiError/ApiResponseError on any other failure.
    """
    tasks = set(task_names)
    base = (source or DEFAULT_SOURCE).rstrip("/")
    policy = RetryPolicy(max_retries=max_retries, backoff_base=backoff_base)
    with make_client(base, timeout=timeout, headers={"User-Agent": "embedscout"}) as client:
        listing = _listing(client, base, policy, probing=revisions is not None)
        if listing is None:
            plan, probing = probe_plan(folders, tasks, revisions or {}), True
        else:
            plan, probing = plan_downloads(listing, folders, tasks), False
        out = FetchedResults(source=base, listing=listing or {}, n_files=0, probed=probing)

        def get(item: tuple[str, str, str, str]) -> tuple[tuple[str, str, str, str], dict[str, Any] | None]:
            try:
                body = request_json(client, "GET", item[3], policy=policy)
            except ApiError as exc:
                if probing and exc.status == 404:
                    return item, None
                raise
            if not isinstance(body, dict):
                raise ApiResponseError(f"{base}/{item[3]}: not an MTEB result file")
            return item, body

        _run_parallel(get, plan, out, workers, on_progress or (lambda done, total: None))
    return out


def _run_parallel(
    get: Callable[[Any], Any],
    plan: list[tuple[str, str, str, str]],
    out: FetchedResults,
    workers: int,
    progress: Callable[[int, int], None],
) -> None:
    """Run `get` over the plan; the first failure cancels the rest and propagates."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending = {pool.submit(get, item) for item in plan}
        done_count = 0
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for fut in done:
                exc = fut.exception()
                if exc is not None:
                    for other in pending:
                        other.cancel()
                    raise exc if isinstance(exc, ApiError) else ApiError(str(exc))
                (model_id, task, revision, _), body = fut.result()
                done_count += 1
                progress(done_count, len(plan))
                if body is not None:
                    out.files.setdefault(model_id, {}).setdefault(task, []).append((revision, body))
                    out.n_files += 1
