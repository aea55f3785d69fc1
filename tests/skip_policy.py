"""The suite's skip policy: only a declared hardware need may skip a test; every other skip fails the run.

A skipped test looks green, so a suite that quietly skipped 43 tests on a fresh clone (the data they read
was not there) passed. Here the two hardware markers are declared in pyproject.toml and resolved once at
collection (`needs_gpu`: a CUDA GPU that nvidia-smi sees; `needs_bf16_cpu`: a CPU with native bf16,
avx512_bf16 or amx_bf16); any other skip (pytest.skip, importorskip, skipif) is reported as a failure, the
summary prints the skip count, and "no tests collected" (pytest's exit code 5) fails too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

HARDWARE_MARKERS: dict[str, str] = {
    "needs_gpu": "a CUDA GPU (nvidia-smi finds none)",
    "needs_bf16_cpu": "a CPU with native bf16 (no avx512_bf16 or amx_bf16 in /proc/cpuinfo)",
}
"""marker -> what is missing when it skips. The markers are declared in pyproject.toml [tool.pytest]."""
_HARDWARE_SKIP = pytest.StashKey[str]()


@functools.cache
def _has_gpu() -> bool:
    from evaluators.hardware import detect_hardware  # torch-free: nvidia-smi only

    return detect_hardware(probe_gpu=True, allow_torch=False).gpu == "cuda"


@functools.cache
def _has_bf16_cpu() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


_PRESENT: dict[str, Callable[[], bool]] = {"needs_gpu": _has_gpu, "needs_bf16_cpu": _has_bf16_cpu}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip, before they run, the tests whose declared hardware is absent (and remember why)."""
    for item in items:
        for marker, missing in HARDWARE_MARKERS.items():
            if item.get_closest_marker(marker) is not None and not _PRESENT[marker]():
                reason = f"hardware: {marker}: needs {missing}"
                item.stash[_HARDWARE_SKIP] = reason
                item.add_marker(pytest.mark.skip(reason=reason))
                break


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and _HARDWARE_SKIP not in item.stash:
        _fail_skip(report)


@pytest.hookimpl(tryfirst=True)  # before the terminal and the session count the report
def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:  # a whole module skipped (importorskip at module level, allow_module_level=True)
        _fail_skip(report)


def _fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    report.outcome = "failed"
    report.longrepr = (
        f"undeclared skip ({reason}): only a missing hardware need ({', '.join(HARDWARE_MARKERS)}) may "
        "skip a test; install what it needs (make test installs every extra) or mark its hardware need"
    )


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    counts = {m: sum(1 for r in skipped if f"hardware: {m}:" in str(r.longrepr)) for m in HARDWARE_MARKERS}
    detail = ", ".join(f"{m}: {n}" for m, n in counts.items())
    line = f"skipped: {len(skipped)} (hardware not present; {detail}); any other skip fails"
    terminalreporter.write_line(line)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("no tests were collected: that is a failure (check the path and -k/-m)")
