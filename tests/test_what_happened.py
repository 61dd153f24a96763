""" "What happened" takes several answers; the letters answer all of them."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.models import Report
from bot.letters.recommend import recommend
from bot.letters.render import render_letter
from bot.letters.sample import SAMPLE_TODAY, sample_reports
from tests.support import KZ_REPORT, Bot, consent, fill


def steps_with(*codes: str) -> list[tuple[str, str]]:
    at = KZ_REPORT.index(("press", "force"))
    return KZ_REPORT[:at] + [("press", c) for c in codes] + KZ_REPORT[at + 1 :]


async def test_several_answers_are_stored_and_done_needs_one(bot: Bot) -> None:
    chat = bot.chat(950, "ky")
    t = bot.t("ky")
    await consent(chat, "ky")
    at = KZ_REPORT.index(("press", "force"))
    await fill(chat, KZ_REPORT[:at])
    await chat.press_data("answer:e_what:done")  # nothing chosen yet: refused, nothing lost
    assert t("Tap at least one answer, then press Done.") in chat.last_text()  # with the question
    # A migrant pressured at a migration centre, then mobilised; one tap undone.
    await fill(
        chat,
        [("press", "migration"), ("press", "mobilised"), ("press", "signed"), ("press", "signed")],
    )
    buttons = [text for text, _ in chat.last_with_buttons().buttons()]
    assert any(b.startswith("☑ ") for b in buttons) and any(b.startswith("☐ ") for b in buttons)
    await fill(chat, KZ_REPORT[at + 1 :])
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(950))[0]
    assert case.answers["e_what"] == ["migration", "mobilised"]
    picked = {r.addressee_id for r in recommend(case.report)}
    # The union: the military prosecutor for mobilisation, the crime report for the pressure.
    assert {"military_prosecutor", "investigative_committee"} <= picked


def test_an_older_single_answer_still_counts() -> None:
    report = Report.from_answers({"e_what": "force"})
    assert report.whats == ("force",) and report.what_happened == "force"
    assert Report.from_answers({"e_what": ["work", "mobilised"]}).whats == ("work", "mobilised")


def test_the_letter_tells_each_answer_once() -> None:
    report = replace(
        sample_reports()["kz_female"],
        what_happened="migration",
        what_happened_all=("migration", "mobilised"),
    )
    text = render_letter(
        "prosecutor_request",
        "prosecutor_general",
        report,
        "ru",
        case_number="KZ-2026-0001",
        today=SAMPLE_TODAY,
    ).text
    assert "центре временного содержания" in text and "по мобилизации" in text
    assert text.count("по мобилизации") == 1
