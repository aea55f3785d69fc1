"""Questionnaire: one step per question, back/forward, answers land in Session, hardware fills defaults."""

from __future__ import annotations

from textual.widgets import Input, RadioSet, SelectionList

from tests.tui.fakes import fake_services, settle
from tui.app import EmbedscoutApp
from tui.screens.questionnaire import STEPS, QuestionnaireScreen
from tui.services import Services
from tui.widgets.answers_summary import AnswersSummary


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
    """Each control writes Session.answers; the summary panel shows them."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuestionnaireScreen)
        screen.query_one("#languages", SelectionList).select("zh")
        await pilot.press("ctrl+n")  # domain
        screen.query_one("#domain-legal").value = True
        await pilot.press("ctrl+n")  # length
        doc = screen.query_one("#doc-tokens", Input)
        doc.value = "3000"
        await pilot.press("ctrl+n", "ctrl+n")  # corpus, budget
        screen.query_one("#budget-price").value = True
        screen.query_one("#max-price", Input).value = "0.05"
        await pilot.pause()
        a = app.session.answers
        assert a.languages == ("en", "zh") and a.domain == "legal" and a.doc_tokens == 3000
        assert a.budget == "price" and a.max_price_per_1m == 0.05
        req = a.requirements_dict()
        assert req["max_usd_per_1m"] == 0.05 and not req["open_only"]
        summary = str(screen.query_one(AnswersSummary).render())
        assert summary is not None


async def test_detected_hardware_fills_editable_fields() -> None:
    """Detected RAM/GPU/VRAM prefill the hardware step and stay editable."""
    hw = {"ram_gb": 31.3, "cores": 8, "cuda": True, "vram_gb": 24.0, "gpu_name": "RTX 4090"}
    app = EmbedscoutApp(fake_services(detect_hardware=lambda: hw))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        a = app.session.answers
        assert (a.ram_gb, a.gpu, a.vram_gb) == (31.3, "cuda", 24.0)
        app.screen.query_one("#vram-gb", Input).value = "12"
        await pilot.pause()
        assert app.session.answers.vram_gb == 12.0


async def test_measure_folder_sets_doc_length_and_errors_are_notified() -> None:
    """Measuring a folder fills the length; a failing measure is a notification, not a crash."""

    def measure(folder: str) -> int:
        if "bad" in folder:
            raise OSError("permission denied")
        return 2345

    app = EmbedscoutApp(fake_services(measure_doc_tokens=measure))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n", "ctrl+n")
        screen = app.screen
        screen.query_one("#measure-folder", Input).value = "/docs"
        await pilot.click("#measure")
        await settle(pilot)
        assert app.session.answers.doc_tokens == 2345
        screen.query_one("#measure-folder", Input).value = "/bad"
        await pilot.click("#measure")
        await settle(pilot)
        assert any("permission denied" in n.message for n in app._notifications)
        assert app.session.answers.doc_tokens == 2345


async def test_domain_radio_keyboard(services: Services) -> None:
    """Keyboard-only: arrows + enter inside the RadioSet choose the domain."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        assert isinstance(app.focused, RadioSet)
        await pilot.press("down", "down", "enter")
        assert app.session.answers.domain == "medical"


async def test_task_question_picks_what_the_embeddings_are_for(services: Services) -> None:
    """The domain step also asks the task nature; it reaches Requirements and the summary."""
    app = EmbedscoutApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuestionnaireScreen)
        assert app.session.answers.requirements_dict()["task"] == "retrieval"
        await pilot.press("ctrl+n")  # domain (+ task)
        screen.query_one("#task-clustering").value = True
        await pilot.pause()
        assert app.session.answers.task == "clustering"
        assert app.session.answers.requirements_dict()["task"] == "clustering"
        assert ("Domain", "General, clustering") in app.session.answers.summary_rows()
