"""The suite's skip policy (tests/skip_policy.py), run on small inner suites: an undeclared skip fails,
a declared hardware need skips and is counted, and collecting no test at all fails."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

INI = """
[pytest]
markers =
    needs_gpu: needs a CUDA GPU
    needs_bf16_cpu: needs native bf16
"""


def _run(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makeini(INI)
    pytester.makepyfile(source)
    # In-process inner run: the snapshot plugin keeps global state of the outer run, so it stays out.
    plugins = ("tests.skip_policy", "no:cacheprovider", "no:textual-snapshot")
    return pytester.runpytest(*(arg for name in plugins for arg in ("-p", name)))


def test_an_undeclared_skip_fails(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
import pytest

def test_data_missing():
    pytest.skip("shared data not found")

def test_fine():
    assert True
""")
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*undeclared skip (Skipped: shared data not found)*"])


def test_a_module_level_importorskip_fails(pytester: pytest.Pytester) -> None:
    result = _run(pytester, """
import pytest
pytest.importorskip("no_such_module_anywhere")

def test_never_runs():
    pass
""")
    assert result.ret != pytest.ExitCode.OK  # a failed collection: an error, never a green run
    result.stdout.fnmatch_lines(["*undeclared skip*no_such_module_anywhere*"])


def test_a_declared_hardware_need_skips_and_is_counted(pytester: pytest.Pytester,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import skip_policy

    monkeypatch.setitem(skip_policy._PRESENT, "needs_gpu", lambda: False)
    monkeypatch.setitem(skip_policy._PRESENT, "needs_bf16_cpu", lambda: True)
    result = _run(pytester, """
import pytest

@pytest.mark.needs_gpu
def test_on_gpu():
    raise AssertionError("must not run without a GPU")

@pytest.mark.needs_bf16_cpu
def test_on_bf16():
    assert True
""")
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["skipped: 1 (hardware not present; needs_gpu: 1, needs_bf16_cpu: 0)*"])


def test_no_tests_collected_fails(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "X = 1\n")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*no tests were collected*"])
