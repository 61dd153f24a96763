"""The review and UN forms as data, and their use cases, without Telegram: what each step
takes and refuses, the form kept until its action and closed by it in one transaction, a
replayed update that acts once, and a form that survives a restart of the services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import Services, open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.domain import forms
from bot.domain.inputs import Input, OtherInput, TextInput
from bot.domain.models import Case
from bot.domain.review_forms import CORRECTION, RETURN_NOTE, in_letter_language
from bot.domain.un_forms import SUBMISSION, TRANSLATION
from bot.domain.validators import InvalidInput
from bot.letters.sample import sample_reports
from bot.services.errors import NotAllowed, NotFound
from bot.services.staff import Actor, Role
from bot.storage.store import DuplicateUpdate, FormClosing
from tests.support import START
from tests.test_review import CASEWORKER, FAMILY, audit, case_with_letter
from tests.test_un import answers_of

TODAY = date(2026, 11, 21)
ADMIN = Actor(900, Role.ADMIN)


def refused(spec: forms.FormSpec, form: forms.Form, value: Input) -> str:
    with pytest.raises(InvalidInput) as err:
        forms.apply(spec, form, value, TODAY)
    return err.value.code


# --- the specs ------------------------------------------------------------------------
def test_a_correction_is_in_the_letters_language_and_not_too_long() -> None:
    form = forms.begin(CORRECTION, {"letter_id": 1, "field": "e_place", "language": "ru"})
    assert refused(CORRECTION, form, TextInput("Ростов облысы, жатақхана")) == "wrong_language"
    assert refused(CORRECTION, form, TextInput("Ростовская область " * 600)) == "text_too_long"
    assert refused(CORRECTION, form, OtherInput("sticker")) == "need_text"
    assert refused(CORRECTION, form, TextInput("   ")) == "text_empty"
    filled = forms.apply(CORRECTION, form, TextInput("  Ростовская  область "), TODAY)
    assert filled.done and forms.values(filled.form)["text"] == "Ростовская область"
    # A neutral text (numbers, a postcode) stands in any language.
    assert in_letter_language("050000", {"language": "kk"}) == "050000"
    with pytest.raises(InvalidInput):
        forms.back(CORRECTION, form)  # one text: nothing before it
    with pytest.raises(InvalidInput):
        forms.skip(CORRECTION, form)  # nor can it be left empty


def test_a_note_is_refused_rather_than_cut() -> None:
    form = forms.begin(RETURN_NOTE, {"letter_id": 1})
    assert refused(RETURN_NOTE, form, TextInput("x" * 1001)) == "text_too_long"
    assert forms.apply(RETURN_NOTE, form, TextInput("x" * 1000), TODAY).done


def test_a_translation_may_leave_out_only_what_the_submission_can_miss() -> None:
    place = forms.begin(TRANSLATION, {"case_id": 1, "key": "e_place"})
    assert refused(TRANSLATION, place, TextInput("-")) == "translation_required"
    assert refused(TRANSLATION, place, TextInput("x" * 10_000)) == "text_too_long"
    story = forms.begin(TRANSLATION, {"case_id": 1, "key": "e_story"})
    assert forms.values(forms.apply(TRANSLATION, story, TextInput(" - "), TODAY).form) == {
        "case_id": 1,
        "key": "e_story",
        "text": "",
    }


def test_the_submission_asks_a_past_date_then_a_reference_with_back_and_skip() -> None:
    form = forms.begin(SUBMISSION, {"case_id": 1})
    assert form.step == "date"
    assert refused(SUBMISSION, form, TextInput("31.02.2026")) == "date_impossible"
    assert refused(SUBMISSION, form, TextInput("22.11.2026")) == "date_future"
    at_ref = forms.apply(SUBMISSION, form, TextInput("20.11.2026"), TODAY)
    assert not at_ref.done and at_ref.form.step == "ref"
    assert at_ref.form.data["date"] == "2026-11-20"
    back = forms.back(SUBMISSION, at_ref.form)
    assert back.step == "date" and back.data["date"] == "2026-11-20"  # kept until replaced
    assert refused(SUBMISSION, at_ref.form, TextInput("R" * 101)) == "text_too_long"
    none_yet = forms.apply(SUBMISSION, at_ref.form, TextInput("-"), TODAY)
    assert none_yet.done and none_yet.form.data["ref"] == ""
    skipped = forms.skip(SUBMISSION, at_ref.form)
    assert skipped.done and skipped.form.data["ref"] is None


# --- the review use cases -----------------------------------------------------------
@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    config = Config(db_path=tmp_path / "izdeu.sqlite3", data_dir=tmp_path, letter_review=True)
    s = await open_services(config, ManualClock(START))
    try:
        yield s
    finally:
        await s.close()


async def test_a_typed_correction_is_checked_then_stored_with_its_form_closed(
    services: Services,
) -> None:
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    await s.review.ask_correction(CASEWORKER, row.id, "e_place", update_id=101)
    form = await s.review.runner.current(CASEWORKER.user_id)
    assert form is not None and form.data["language"] == "ru"
    answered = await s.review.answer_form(CASEWORKER, form, TextInput("Ростов облысы"), 102)
    assert answered.error is not None and answered.error.code == "wrong_language"
    assert await s.review.runner.current(CASEWORKER.user_id) == form  # kept: type it again
    fixed = "Ростовская область, город Шахты"
    answered = await s.review.answer_form(CASEWORKER, form, TextInput(fixed), 103)
    assert answered.letter is not None and fixed in answered.letter.produced.letter.text
    assert await s.review.runner.current(CASEWORKER.user_id) is None
    # The same update once more (replayed after a crash) does nothing a second time.
    with pytest.raises(DuplicateUpdate):
        await s.review.answer_form(CASEWORKER, form, TextInput(fixed + " 2"), 103)
    corrections = [a for a in await audit(s) if a[1] == "review_correct"]
    assert len(corrections) == 1
    fresh = await s.store.get_case_by_id(case.id)
    assert fresh is not None and fresh.report.translations["e_place"]["ru"] == fixed


async def test_a_typed_note_returns_the_letter_once(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    await s.review.ask_note(CASEWORKER, row.id)
    form = await s.review.runner.current(CASEWORKER.user_id)
    assert form is not None
    for op, code in (("back", "at_start"), ("skip", "not_optional")):
        moved = await s.review.move(CASEWORKER, op)
        assert moved is not None and moved.error is not None and moved.error.code == code
    answered = await s.review.answer_form(CASEWORKER, form, TextInput("Уточните адрес."), 201)
    assert answered.returned is not None and answered.returned.note == "Уточните адрес."
    assert answered.returned.family_chat == FAMILY
    assert await s.review.runner.current(CASEWORKER.user_id) is None
    assert await s.review.queue(CASEWORKER) == []
    # Another caseworker's note on the letter decided meanwhile: refused, form closed.
    other = Actor(901, Role.CASEWORKER)
    await s.followup.forms.begin(other.user_id, RETURN_NOTE, {"letter_id": row.id})
    late = await s.review.runner.current(other.user_id)
    assert late is not None
    with pytest.raises(NotFound):
        await s.review.answer_form(other, late, TextInput("Ещё раз"), 202)
    assert await s.review.runner.current(other.user_id) is None
    assert [a[1] for a in await audit(s)].count("review_return") == 1


async def test_a_volunteer_with_a_review_form_is_refused_and_the_form_closed(
    services: Services,
) -> None:
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    volunteer = Actor(777, Role.VOLUNTEER)
    await s.followup.forms.begin(volunteer.user_id, RETURN_NOTE, {"letter_id": row.id})
    form = await s.review.runner.current(volunteer.user_id)
    assert form is not None
    with pytest.raises(NotAllowed):
        await s.review.answer_form(volunteer, form, TextInput("Нет"))
    assert await s.review.runner.current(volunteer.user_id) is None
    assert [e.state for e in await s.review.queue(CASEWORKER)] == ["waiting"]


# --- the UN use cases ---------------------------------------------------------------
async def un_case(s: Services) -> Case:
    await s.store.create_user(FAMILY, FAMILY, "kk", START)
    answers = answers_of(sample_reports()["kz_male"])
    return await s.store.create_case(FAMILY, "KZ", answers, "KZ", START)


async def test_the_submission_form_survives_a_restart_and_acts_once(tmp_path: Path) -> None:
    config = Config(db_path=tmp_path / "izdeu.sqlite3", data_dir=tmp_path)
    s = await open_services(config, ManualClock(START))
    try:
        case = await un_case(s)
        await s.un.ask_submission_date(ADMIN, case, update_id=301)
        form = await s.un.forms.current(ADMIN.user_id)
        assert form is not None
        wrong = await s.un.answer_form(ADMIN, form, TextInput("31.02.2026"), 302)
        assert wrong.error is not None and wrong.step == "date"
        asked = await s.un.answer_form(ADMIN, form, TextInput("20.11.2026"), 303)
        assert asked.error is None and asked.step == "ref"
    finally:
        await s.close()
    s = await open_services(config, ManualClock(START))  # the bot restarted
    try:
        form = await s.un.forms.current(ADMIN.user_id)
        assert form is not None and form.step == "ref"
        back = await s.un.move(ADMIN, "back", 304)
        assert back is not None and back.step == "date"
        form = await s.un.forms.current(ADMIN.user_id)
        assert form is not None
        await s.un.answer_form(ADMIN, form, TextInput("19.11.2026"), 305)
        done = await s.un.move(ADMIN, "skip", 306)  # no reference yet
        assert done is not None and done.submitted_on == date(2026, 11, 19)
        assert done.family is not None and done.family.chat_id == FAMILY
        assert await s.un.forms.current(ADMIN.user_id) is None
        record = await s.un.store.get(case.id)
        assert (record.submitted_on, record.reference) == (date(2026, 11, 19), "")
        # Replayed, the update that completed the form changes nothing.
        with pytest.raises(DuplicateUpdate):
            await s.un.record_submission(
                ADMIN, case, date(2026, 11, 1), "X", FormClosing(ADMIN.user_id, 306)
            )
        assert (await s.un.store.get(case.id)).submitted_on == date(2026, 11, 19)
        assert await s.un.store.counts() == (1, 0)
    finally:
        await s.close()


async def test_a_translation_form_and_a_form_whose_case_is_gone(services: Services) -> None:
    s = services
    case = await un_case(s)
    await s.un.ask_translation(ADMIN, case, "e_place", update_id=401)
    form = await s.un.forms.current(ADMIN.user_id)
    assert form is not None
    left_out = await s.un.answer_form(ADMIN, form, TextInput("-"), 402)
    assert left_out.error is not None and left_out.error.code == "translation_required"
    saved = await s.un.answer_form(ADMIN, form, TextInput("Rostov-on-Don"), 403)
    assert saved.step is None and "e_place" not in {p.key for p in saved.missing}
    assert (await s.un.store.get(case.id)).translations == {"e_place": "Rostov-on-Don"}
    assert await s.un.forms.current(ADMIN.user_id) is None
    # A form left open on a case that no longer exists is closed, not answered.
    await s.un.ask_translation(ADMIN, case, "e_story")
    form = await s.un.forms.current(ADMIN.user_id)
    assert form is not None
    gone = forms.Form(form.name, form.step, {**form.data, "case_id": case.id + 99})
    with pytest.raises(NotFound):
        await s.un.answer_form(ADMIN, gone, TextInput("Taken away"), 404)
    assert await s.un.forms.current(ADMIN.user_id) is None
    assert [a[1] for a in await audit(s)].count("un_translation") == 1


async def test_forms_left_open_by_the_earlier_version_are_answered(services: Services) -> None:
    """The forms a caseworker had open when the bot was upgraded: the submission's date was
    kept under "on", and a correction did not know the letter's language."""
    s = services
    case = await un_case(s)
    await s.followup.store.save_form(
        ADMIN.user_id, forms.Form("un_sub", "ref", {"case_id": case.id, "on": "2026-11-18"}), START
    )
    form = await s.un.forms.current(ADMIN.user_id)
    assert form is not None
    done = await s.un.answer_form(ADMIN, form, TextInput("G/SO 217/1"), 501)
    assert done.submitted_on == date(2026, 11, 18)
    assert (await s.un.store.get(case.id)).reference == "G/SO 217/1"
    letter_case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, letter_case, [row])
    old = forms.Form("review_fix", "text", {"letter_id": row.id, "field": "e_place"})
    await s.followup.store.save_form(CASEWORKER.user_id, old, START)
    answered = await s.review.answer_form(CASEWORKER, old, TextInput("Ростов облысы"), 502)
    assert answered.error is not None and answered.error.code == "wrong_language"
    assert await s.review.runner.current(CASEWORKER.user_id) == old  # kept: type it again
    answered = await s.review.answer_form(CASEWORKER, old, TextInput("Ростовская область"), 503)
    assert answered.letter is not None
