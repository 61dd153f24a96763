"""The desk's actions that answer a refusal with the page again, without Telegram: the
refused text changes nothing, and the refusal carries the page as it reads now (its
reading audited as when it is opened), so the desk shows it with one call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Services, open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.services import dossier, review
from bot.services.staff import NOTE_LIMIT, Actor, Role
from tests.support import START
from tests.test_review import CASEWORKER, FAMILY, audit, case_with_letter

ADMIN = Actor(1, Role.ADMIN)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    config = Config(
        db_path=tmp_path / "izdeu.sqlite3",
        data_dir=tmp_path,
        letter_review=True,
        admin_ids=frozenset({ADMIN.user_id}),
    )
    s = await open_services(config, ManualClock(START))
    try:
        yield s
    finally:
        await s.close()


async def test_a_refused_correction_carries_the_letter_unchanged(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    before = await s.review.read(CASEWORKER, row.id)
    place = next(f.text for f in before.fields if f.field == "e_place")
    for text, reason in (("   ", "need_text"), ("Ростов облысы, жатақхана", "wrong_language")):
        with pytest.raises(review.RefusedOnPage) as refused:
            await s.review.correct_on_page(CASEWORKER, row.id, "e_place", text)
        assert refused.value.field == "text" and refused.value.reason == reason
        shown = refused.value.letter
        assert shown.entry.letter_id == row.id
        assert next(f.text for f in shown.fields if f.field == "e_place") == place
    reads = [a for a in await audit(s) if a == (CASEWORKER.user_id, "review_read", case.id)]
    assert len(reads) == 3  # the first reading and the page shown after each refusal
    assert (CASEWORKER.user_id, "review_correct", case.id) not in await audit(s)
    fixed = "Ростовская область, город Шахты"
    item = await s.review.correct_on_page(CASEWORKER, row.id, "e_place", fixed)
    assert item.text == fixed


async def test_an_empty_note_keeps_the_letter_waiting(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    with pytest.raises(review.RefusedOnPage) as refused:
        await s.review.send_back_on_page(CASEWORKER, row.id, " \n ")
    assert (refused.value.field, refused.value.reason) == ("note", "need_text")
    assert refused.value.letter.entry.state == "waiting"
    assert [e.state for e in await s.review.queue(CASEWORKER)] == ["waiting"]
    returned = await s.review.send_back_on_page(CASEWORKER, row.id, "Укажите адрес полностью.")
    assert returned.family_chat == FAMILY and await s.review.queue(CASEWORKER) == []


async def test_a_refused_note_or_message_carries_the_dossier(services: Services) -> None:
    s = services
    case, _row = await case_with_letter(s)
    too_long = "ж" * (NOTE_LIMIT + 1)
    for call in (s.dossiers.add_note, s.dossiers.message_family):
        with pytest.raises(dossier.RefusedOnPage) as refused:
            await call(ADMIN, case.id, case.number, too_long)
        page = refused.value.page
        assert refused.value.field == "text" and refused.value.reason == "text_too_long"
        assert page.dossier.case.number == case.number and page.dossier.notes == ()
    assert (ADMIN.user_id, "note", case.id) not in await audit(s)
    added = await s.dossiers.add_note(ADMIN, case.id, case.number, "Позвонить семье в среду.")
    assert added.case_number == case.number
    assert (ADMIN.user_id, "note", case.id) in await audit(s)
    relay = await s.dossiers.message_family(ADMIN, case.id, case.number, "Сәлеметсіз бе!")
    assert relay.recipient.user_id == FAMILY and relay.text == "Сәлеметсіз бе!"


async def test_an_invitation_comes_with_the_staff_page_listing_it(services: Services) -> None:
    s = services
    invited = await s.staff.invite_on_page(ADMIN, Role.CASEWORKER.value)
    codes = [i.code for i in invited.screen.invitations.invitations]
    assert invited.invitation.code in codes and invited.invitation.role == "caseworker"
