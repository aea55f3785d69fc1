"""Fixtures for the TUI tests: fake Services (no catalog data, torch or SQLite); helpers live in fakes.py."""

from __future__ import annotations

import pytest

from tests.tui.fakes import FakeJournal, FakeRunner, fake_services
from tui.services import Services


@pytest.fixture
def journal() -> FakeJournal:
    return FakeJournal()


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()


@pytest.fixture
def services(journal: FakeJournal, runner: FakeRunner) -> Services:
    return fake_services(journal=journal, runner=runner)
