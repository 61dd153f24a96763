"""The letters' use cases without Telegram: whose case it is, the questions before the
letters in their order, the IIN and translation forms, the letters handed over one by one.

A real SQLite file in a temporary folder; the letter worker process is replaced by the
same rendering in this process (its "PDF" is the letter's text), to keep these fast."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.app import Services, open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.domain.forms import Form, values
from bot.domain.inputs import TextInput
from bot.domain.models import Case, CaseStatus
from bot.domain.validators import InvalidInput
from bot.letters.render import render_letter
from bot.letters.sample import sample_reports
from bot.letters.worker import make_letter
from bot.services import letters as letters_module
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.letters import Delivery, FamilyLetters, Produced, Step
from bot.services.operations import DuplicateUpdate
from bot.services.staff import Actor, Role
from tests.support import START, make_iin
from tests.test_un import answers_of

FAMILY, OTHER = 11, 12
# The family's texts in Russian, for the letters in Russian (the report has them in Kazakh).
RUSSIAN = {
    "r_addr": "Казахстан, 050000, город Алматы, улица Толе би, дом 100, квартира 25",
    "e_story": (
        "Мой сын работал на стройке в марте 2025 года. Пятого марта он позвонил и сказал, "
        "что его задержала полиция. После этого его телефон выключен."
    ),
}

KAZAKH = "Ұлым әлі табылған жоқ, біз оны көп іздедік және барлық жерге хабарластық."


class InProcessWorker:
    """The letter worker's job done here: the real letter, its text as both files."""

    async def run(self, fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        assert fn is make_letter
        letter = render_letter(*args, **kwargs)
        return letter, letter.text.encode(), letter.text.encode()


@pytest.fixture
async def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Services]:
    monkeypatch.setattr(letters_module, "WORKER", InProcessWorker())
    s = await open_services(
        Config(db_path=tmp_path / "izdeu.sqlite3", data_dir=tmp_path), ManualClock(START)
    )
    for user in (FAMILY, OTHER):
        await s.store.create_user(user, user, "ru", START)
    yield s
    await s.close()


async def kz_case(s: Services, **changes: Any) -> Case:
    answers = {**answers_of(sample_reports()["kz_male"]), **changes}
    return await s.store.create_case(FAMILY, "KZ", answers, "KZ", START)


async def form_of(s: Services, user: int) -> Any:
    return await s.followup.store.get_form(user)


async def test_only_the_family_acts_on_its_letters(services: Services) -> None:
    letters = services.letters
    case = await kz_case(services)
    rows = await letters.letter_set(case)
    row = rows[0]
    actions = [
        letters.show(OTHER, case.id),
        letters.prepare(OTHER, case.id),
        letters.toggle_body(OTHER, row.id),
        letters.choose_risk(OTHER, case.id, "all"),
        letters.choose_language(OTHER, case.id, "kk"),
        letters.no_iin(OTHER, case.id),
        letters.leave_translation(OTHER, case.id),
        letters.prepare_letter(OTHER, row.id),
        letters.online_text(OTHER, row.id),
        letters.produce_letters(OTHER, case.id, [row.id], _refuse, whole_set=True),
    ]
    for action in actions:
        with pytest.raises(NotAllowed):
            await action
    with pytest.raises(NotFound):
        await letters.prepare(FAMILY, 999_999)
    with pytest.raises(NotFound):
        await letters.toggle_body(FAMILY, 999_999)
    assert await letters.letter_set(case) == rows
    assert await letters.options(case) == {}
    assert await form_of(services, OTHER) is None


async def _refuse(produced: Produced, i: int, total: int) -> None:
    raise AssertionError("no letter may be handed over")


