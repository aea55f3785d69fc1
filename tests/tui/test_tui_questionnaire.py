"""Questionnaire: one step per question, back/forward, answers land in the draft's profile, hardware fills
what the user left blank."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Input, RadioSet, SelectionList

from evaluators.hardware import Hardware
from tests.tui.fakes import fake_services, settle
from tui.app import EmbedscoutApp
from tui.app.screens.questionnaire import STEPS, QuestionnaireScreen
from tui.app.widgets.answers_summary import AnswersSummary
from tui.present.profile import summary_rows
from tui.workflow.errors import UserError
from tui.workflow.services import Services


async def test_walks_every_step_forward_and_back(services: Services) -> None:
    """ctrl+n advances one question at a time, ctrl+b goes back, and the last step opens the shortlist."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuestionnaireScreen)
        for i in range(1, len(STEPS)):
            await pilot.press("ctrl+n")
            assert screen.step == i
        await pilot.press("ctrl+b")
        assert screen.step == len(STEPS) - 2
        await pilot.press("ctrl+n", "ctrl+n")
        await settle(pilot)
        assert app.current_mode == "shortlist"


async def test_answers_are_recorded_and_summarised(services: Services) -> None:
    """Each control replaces the draft's profile (bumping its revision); the summary panel shows it."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuestionnaireScreen)
        before = app.draft.revision
        screen.query_one("#languages", SelectionList).select("zh")
        await pilot.press("ctrl+n")  # domain
        screen.query_one("#domain-legal").value = True
        await pilot.press("ctrl+n")  # length
        screen.query_one("#doc-tokens", Input).value = "3000"
        await pilot.press("ctrl+n", "ctrl+n")  # corpus, budget
        screen.query_one("#max-price", Input).value = "0.05"
        screen.query_one("#budget-price").value = True
        await pilot.pause()
        p = app.draft.profile
        assert p.languages == ("en", "zh") and p.domain == "legal" and p.doc_tokens == 3000
        assert p.budget == "price" and p.max_price_per_1m == 0.05 and app.draft.revision > before
        req = p.requirements()
        assert req.max_usd_per_1m == 0.05 and not req.open_only
        console = Console(width=60, record=True)
        console.print(screen.query_one(AnswersSummary).content)
        shown = console.export_text()
        assert "Legal" in shown and "3,000 tok, chunked" in shown and "<= $0.05/1M" in shown


async def test_support_domain_is_offered(services: Services) -> None:
    """The catalog's 'support' domain is a choice here too (it was CLI-only)."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        app.screen.query_one("#domain-support").value = True
        await pilot.pause()
        assert app.draft.profile.requirements().domain == "support"


async def test_budget_kind_decides_which_figure_applies(services: Services) -> None:
    """A price typed under 'Max price' stops applying once 'No limit' is chosen: the profile holds only what
    is enforced."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press(*["ctrl+n"] * 4)
        screen = app.screen
        screen.query_one("#budget-price").value = True
        screen.query_one("#max-price", Input).value = "0.1"
        await pilot.pause()
        assert app.draft.profile.max_price_per_1m == 0.1
        screen.query_one("#budget-any").value = True
        await pilot.pause()
        p = app.draft.profile
        assert (p.budget, p.max_price_per_1m, p.open_only) == ("any", None, False)


async def test_detected_hardware_fills_editable_fields() -> None:
    """Detected RAM/GPU/VRAM prefill the hardware step and stay editable."""
    hw = Hardware(ram_gb=31.3, cpu_cores=8, gpu="cuda", vram_gb=24.0, gpu_name="RTX 4090")
    app = EmbedscoutApp(fake_services(detect_hardware=lambda probe_gpu=True: hw))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        p = app.draft.profile
        assert (p.ram_gb, p.gpu, p.vram_gb) == (31.3, "cuda", 24.0)
        await pilot.press(*["ctrl+n"] * 5)
        await settle(pilot)
        assert "RTX 4090 24 GB VRAM" in str(app.screen.query_one("#detected").render())
        app.screen.query_one("#vram-gb", Input).value = "12"
        await pilot.pause()
        assert app.draft.profile.vram_gb == 12.0


async def test_measure_folder_sets_doc_length_and_errors_are_notified() -> None:
    """Measuring a folder fills the length; a failing measure is a notification with its hint."""

    def measure(folder: str) -> int:
        if "bad" in folder:
            raise UserError(f"no readable documents under {folder}", "text, Markdown, HTML or PDF files")
        return 2345

    app = EmbedscoutApp(fake_services(measure_doc_tokens=measure))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n", "ctrl+n")
        screen = app.screen
        screen.query_one("#measure-folder", Input).value = "/docs"
        await pilot.click("#measure")
        await settle(pilot)
        assert app.draft.profile.doc_tokens == 2345
        screen.query_one("#measure-folder", Input).value = "/bad"
        await pilot.click("#measure")
        await settle(pilot)
        assert any(
            "no readable documents under /bad" in n.message and "PDF" in n.message for n in app._notifications
        )
        assert app.draft.profile.doc_tokens == 2345


async def test_domain_radio_keyboard(services: Services) -> None:
    """Keyboard-only: arrows + enter inside the RadioSet choose the domain."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        assert isinstance(app.focused, RadioSet)
        await pilot.press("down", "down", "enter")
        assert app.draft.profile.domain == "medical"


async def test_task_question_picks_what_the_embeddings_are_for(services: Services) -> None:
    """The domain step also asks the task nature; it reaches Requirements and the summary."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuestionnaireScreen)
        assert app.draft.profile.requirements_dict()["task"] == "retrieval"
        await pilot.press("ctrl+n")  # domain (+ task)
        screen.query_one("#task-clustering").value = True
        await pilot.pause()
        assert app.draft.profile.task == "clustering"
        assert app.draft.profile.requirements_dict()["task"] == "clustering"
        assert ("Domain", "General, clustering") in summary_rows(app.draft.profile)
