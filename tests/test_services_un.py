"""The UN route's use cases for the chat, without Telegram: who acts in which language,
whose case it is, the staff page, the submission not made while incomplete, and whom to
tell once the case was submitted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import Services, open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.letters.sample import sample_reports
from bot.services.errors import NotAllowed, NotFound
from bot.services.staff import Actor, Role
from bot.services.un import Recipient
from bot.un.submission import NotReady
from tests.support import START
from tests.test_un import answers_of

FAMILY, OTHER, ADMIN = 11, 12, 50


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    config = Config(
        db_path=tmp_path / "izdeu.sqlite3", data_dir=tmp_path, admin_ids=frozenset({ADMIN})
    )
    s = await open_services(config, ManualClock(START))
    await s.store.create_user(FAMILY, FAMILY, "kk", START)
    await s.store.create_user(OTHER, OTHER, "ru", START)
    yield s
    await s.close()


async def test_who_acts_and_whose_case_it_is(services: Services) -> None:
    un = services.un
    answers = answers_of(sample_reports()["kz_male"])
    case = await services.store.create_case(FAMILY, "KZ", answers, "KZ", START)
    family = await un.who(FAMILY, "Зуһра")
    assert (family.actor, family.locale) == (Actor(FAMILY, Role.RELATIVE), "kk")
    admin = await un.who(services.user_key(ADMIN), "Aigerim")
    assert (admin.actor.role, admin.locale) == (Role.ADMIN, None)
    assert (await un.case_for(family.actor, case_id=case.id)).id == case.id
    assert [c.id for c in await un.family_cases(family.actor)] == [case.id]
    for outsider in (Actor(OTHER, Role.RELATIVE), Actor(98, Role.VOLUNTEER)):
        with pytest.raises(NotFound):
            await un.case_for(outsider, case_id=case.id)
        with pytest.raises(NotFound):
            await un.case_for(outsider, number=case.number)
    with pytest.raises(NotFound):
        await un.case_for(admin.actor, number="KZ-2026-9999")
    assert await un.family_cases(Actor(OTHER, Role.RELATIVE)) == []


async def test_the_staff_page_the_submission_and_whom_to_tell(services: Services) -> None:
    un = services.un
    answers = answers_of(sample_reports()["kz_male"])
    case = await services.store.create_case(FAMILY, "KZ", answers, "KZ", START)
    admin = Actor(services.user_key(ADMIN), Role.ADMIN)
    family = Actor(FAMILY, Role.RELATIVE)
    with pytest.raises(NotAllowed):
        await un.staff_page(family, case, "ru")
    page = await un.staff_page(admin, case, "ru")
    assert {p.key for p in page.texts} >= {"e_place", "e_story"}
    assert {p.key for p in page.overview.untranslated} == {p.key for p in page.texts}
    with pytest.raises(NotReady) as missing:
        await un.make_submission(admin, case)
    assert "e_place" in missing.value.texts
    with pytest.raises(NotAllowed):
        await un.record_submission(family, case, date(2026, 11, 20), "")
    told = await un.record_submission(admin, case, date(2026, 11, 20), "G/SO 217/1 KAZ 5")
    assert told == Recipient(FAMILY, "kk")
    record = (await un.overview(admin, case)).record
    assert (record.submitted_on, record.reference) == (date(2026, 11, 20), "G/SO 217/1 KAZ 5")
    await services.operations.user_blocked(FAMILY)
    assert await un.record_submission(admin, case, date(2026, 11, 20), "") is None


async def test_a_page_a_button_and_a_form_step_are_one_call_each(services: Services) -> None:
    """What /un, a button of the route and /back in its form each call: one use case
    that checks whose case it is, acts, and returns what to show next."""
    un = services.un
    answers = answers_of(sample_reports()["kz_male"])
    case = await services.store.create_case(FAMILY, "KZ", answers, "KZ", START)
    admin = Actor(services.user_key(ADMIN), Role.ADMIN)
    family = Actor(FAMILY, Role.RELATIVE)

    staff_page = await un.open_page(admin, case.number, "ru")
    assert staff_page.case is not None and staff_page.case.id == case.id
    assert staff_page.page is not None
    assert (await un.open_page(admin, "", "ru")).missing == "number"
    mine = await un.open_page(family, "", "kk")
    assert mine.case is not None and mine.case.id == case.id
    assert mine.overview is not None and mine.page is None
    assert (await un.open_page(family, "KZ-2026-9999", "kk")).missing == "this"
    assert (await un.open_page(Actor(OTHER, Role.RELATIVE), "", "ru")).missing == "cases"
    with pytest.raises(NotFound):
        await un.open_page(admin, "KZ-2026-9999", "ru")

    saved = await un.tap(family, case.id, "name", "1", "kk", 1)
    assert saved.saved and saved.overview is not None
    assert (await un.overview(family, case)).record.may_name is True
    with pytest.raises(ValueError):
        await un.tap(family, case.id, "name", "2", "kk", 2)
    with pytest.raises(NotAllowed):  # a staff button pressed by the family
        await un.tap(family, case.id, "staff", None, "kk", 3)
    with pytest.raises(NotFound):  # someone else's case
        await un.tap(Actor(OTHER, Role.RELATIVE), case.id, "family", None, "ru", 4)
    assert (await un.tap(admin, case.id, "staff", None, "ru", 5)).page is not None
    assert (await un.tap(admin, case.id, "produce", None, "ru", 6)).not_ready is not None

    assert await un.move_open_form(admin.user_id, "Aigerim", "back", 7) is None  # no form
    asked = await un.tap(admin, case.id, "mark", None, "ru", 8)
    assert asked.asked_date
    moved = await un.move_open_form(admin.user_id, "Aigerim", "skip", 9)
    assert moved is not None and moved.person.actor == admin
    assert moved.answered is not None and moved.answered.step == "date"  # cannot be empty
    assert moved.answered.error is not None