async def test_the_questions_before_the_letters_come_in_order(services: Services) -> None:
    letters = services.letters
    case = await kz_case(services)
    assert (await letters.prepare(FAMILY, case.id)).kind == Step.RISK
    with pytest.raises(Invalid) as refused:
        await letters.choose_risk(FAMILY, case.id, "bogus")
    assert refused.value.field == "risk"
    step = await letters.choose_risk(FAMILY, case.id, "nonames")
    assert (step.kind, step.languages) == (Step.LANGUAGE, ("kk", "ru"))
    assert await letters.options(case) == {
        "include_perpetrator": False,
        "include_story": True,
        "home_details": False,
    }
    with pytest.raises(Invalid):
        await letters.choose_language(FAMILY, case.id, "en")
    step = await letters.choose_language(FAMILY, case.id, "ru")
    # Russian letters for all: the Kazakh address and account are asked for in Russian,
    # each through the open translation form.
    asked = []
    while step.kind == Step.TRANSLATE:
        assert step.needed is not None and step.letter_id is None
        form = await form_of(services, FAMILY)
        assert (form.name, form.data["field"], form.data["language"]) == (
            "translate",
            step.needed.field,
            "ru",
        )
        wrong = await letters.answer_form(FAMILY, form, TextInput(KAZAKH))
        assert wrong.error is not None and wrong.error.code == "wrong_language"
        assert (wrong.kind, wrong.needed) == (Step.TRANSLATE, step.needed)  # asked again
        assert await form_of(services, FAMILY) == form  # still open: nothing lost
        asked.append(step.needed.field)
        step = await letters.answer_form(FAMILY, form, TextInput(RUSSIAN[step.needed.field]))
        assert step.error is None
    assert asked == ["r_addr", "e_story"]
    assert await form_of(services, FAMILY) is None
    assert step.kind == Step.PRODUCE and step.waiting == ()
    chosen = [r for r in await letters.letter_set(case) if r.selected]
    assert [r.id for r in step.ready] == [r.id for r in chosen]

    handed: list[tuple[str, int, int]] = []

    async def hand_over(produced: Produced, i: int, total: int) -> None:
        handed.append((produced.row.addressee_id, i, total))
        assert produced.letter.language == "ru"
        assert RUSSIAN["e_story"] in produced.letter.text

    made = await letters.produce_letters(
        FAMILY, case.id, [r.id for r in step.ready], hand_over, whole_set=True
    )
    n = len(chosen)
    assert made == n
    assert handed == [(r.addressee_id, i, n) for i, r in enumerate(chosen, 1)]
    stored = await services.store.get_case_by_id(case.id)
    assert stored is not None and stored.status is CaseStatus.LETTERS_READY
    assert all(r.text and r.generated_at for r in await letters.letter_set(case) if r.selected)


async def test_the_iin_is_asked_before_letters_to_kazakh_bodies(services: Services) -> None:
    letters = services.letters
    case = await kz_case(services, r_id=None)
    await letters.choose_risk(FAMILY, case.id, "protect")
    step = await letters.choose_language(FAMILY, case.id, "kk")
    assert step.kind == Step.IIN
    form = await form_of(services, FAMILY)
    assert (form.name, values(form)) == ("iin", {"case_id": case.id})
    refused = await letters.answer_form(FAMILY, form, TextInput("12345"))
    assert refused.kind == Step.IIN and refused.error is not None
    assert refused.error.code == "iin_length"
    assert await form_of(services, FAMILY) == form
    iin = make_iin("70031245001")
    step = await letters.answer_form(FAMILY, form, TextInput(iin))
    assert step.kind != Step.IIN
    stored = await services.store.get_case_by_id(case.id)
    assert stored is not None and stored.answers["r_id"] == iin

    other_case = await kz_case(services, r_id=None)
    await letters.choose_risk(FAMILY, other_case.id, "protect")
    assert (await letters.choose_language(FAMILY, other_case.id, "kk")).kind == Step.IIN
    step = await letters.no_iin(FAMILY, other_case.id)
    assert step.kind != Step.IIN
    assert (await letters.options(other_case))["no_iin"] is True
    form = await form_of(services, FAMILY)
    assert form is None or form.name != "iin"


