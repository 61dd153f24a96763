"""Every keyboard the report can show fits Telegram's limits in every language."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardMarkup

from bot.domain import questions as q
from bot.domain.report_form import draft_at
from bot.i18n import LOCALES, Catalogs
from handlers import keyboards as kb
from handlers import texts
from handlers.common import split_text

FULL_ANSWERS = {
    "r_name": "Айгүл Төлөгөнова",
    "r_rel": "mother",
    "r_gender": "f",
    "r_phone": "+77011234567",
    "r_addr": "Алматы",
    "m_name": "Әлібек",
    "m_birth": "1994-03-18",
    "m_gender": "m",
    "m_cit": "other",
    "m_cit_other": "Узбекистан",
    "e_date": "2026-03-05",
    "e_how": "call",
    "e_place": "Ростов",
    "e_what": "force",
    "e_story": "ә" * 3000,
    "e_resp": "pmc",
    "e_contract": "no",
    "e_renounced": "unk",
    "evidence": [
        {"kind": "photo", "file_id": "x" * 80, "file_unique_id": "y", "description": "қ" * 300}
    ]
    * 50,
    "actions": [{"body": "embassy", "date": "2026-03-10", "outcome": "form", "reply": "ү" * 500}]
    * 30,
}
STEPS = [x.key for x in q.QUESTIONS] + list(q.SUB_STEPS) + [q.REVIEW]


def all_callback_data(markup: object) -> list[str]:
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data]


@pytest.mark.parametrize("locale", LOCALES)
def test_callback_data_are_short_ascii(locale: str) -> None:
    t = Catalogs().get(locale)
    markups = [
        kb.language_picker(locale),
        kb.consent(t, locale),
        kb.main_menu(t, True),
        kb.main_menu(t, False),
        kb.delete_confirm(t),
    ]
    for step in STEPS:
        draft = draft_at(step, dict(FULL_ANSWERS), ["r_name"], pending={"body": "other"})
        markups.append(kb.for_step(t, draft))
    datas = [d for m in markups for d in all_callback_data(m)]
    assert datas
    for data in datas:
        assert data.isascii() and len(data.encode()) <= 64, data


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_exceeds_telegram_limit(locale: str) -> None:
    t = Catalogs().get(locale)
    card = texts.review_card(t, FULL_ANSWERS)
    assert len(card) > 4096  # the fullest review card needs splitting
    parts = split_text(card)
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == card


def test_split_text_cuts_an_enormous_line() -> None:
    parts = split_text("a" * 10_000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


@pytest.mark.parametrize("locale", LOCALES)
def test_a_keyboard_is_made_once_and_cannot_change(locale: str) -> None:
    t = Catalogs().get(locale)
    draft = draft_at("e_how", {"e_how": "call"}, ["r_name"])
    markup = kb.for_step(t, draft)
    assert type(markup) is InlineKeyboardMarkup
    # Shared by every message that shows it: python-telegram-bot keeps it from changing.
    with pytest.raises(AttributeError):
        markup.inline_keyboard = ()  # type: ignore[misc]
    # The same content is the same keyboard, made once.
    assert kb.for_step(t, draft) is markup
