"""Download MTEB per-task result files for the catalog's models (httpx), for `embedscout catalog refresh`.

Reads the results repository's `paths.json` listing (folder -> file paths), then fetches only the files of
the catalog's models for the benchmark tasks, in parallel. Any failure aborts the whole fetch: the refresh
either sees every file it asked for or changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

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


def fetch_results(
    folders: Mapping[str, str],
    task_names: Iterable[str],
    *,
    source: str | None = None,
    timeout: float = 30.0,
    max_retries: int = 3,
    backoff_base: float = 0.5,
    workers: int = 8,
    on_progress: Callable[[int, int], None] | None = None,
) -> FetchedResults:
    """Fetch the listing and the needed result files from `source` (default: the results repo on GitHub).

    Raises OfflineError when the host cannot be reached, ApiError/ApiResponseError on any other failure.
    """
    base = (source or DEFAULT_SOURCE).rstrip("/")
    policy = RetryPolicy(max_retries=max_retries, backoff_base=backoff_base)
    with make_client(base, timeout=timeout, headers={"User-Agent": "embedscout"}) as client:
        try:
            body = request_json(client, "GET", LISTING, policy=policy)
        except ApiError as exc:
            if exc.status == 404:
                raise ApiError(
                    f"{base} serves no {LISTING} listing; use --source with a mirror that does", status=404
                ) from None
            raise
        listing = _parse_listing(body, base)
        plan = plan_downloads(listing, folders, task_names)
        out = FetchedResults(source=base, listing=listing, n_files=len(plan))
        progress = on_progress or (lambda done, total: None)

        def get(item: tuple[str, str, str, str]) -> tuple[tuple[str, str, str, str], dict[str, Any]]:
            body = request_json(client, "GET", item[3], policy=policy)
            if not isinstance(body, dict):
                raise ApiResponseError(f"{base}/{item[3]}: not an MTEB result file")
            return item, body

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(get, item) for item in plan]
            done_count = 0
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for fut in done:
                    if fut.exception() is not None:
                        for other in pending:
                            other.cancel()
                        exc = fut.exception()
                        raise exc if isinstance(exc, ApiError) else ApiError(str(exc))
                    (model_id, task, revision, _), body = fut.result()
                    out.files.setdefault(model_id, {}).setdefault(task, []).append((revision, body))
                    done_count += 1
                    progress(done_count, len(plan))
    return out
