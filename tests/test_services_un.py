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
