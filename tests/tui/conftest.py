"""Fixtures for the TUI tests: Services with only I/O replaced (see fakes.py), a frozen journal clock."""

from __future__ import annotations

import pytest

from tests.tui.fakes import FakeRunner, fake_services, freeze_clock
from tui.workflow.services import Services


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_clock(monkeypatch)


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()


@pytest.fixture
def services(runner: FakeRunner) -> Services:
    return fake_services(runner=runner)
