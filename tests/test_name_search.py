"""The search by the missing person's name: a keyed blind index, names stay sealed."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Services, open_services
from bot.audit_sentences import sentence
from bot.clock import ManualClock
from bot.config import Config
from bot.domain.names import name_words, skeleton
from bot.i18n import default_catalogs
from bot.services.errors import Invalid, NotAllowed
from bot.services.staff import Actor, Role
from bot.storage.crypto import Cipher, new_key
from bot.storage.database import Database
from bot.storage.maintenance import reseal
from bot.storage.name_tokens import drop_index
from bot.storage.store import LetterStore

KEY = new_key()
ADMIN = Actor(1, Role.ADMIN)


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    clock = ManualClock(datetime(2026, 5, 4, 9, tzinfo=UTC))
    config = Config(db_path=tmp_path / "izdeu.sqlite3", encryption_key=KEY)
    opened = await open_services(config, clock)
    yield opened
    await opened.close()


async def new_case(s: Services, family: int, **answers: str) -> int:
    now = s.clock.now()
    await s.store.create_user(family, family, "ky", now)
    case = await s.store.create_case(family, "KG", {"m_cit": "KG", **answers}, "KG", now)
    return case.id


async def found(s: Services, text: str, actor: Actor = ADMIN) -> set[int]:
    result = await s.search.search_by_name(actor, text)
    assert result.total == len(result.cases)
    return {c.id for c in result.cases}


def test_spellings_of_one_name_fold_to_one_skeleton() -> None:
    assert {skeleton(w) for w in ("Бакыт", "Бақыт", "BAKYT", "bakit", "Bakıt")} == {"bakit"}
    assert {skeleton(w) for w in ("Уулу", "UULU", "улу")} == {"ulu"}
    assert {skeleton(w) for w in ("Жандос", "Zhandos", "Jandos")} == {"jandos"}
    assert {skeleton(w) for w in ("Шынар", "Shynar", "Şynar")} == {"sinar"}
    assert {skeleton(w) for w in ("Өмірбек", "Омирбек", "Omirbek")} == {"omirbek"}
    assert name_words("Иванов-Петров  А.", "12345 !!") == {"ivanov", "petrov"}


async def test_finds_a_name_in_any_spelling_and_only_whole_matches(services: Services) -> None:
    s = services
    bakyt = await new_case(s, 11, m_name="Уулу Бакыт", m_latin="UULU BAKYT")
    other = await new_case(s, 12, m_name="Бақыт Серікұлы")
    await new_case(s, 13, m_name="Иванов Пётр Сергеевич")
    assert await found(s, "бакыт") == {bakyt, other}
    assert await found(s, "BAKIT") == {bakyt, other}
    assert await found(s, "Бакыт уулу") == {bakyt}
    assert await found(s, "Uulu") == {bakyt}
    assert await found(s, "петр иванов") != set()
    assert await found(s, "Бакытжан") == set()  # whole words, not parts
    with pytest.raises(Invalid):
        await s.search.search_by_name(ADMIN, "12 !")
    with pytest.raises(Invalid):
        await s.search.search_by_name(ADMIN, "а" * 201)


async def test_volunteers_search_their_cases_and_families_nothing(services: Services) -> None:
    s = services
    mine = await new_case(s, 21, m_name="Бакыт Асанов")
    await new_case(s, 22, m_name="Бакыт Токтогулов")
    now = s.clock.now()
    await s.staff.staff.create_invitation(
        "code", "volunteer", ADMIN.user_id, now, now + timedelta(1)
    )
    await s.staff.staff.redeem("code", 77, 77, "ky", now)
    volunteer = Actor(77, Role.VOLUNTEER)
    await s.staff.staff.assign(mine, 77, ADMIN.user_id, now, True)
    assert await found(s, "бакыт", volunteer) == {mine}
    with pytest.raises(NotAllowed):
        await s.search.search_by_name(Actor(21, Role.RELATIVE), "бакыт")


async def test_the_search_is_audited_without_the_words(services: Services) -> None:
    s = services
    await new_case(s, 31, m_name="Уулу Бакыт")
    await s.search.search_by_name(ADMIN, "Бакыт")
    entry = (await s.staff.audit.entries(limit=1))[0]
    assert (entry.action, entry.actor_id, entry.detail) == (
        "search_name",
        1,
        {"words": 1, "found": 1},
    )
    t = default_catalogs().get("ru")
    text = sentence(t, entry.action, entry.actor_id, None, None, entry.detail, {1: "Дана"})
    assert text == "Дана искал(а) дела по имени: найдено 1."


async def test_nothing_stored_reveals_the_name(services: Services, tmp_path: Path) -> None:
    s = services
    case_id = await new_case(s, 41, m_name="Уулу Бакыт", m_latin="UULU BAKYT")
    async with s.db.lock:
        await s.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = (tmp_path / "izdeu.sqlite3").read_bytes()
    for word in ("Бакыт", "Уулу", "BAKYT", "UULU", "bakit", "ulu"):
        assert word.encode() not in raw, word
    with sqlite3.connect(tmp_path / "izdeu.sqlite3") as conn:
        tokens = {
            t
            for (t,) in conn.execute("SELECT token FROM name_tokens WHERE case_id = ?", (case_id,))
        }
    assert len(tokens) == 2  # one per word: both spellings fold to the same two
    # Tokens are keyed: neither the word, nor its hash without the key, nor with another.
    for cipher in (Cipher(), Cipher(new_key())):
        assert not tokens & {cipher.name_token(w) for w in ("bakit", "ulu")}


async def test_the_index_follows_the_name_deletion_and_old_cases(services: Services) -> None:
    s = services
    case_id = await new_case(s, 51, m_name="Уулу Бакыт")
    await LetterStore(s.db).set_answer(case_id, "m_name", "Уулу Нурлан", s.clock.now(), 51)
    assert await found(s, "бакыт") == set()
    assert await found(s, "нурлан") == {case_id}
    async with s.db.transaction() as conn:  # as before the index, or after a new key
        await drop_index(conn)
    assert await found(s, "нурлан") == set()
    assert await s.fill_name_index() == 1
    assert await found(s, "нурлан") == {case_id}
    assert await s.fill_name_index() == 0
    await s.store.delete_user_data(51, s.clock.now())
    with sqlite3.connect(s.db.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM name_tokens").fetchone()[0] == 0


async def test_a_new_key_makes_new_tokens(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 5, 4, 9, tzinfo=UTC))
    path = tmp_path / "izdeu.sqlite3"
    s = await open_services(Config(db_path=path, encryption_key=KEY), clock)
    case_id = await new_case(s, 61, m_name="Уулу Бакыт")
    await s.close()
    newer = new_key()
    db = Database(path, cipher=Cipher(KEY))
    await db.open()
    await reseal(db, Cipher(KEY), Cipher(newer))
    await db.close()
    s = await open_services(Config(db_path=path, encryption_key=newer), clock)
    try:
        assert await found(s, "бакыт") == set()  # until the bot's job indexes it again
        assert await s.fill_name_index() == 1
        assert await found(s, "бакыт") == {case_id}
    finally:
        await s.close()


async def test_the_retention_clean_up_removes_the_tokens(services: Services) -> None:
    s = services
    case_id = await new_case(s, 71, m_name="Уулу Бакыт")
    async with s.db.transaction() as conn:
        await conn.execute("UPDATE cases SET status = 'closed' WHERE id = ?", (case_id,))
    s.clock.advance(timedelta(days=s.config.retention_days + 1))
    assert await s.purge_expired() == 1
    assert await found(s, "бакыт") == set()
    assert await s.fill_name_index() == 0  # purged counts as indexed: nothing to open
    with sqlite3.connect(s.db.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM name_tokens").fetchone()[0] == 0