async def test_a_text_left_to_the_organisation_holds_back_only_its_letters(
    services: Services,
) -> None:
    letters = services.letters
    case = await kz_case(services)
    assert (await letters.leave_translation(FAMILY, case.id)).kind == Step.STALE
    await letters.choose_risk(FAMILY, case.id, "nonames")
    step = await letters.choose_language(FAMILY, case.id, "kk")
    left = []
    while step.kind == Step.TRANSLATE:
        assert step.needed is not None
        left.append((step.needed.field, step.needed.language))
        step = await letters.leave_translation(FAMILY, case.id)
    assert step.kind == Step.PRODUCE and left
    options = await letters.options(case)
    assert sorted(map(tuple, options["translate_by_org"])) == sorted(left)
    assert step.waiting, "the letters with texts left to the organisation wait"
    ready = {r.addressee_id for r in step.ready}
    assert not ready & {a.id for a in step.waiting}
    # One of the waiting letters, asked for alone, says so instead of being made.
    waiting_row = next(
        r for r in await letters.letter_set(case) if r.addressee_id == step.waiting[0].id
    )
    alone = await letters.prepare_letter(FAMILY, waiting_row.id)
    assert (alone.kind, alone.letter_id) == (Step.WAITING, waiting_row.id)
    assert isinstance(await letters.online_text(FAMILY, waiting_row.id), Step)


async def test_toggling_a_body_changes_the_set(services: Services) -> None:
    letters = services.letters
    case = await kz_case(services)
    shown = await letters.show(FAMILY, case.id)
    absent = next(c for c in shown.choices if not c.selected)
    after = await letters.toggle_body(FAMILY, absent.letter_id)
    assert {c.letter_id for c in after.chosen} == {c.letter_id for c in shown.chosen} | {
        absent.letter_id
    }
    back = await letters.toggle_body(FAMILY, absent.letter_id)
    assert back.chosen == shown.chosen


async def test_staff_write_the_texts_left_to_the_organisation(services: Services) -> None:
    letters = services.letters
    case = await kz_case(services)
    await letters.choose_risk(FAMILY, case.id, "nonames")
    step = await letters.choose_language(FAMILY, case.id, "ru")
    while step.kind == Step.TRANSLATE:
        step = await letters.leave_translation(FAMILY, case.id)
    caseworker = Actor(99, Role.CASEWORKER)
    for outsider in (Actor(FAMILY, Role.RELATIVE), Actor(98, Role.VOLUNTEER)):
        with pytest.raises(NotAllowed):
            await letters.texts_left(outsider, case.id)
        with pytest.raises(NotAllowed):
            await letters.write_translation(outsider, case.id, "e_story", "ru", RUSSIAN["e_story"])
    _, left = await letters.texts_left(caseworker, case.id)
    assert [(n.field, n.language) for n in left] == [("e_story", "ru"), ("r_addr", "ru")]
    with pytest.raises(InvalidInput):
        await letters.write_translation(caseworker, case.id, "e_story", "ru", KAZAKH)
    with pytest.raises(NotAllowed):  # not a text the family left to the organisation
        await letters.write_translation(caseworker, case.id, "e_place", "ru", "Москва")
    remaining = await letters.write_translation(
        caseworker, case.id, "e_story", "ru", RUSSIAN["e_story"]
    )
    assert [(n.field, n.language) for n in remaining] == [("r_addr", "ru")]
    assert (await letters.options(case))["translate_by_org"] == [["r_addr", "ru"]]
    stored = await services.store.get_case_by_id(case.id)
    assert stored is not None and stored.translations["e_story"]["ru"] == RUSSIAN["e_story"]
    entries = await services.staff.audit.entries()
    staff_entries = [e for e in entries if e.action != "report_confirmed"]  # the family's
    assert [(e.actor_id, e.action, e.case_id) for e in staff_entries] == [
        (99, "translation", case.id)
    ]


