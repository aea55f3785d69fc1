"""App shell: F-key navigation, theme toggle, a palette entry per action, and a light start-up."""

from __future__ import annotations

import subprocess
import sys

from tests.tui.fakes import settle
from tui.app import EmbedscoutApp
from tui.workflow.services import Services


async def test_function_keys_switch_screens(services: Services) -> None:
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, mode in (
            ("f3", "shortlist"),
            ("f4", "trial"),
            ("f5", "decide"),
            ("f6", "history"),
            ("f2", "questions"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode


async def test_theme_toggle(services: Services) -> None:
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        assert not app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark


async def test_palette_has_an_entry_per_action(services: Services) -> None:
    """Navigation, theme, and every shown binding of the current screen are palette commands."""
    app = EmbedscoutApp(services, start="shortlist")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {
            "Go to Questions",
            "Go to Shortlist",
            "Go to Trial",
            "Go to Decide",
            "Go to History",
            "Toggle light/dark theme",
            "Tick for trial",
            "Sort",
            "Filter",
            "Trial",
        } <= titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Sort")
        command.callback()
        await pilot.pause()
        assert app.screen.sort_index == 1  # type: ignore[attr-defined]


def test_app_import_leaves_torch_unloaded() -> None:
    """Importing and building the app (with real lazy Services) loads no torch/transformers."""
    probe = (
        "import sys; from tui.app import EmbedscoutApp; EmbedscoutApp(); "
        "print(','.join(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_services_rank_with_the_refreshed_catalog(home) -> None:  # type: ignore[no-untyped-def]
    """After `catalog refresh` wrote an overlay, the TUI's catalog and recommendation use it (not only the
    shipped file), and the recommendation says so in its catalog version."""
    from catalog.requirements import Requirements
    from storage.catalog_overlay import write_overlay

    scores = {"cmteb_v1": {"retrieval_mean": 77.7, "source": "test refresh"}}
    write_overlay(
        {"generated": "2026-12-01", "source": "test", "models": {"BAAI/bge-m3": {"scores": scores}}}
    )
    from tui.workflow.advice import recommend_for

    services = Services()
    models = services.catalog().models
    bge = next(m for m in models if m.id == "BAAI/bge-m3")
    assert (
        next(s for k, s in bge.scores.items() if getattr(k, "value", k) == "cmteb_v1").retrieval_mean == 77.7
    )
    rec = recommend_for(Requirements.from_dict({"languages": ["zh"], "open_only": True}), services)
    assert "overlay:2026-12-01" in rec.catalog_version


def test_trial_screen_import_stays_light() -> None:
    """Importing the trial and decide screens (plan, draft, options, details pane) loads no torch, ONNX,
    numpy or check code."""
    probe = (
        "import sys, tui.app.screens.trial, tui.app.screens.decide; "
        "print(','.join(m for m in ('torch', 'transformers', 'onnxruntime', 'evaluators.checks', 'numpy')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