async def _kinds(s: Services, case: Case) -> list[str]:
    stored = await s.store.get_case_by_id(case.id)
    assert stored is not None
    return [e.kind for e in stored.events]


async def test_a_crash_before_the_iin_is_stored_keeps_the_form_and_a_replay_stores_once(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    letters = services.letters
    case = await kz_case(services, r_id=None)
    await letters.choose_risk(FAMILY, case.id, "protect")
    assert (await letters.choose_language(FAMILY, case.id, "kk")).kind == Step.IIN
    form = await form_of(services, FAMILY)
    iin = make_iin("85010245012")
    real = letters.store.set_answer

    async def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the bot stops here")

    monkeypatch.setattr(letters.store, "set_answer", crash)
    with pytest.raises(RuntimeError):
        await letters.answer_form(FAMILY, form, TextInput(iin), update_id=501)
    assert await form_of(services, FAMILY) == form  # accepted, not acted on: still open
    assert not await services.operations.already_handled(501)
    monkeypatch.setattr(letters.store, "set_answer", real)
    # The update comes again after the restart: now the IIN is stored, the form closed
    # and the update known as done, in one write.
    step = await letters.answer_form(FAMILY, form, TextInput(iin), update_id=501)
    assert step.kind != Step.IIN and step.error is None
    assert await services.operations.already_handled(501)
    events = await _kinds(services, case)
    # Once more (a replay of the same update): refused whole, nothing stored twice.
    with pytest.raises(DuplicateUpdate):
        await letters.answer_form(FAMILY, form, TextInput(iin), update_id=501)
    assert await _kinds(services, case) == events and events.count("answer") == 1
    stored = await services.store.get_case_by_id(case.id)
    assert stored is not None and stored.answers["r_id"] == iin


async def test_a_translation_and_its_forms_close_are_one_write(services: Services) -> None:
    letters = services.letters
    case = await kz_case(services)
    await letters.choose_risk(FAMILY, case.id, "nonames")
    step = await letters.choose_language(FAMILY, case.id, "ru")
    assert step.kind == Step.TRANSLATE and step.needed is not None
    form = await form_of(services, FAMILY)
    field = step.needed.field
    after = await letters.answer_form(FAMILY, form, TextInput(RUSSIAN[field]), update_id=601)
    assert after.needed != step.needed  # the next text, or the letters
    with pytest.raises(DuplicateUpdate):
        await letters.answer_form(FAMILY, form, TextInput("Другой текст"), update_id=601)
    stored = await services.store.get_case_by_id(case.id)
    assert stored is not None and stored.translations[field]["ru"] == RUSSIAN[field]
    assert [e.kind for e in stored.events].count("translation") == 1


async def test_skip_and_back_in_the_letters_forms(services: Services) -> None:
    letters = services.letters
    case = await kz_case(services, r_id=None)
    await letters.choose_risk(FAMILY, case.id, "nonames")
    await letters.choose_language(FAMILY, case.id, "kk")
    form = await form_of(services, FAMILY)
    back = await letters.back_form(FAMILY, form)
    assert back.kind == Step.IIN and back.error is not None and back.error.code == "at_start"
    assert await form_of(services, FAMILY) == form
    # /skip is "I have no IIN": the letters go on without it.
    step = await letters.skip_form(FAMILY, form)
    assert (await letters.options(case))["no_iin"] is True
    assert step.kind == Step.TRANSLATE and step.needed is not None
    first = step.needed
    stale = await letters.leave_translation(FAMILY, case.id, asked="e_other.kk")
    assert stale.kind == Step.STALE  # a button under another question
    step = await letters.skip_form(FAMILY, await form_of(services, FAMILY))
    assert [first.field, first.language] in (await letters.options(case))["translate_by_org"]
    assert step.needed != first
    # The button under the question asked now leaves that text.
    second = step.needed
    assert second is not None
    asked = f"{second.field}.{second.language}"
    step = await letters.leave_translation(FAMILY, case.id, asked=asked)
    assert step.kind != Step.STALE and step.needed != second
    assert [second.field, second.language] in (await letters.options(case))["translate_by_org"]


async def test_a_form_about_another_familys_case_is_closed(services: Services) -> None:
    letters = services.letters
    case = await kz_case(services, r_id=None)
    await letters.choose_risk(FAMILY, case.id, "nonames")
    await letters.choose_language(FAMILY, case.id, "kk")
    form = await form_of(services, FAMILY)
    with pytest.raises(NotAllowed):
        await letters.answer_form(OTHER, form, TextInput(make_iin("85010245012")))
    with pytest.raises(Invalid):
        await letters.answer_form(FAMILY, replace(form, name="note"), TextInput("x"))


async def test_a_translation_form_stored_by_an_earlier_version_still_works(
    services: Services,
) -> None:
    """Forms kept in the database across an upgrade: the old translation form had no
    fingerprint of the report's text and no way back; its text is taken as it was."""
    letters = services.letters
    case = await kz_case(services)
    await letters.choose_risk(FAMILY, case.id, "nonames")
    step = await letters.choose_language(FAMILY, case.id, "ru")
    assert step.kind == Step.TRANSLATE and step.needed is not None
    old = Form(
        "translate",
        "text",
        {"case_id": case.id, "field": step.needed.field, "language": "ru", "letter_id": None},
    )
    await services.followup.store.save_form(FAMILY, old, START)
    # The report's own text sent back unchanged is taken, as before.
    after = await letters.answer_form(FAMILY, old, TextInput(step.needed.original))
    assert after.error is None and after.needed != step.needed
    stored = await services.store.get_case_by_id(case.id)
    assert stored is not None
    assert stored.translations[step.needed.field]["ru"] == step.needed.original


async def test_family_letters_shows_the_set_of_an_only_case_and_lists_several(
    services: Services,
) -> None:
    letters = services.letters
    assert await letters.family_letters(OTHER) == FamilyLetters((), None)
    first = await kz_case(services)
    one = await letters.family_letters(FAMILY)
    assert one.shown is not None and one.shown.case.id == first.id
    assert one.shown == await letters.show(FAMILY, first.id)
    await kz_case(services)
    several = await letters.family_letters(FAMILY)
    assert len(several.cases) == 2 and several.shown is None  # the family chooses


async def test_a_step_that_leads_to_letters_makes_them_in_the_same_call(
    services: Services,
) -> None:
    """With a ``Delivery``, the family's step that leads to the letters makes them and
    hands each over as it is made, after ``starting``; ``made`` says how many. /back and
    /skip with no letters form open are nobody's business here (None)."""
    letters = services.letters
    case = await kz_case(services, **RUSSIAN)
    seen: list[tuple[str, int]] = []

    async def starting(step: Step) -> None:
        seen.append((step.kind, len(step.ready)))

    async def hand_over(produced: Produced, i: int, total: int) -> None:
        seen.append((produced.row.addressee_id, i))

    out = Delivery(starting, hand_over)
    assert await letters.move_form(FAMILY, "skip", 1, out) is None  # no form open
    assert (await letters.prepare(FAMILY, case.id, out)).kind == Step.RISK
    assert seen == []  # a question: nothing made, nothing started
    await letters.choose_risk(FAMILY, case.id, "nonames", out)
    step = await letters.choose_language(FAMILY, case.id, "ru", out)
    assert step.kind == Step.PRODUCE
    chosen = [r for r in await letters.letter_set(case) if r.selected]
    n = len(chosen)
    assert step.made == n and n > 0
    assert seen == [(Step.PRODUCE, n)] + [(r.addressee_id, i) for i, r in enumerate(chosen, 1)]
    stored = await services.store.get_case_by_id(case.id)
    assert stored is not None and stored.status is CaseStatus.LETTERS_READY
    again = await letters.prepare(FAMILY, case.id)  # no delivery: the step only
    assert again.kind == Step.PRODUCE and again.made is None
